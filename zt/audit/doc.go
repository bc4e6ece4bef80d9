// Package audit records every access so that it can be proven later.
//
// An [Event] says who acted, what they attempted on which resource, what policy
// decided and why. Events flow through an [Emitter] to sinks.
//
// A [Pipeline] is the Emitter that services use: it puts each event on one
// bounded queue per sink, writes batches asynchronously, and applies the
// sink's [Overflow] policy when a queue is full or a sink is failing. The
// default, [Block], waits a short deadline and then refuses the event, so that
// the enforcement point denies the request rather than serve it unrecorded.
//
// Sinks: [SlogSink] here; a tamper-evident hash-chained file in subpackage
// chain; database/sql in sqlsink; OpenTelemetry logs in otelsink; the Open
// Policy Agent decision-log format in decisionlog.
//
//	p, err := audit.NewPipeline(audit.Config{
//		Sinks: []audit.SinkConfig{
//			{Name: "chain", Sink: chainWriter},
//			{Name: "log", Sink: audit.NewSlogSink(logger), Overflow: audit.Drop},
//		},
//	})
//	if err != nil {
//		return err
//	}
//	defer p.Close(ctx)
package audit
