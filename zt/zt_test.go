package zt_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ztkit/ztkit/zt"
)

var errCause = errors.New("token: expired")

func TestErrorMatchesKindAndCause(t *testing.T) {
	err := fmt.Errorf("verify: %w",
		zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken, "token.expired", errCause))

	tests := []struct {
		name   string
		target error
		want   bool
	}{
		{"kind", zt.ErrUnauthenticated, true},
		{"cause", errCause, true},
		{"other kind", zt.ErrForbidden, false},
		{"revoked", zt.ErrRevoked, false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(err, tt.target); got != tt.want {
				t.Fatalf("errors.Is(%v) = %v, want %v", tt.target, got, tt.want)
			}
		})
	}

	if got := zt.ReasonOf(err); got != "token.expired" {
		t.Errorf("ReasonOf = %q", got)
	}

	if got := zt.CodeOf(err); got != zt.CodeInvalidToken {
		t.Errorf("CodeOf = %q", got)
	}

	if zt.ReasonOf(errCause) != "" || zt.CodeOf(nil) != "" {
		t.Error("ReasonOf and CodeOf must be empty without an *Error")
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *zt.Error
		want string
	}{
		{"full", zt.NewError(zt.ErrRevoked, "", "session.revoked", errCause),
			"zt: revoked (session.revoked): token: expired"},
		{"bare", &zt.Error{}, "zt: refused"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Fatalf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestZeroDecisionDenies(t *testing.T) {
	var d zt.Decision
	if d.Allow {
		t.Fatal("the zero Decision must deny")
	}

	if d := zt.Deny(zt.ReasonUndefined); d.Allow || d.Reasons[0] != zt.ReasonUndefined {
		t.Fatalf("Deny = %+v", d)
	}
}

func TestContextCarriesPrincipalAndDecision(t *testing.T) {
	ctx := context.Background()
	if _, ok := zt.PrincipalFrom(ctx); ok {
		t.Fatal("empty context has a principal")
	}

	if _, ok := zt.PrincipalFrom(zt.WithPrincipal(ctx, nil)); ok {
		t.Fatal("a nil principal must not count")
	}

	p := &zt.Principal{User: &zt.User{ID: "u1", Roles: []string{"user"}}}
	got, ok := zt.PrincipalFrom(zt.WithPrincipal(ctx, p))
	if !ok || got != p {
		t.Fatalf("PrincipalFrom = %v, %v", got, ok)
	}

	d := &zt.Decision{Allow: true}
	if got, ok := zt.DecisionFrom(zt.WithDecision(ctx, d)); !ok || got != d {
		t.Fatalf("DecisionFrom = %v, %v", got, ok)
	}
}

func TestPrincipalSubject(t *testing.T) {
	tests := []struct {
		name string
		p    *zt.Principal
		want string
	}{
		{"nil", nil, ""},
		{"user", &zt.Principal{User: &zt.User{ID: "u1"}}, "u1"},
		{"workload", &zt.Principal{Workload: &zt.Workload{ID: "spiffe://td/w"}}, "spiffe://td/w"},
		{"empty", &zt.Principal{}, ""},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Subject(); got != tt.want {
				t.Fatalf("Subject() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUserRolesAndScopes(t *testing.T) {
	var nilUser *zt.User
	if nilUser.HasRole("admin") || nilUser.HasScope("read") {
		t.Fatal("a nil user has no role or scope")
	}

	u := &zt.User{Roles: []string{"auditor"}, Scopes: []string{"read"}}
	if !u.HasRole("auditor") || u.HasRole("admin") || !u.HasScope("read") {
		t.Fatalf("HasRole/HasScope wrong for %+v", u)
	}
}

func TestRevocationCheckerFunc(t *testing.T) {
	var c zt.RevocationChecker = zt.RevocationCheckerFunc(
		func(context.Context, *zt.Principal) error { return zt.ErrRevoked })

	if err := c.CheckRevoked(context.Background(), nil); !errors.Is(err, zt.ErrRevoked) {
		t.Fatalf("CheckRevoked = %v", err)
	}
}

func ExampleError() {
	err := zt.NewError(zt.ErrRevoked, zt.CodeInvalidToken, "session.revoked", nil)

	fmt.Println(errors.Is(err, zt.ErrRevoked), errors.Is(err, zt.ErrForbidden))
	fmt.Println(zt.CodeOf(err), zt.ReasonOf(err))
	// Output:
	// true false
	// invalid_token session.revoked
}
