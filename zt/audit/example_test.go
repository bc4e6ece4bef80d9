package audit_test

import (
	"context"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

func ExamplePipeline() {
	// A log sink whose output this example can show: no timestamps.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "event_time" || a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))

	p, err := audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{
		{Name: "log", Sink: audit.NewSlogSink(logger), Overflow: audit.Drop},
	}})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	err = p.Emit(ctx, audit.Event{
		ID: "ev-1", Time: time.Now(), Kind: "decision", Decision: "deny",
		Actor: audit.Actor{User: "alice"}, Action: "transactions.read",
		Reasons:    []string{"policy.undefined"},
		Attributes: map[string]string{"password": "hunter2"},
	})
	if err != nil {
		log.Fatal(err) // only a Block or FailClosed sink refuses
	}

	if err := p.Close(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// level=INFO msg=audit id=ev-1 kind=decision decision=deny action=transactions.read actor.user=alice reasons=[policy.undefined] attributes=map[password:[redacted]]
}
