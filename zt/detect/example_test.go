package detect_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/revoke"
)

// Five failed sign-ins against one account are detected in the audit
// stream; the default response raises the account's risk, which the
// middleware's risk hook (risk.Risk) hands to the policy on the account's
// next request.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	revoked := revoke.NewList(revoke.Config{})
	risk := detect.NewRiskStore(detect.RiskConfig{})
	responder, err := detect.NewResponder(detect.ResponderConfig{
		Revocations: revoked,
		Risk:        risk,
		Alerts:      detect.NewMemoryStore(0),
	})
	if err != nil {
		log.Fatal(err)
	}

	handled := make(chan detect.Alert, 1)
	monitor := detect.NewMonitor(detect.MonitorConfig{
		Handler: detect.HandlerFunc(func(ctx context.Context, a detect.Alert) (detect.Alert, error) {
			a, err := responder.Handle(ctx, a)
			handled <- a
			return a, err
		}),
	})
	go func() { _ = monitor.Run(ctx) }()

	for range 5 {
		_ = monitor.Emit(ctx, audit.Event{
			Kind: detect.KindLogin, Decision: "deny",
			Actor: audit.Actor{User: "alice"}, SourceAddr: "203.0.113.9",
		})
	}

	a := <-handled
	fmt.Println(a.Rule, a.Severity, a.Outcomes[0].Action, a.Outcomes[0].Taken)

	r, err := risk.Risk(ctx, &zt.Principal{User: &zt.User{ID: "alice"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Score, r.Signals)
	// Output:
	// brute_force.account high raise_risk true
	// 60 [detect.brute_force]
}
