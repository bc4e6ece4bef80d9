package revoke_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/revoke"
)

func ExampleList() {
	revoked := revoke.NewList(revoke.Config{})

	// An administrator signs alice's session out.
	err := revoked.Revoke(revoke.Entry{
		Kind: revoke.Session, Value: "sess-1", Reason: "admin.logout",
		Expires: time.Now().Add(time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}

	// Her very next request carries a token of that session.
	p := &zt.Principal{User: &zt.User{ID: "alice", SessionID: "sess-1"}}
	err = revoked.CheckRevoked(context.Background(), p)

	var cause *revoke.RevokedError
	fmt.Println(errors.Is(err, zt.ErrRevoked), zt.ReasonOf(err))
	fmt.Println(errors.As(err, &cause), cause.Kind, cause.Reason)
	// Output:
	// true authn.revoked
	// true session admin.logout
}

func ExampleList_Lift() {
	revoked := revoke.NewList(revoke.Config{})
	billing := "spiffe://example.org/ns/prod/sa/billing"
	p := &zt.Principal{Workload: &zt.Workload{ID: billing}}

	// A detector quarantines the workload...
	err := revoked.Revoke(revoke.Entry{
		Kind: revoke.Workload, Value: billing, Reason: "detect.quarantine",
	})
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(errors.Is(revoked.CheckRevoked(context.Background(), p), zt.ErrRevoked))

	// ...and an operator lifts the quarantine once the alert is cleared.
	lifted, err := revoked.Lift(revoke.Workload, billing)
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(lifted, revoked.CheckRevoked(context.Background(), p))
	// Output:
	// true
	// true <nil>
}
