// Package detect finds threats and answers them: detectors over the audit
// stream and runtime alerts (subpackage falco) raise an [Alert]; a
// [Responder] decides what to do about it from a rule table and does it
// through the live revocation state (zt/revoke) and a [RiskStore] that the
// middleware's risk hook reads, so that the response takes effect on the
// attacker's very next request.
//
// # Detectors
//
// A [Monitor] is an audit.Emitter and an audit.Sink: put it behind the
// audit pipeline (or call it directly) and it watches for
//
//   - brute force: failed sign-ins (Kind "login", Decision "deny") per
//     account and per source address within a window, and a successful
//     sign-in from a source that was brute forcing (a likely compromise);
//   - a burst of denied requests per subject (probing);
//   - enumeration: one subject touching many distinct resources;
//   - sign-in from a network (an IPv4 /24 or IPv6 /48) the account has not
//     signed in from before.
//
// It hands alerts to a [Handler] (a Responder) from its own goroutine
// ([Monitor.Run]), through a bounded queue, so that detection never slows
// or blocks the request path; its per-event work is a few map operations.
//
// # Responses
//
// The Responder matches each alert against its [Rule] table
// ([DefaultRules] unless configured) and carries out the actions of the
// first row that matches: quarantine the workload by its SPIFFE ID, revoke
// a session, a user or a device, raise the subject's risk, or only record
// the alert. It never acts twice on one alert ID, caps disruptive actions
// with a [RateLimit], never touches what [Protection] lists (the detection
// pipeline itself: Falco, falcosidekick and the Responder's own workload),
// can run in dry-run mode, stores every alert with its outcomes in a
// [Store] for the admin console, and emits an audit event for every action
// taken or skipped, with the reason. An operator who has dealt with an
// alert withdraws its actions before they lapse with [Responder.Lift],
// which is audited too.
//
// # Wiring
//
//	revoked := revoke.NewList(revoke.Config{})
//	risk := detect.NewRiskStore(detect.RiskConfig{})
//	responder, err := detect.NewResponder(detect.ResponderConfig{
//		Revocations: revoked,
//		Risk:        risk,
//		Alerts:      detect.NewMemoryStore(0),
//		Audit:       pipeline,
//		Self:        "spiffe://example.org/financeapp/admin",
//	})
//	// ...
//	monitor := detect.NewMonitor(detect.MonitorConfig{Handler: responder})
//	go monitor.Run(ctx)
//	// Add monitor as a sink of the audit pipeline, and give the
//	// middleware Revocation: revoked and Risk: risk.Risk.
package detect
