package mtls_test

import (
	"context"
	"errors"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/mtls"
)

func TestAuthorizers(t *testing.T) {
	other := spiffeid.RequireTrustDomainFromString("other.org")
	id := func(s string) spiffeid.ID { return spiffeid.RequireFromString(s) }

	tests := []struct {
		name  string
		authz mtls.Authorizer
		id    spiffeid.ID
		allow bool
	}{
		{"any", mtls.AuthorizeAny(), id("spiffe://other.org/x"), true},
		{"ID match", mtls.AuthorizeID(webID, serverID), webID, true},
		{"ID mismatch", mtls.AuthorizeID(serverID), webID, false},
		{"no IDs", mtls.AuthorizeID(), webID, false},
		{"member", mtls.AuthorizeMemberOf(other, td), webID, true},
		{"not member", mtls.AuthorizeMemberOf(other), webID, false},
		{"prefix itself", mtls.AuthorizePathPrefix(td, "/payments"),
			id("spiffe://example.org/payments"), true},
		{"prefix below", mtls.AuthorizePathPrefix(td, "/payments/"),
			id("spiffe://example.org/payments/api"), true},
		{"prefix sibling", mtls.AuthorizePathPrefix(td, "/payments"),
			id("spiffe://example.org/payments-admin"), false},
		{"prefix other trust domain", mtls.AuthorizePathPrefix(other, "/payments"),
			id("spiffe://example.org/payments"), false},
		{"all allow", mtls.AuthorizeAll(mtls.AuthorizeMemberOf(td), mtls.AuthorizeID(webID)),
			webID, true},
		{"all one refuses", mtls.AuthorizeAll(mtls.AuthorizeMemberOf(td), mtls.AuthorizeID(serverID)),
			webID, false},
		{"all empty", mtls.AuthorizeAll(), webID, false},
		{"all nil", mtls.AuthorizeAll(nil), webID, false},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.authz(tc.id, nil)
			switch {
			case tc.allow && err != nil:
				t.Fatalf("refused %s: %v", tc.id, err)
			case !tc.allow && !errors.Is(err, mtls.ErrNotAuthorized):
				t.Fatalf("got %v for %s, want ErrNotAuthorized", err, tc.id)
			}
		})
	}
}

func TestAuthorizePolicy(t *testing.T) {
	var seen *zt.Principal
	var action string
	d := mtls.PolicyFunc(func(ctx context.Context, p *zt.Principal, req *zt.Request) (zt.Decision, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("policy decision without a deadline")
		}
		seen, action = p, req.Action
		switch p.Workload.ID {
		case webID.String():
			return zt.Decision{Allow: true}, nil
		case serverID.String():
			return zt.Deny("workload.denied"), nil
		default:
			return zt.Decision{}, errors.New("engine down")
		}
	})
	authz := mtls.AuthorizePolicy(d, "connect", 0)

	if err := authz(webID, nil); err != nil {
		t.Fatalf("allowed by policy, refused: %v", err)
	}
	if seen.Workload.TrustDomain != "example.org" || action != "connect" {
		t.Fatalf("policy saw %+v, action %q", seen.Workload, action)
	}
	if err := authz(serverID, nil); !errors.Is(err, mtls.ErrNotAuthorized) {
		t.Fatalf("denied by policy: %v", err)
	}
	failing := spiffeid.RequireFromString("spiffe://example.org/x")
	if err := authz(failing, nil); !errors.Is(err, mtls.ErrNotAuthorized) {
		t.Fatalf("policy failure: %v, want a refusal", err)
	}
	if err := mtls.AuthorizePolicy(nil, "connect", 0)(webID, nil); !errors.Is(err, mtls.ErrNotAuthorized) {
		t.Fatalf("nil policy: %v, want a refusal", err)
	}
}

func spiffeIDOf(t *testing.T, s string) spiffeid.ID {
	t.Helper()

	id, err := mtls.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}

	return id
}
