package pep_test

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/pep"
)

//go:embed examples/roles_ownership_grants
var examples embed.FS

// examplePolicy is the roles + ownership + grants policy used by the tests
// and the package documentation.
func examplePolicy(t testing.TB) fs.FS {
	t.Helper()
	sub, err := fs.Sub(examples, "examples/roles_ownership_grants")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func newEngine(t testing.TB, cfg pep.Config) *pep.Engine {
	t.Helper()
	if cfg.Policies == nil && cfg.Dir == "" && cfg.Bundle == "" {
		cfg.Policies = examplePolicy(t)
	}
	if cfg.Timeout == 0 {
		// A loaded CI machine must not turn a slow decision into a deny.
		cfg.Timeout = 10 * time.Second
	}
	e, err := pep.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pep.New: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func user(id string, roles ...string) *zt.Principal {
	return &zt.Principal{User: &zt.User{ID: id, Roles: roles, AuthMethods: []string{"pwd"}}}
}

func readTx(p *zt.Principal, owner string) *pep.Input {
	return &pep.Input{
		Principal: p,
		Request: zt.Request{
			Action:   "transactions.read",
			Method:   "GET",
			Route:    "/v1/transactions/{id}",
			Resource: zt.Resource{Type: "transaction", ID: "t1", Owner: owner},
			Time:     time.Now(),
		},
	}
}

func TestDecide(t *testing.T) {
	e := newEngine(t, pep.Config{})
	ctx := context.Background()

	tests := []struct {
		name        string
		in          *pep.Input
		allow       bool
		reasons     []string
		obligations map[string]any
	}{
		{
			name: "owner reads own", in: readTx(user("alice", "user"), "alice"),
			allow: true, reasons: []string{"resource.owner"},
		},
		{
			name: "other user denied", in: readTx(user("alice", "user"), "carol"),
			reasons: []string{"rbac.no_permission"},
		},
		{
			name: "admin reads any", in: readTx(user("root", "admin"), "carol"),
			allow: true, reasons: []string{"rbac.role"},
		},
		{
			name: "anonymous denied", in: readTx(nil, "carol"),
			reasons: []string{"rbac.no_permission"},
		},
		{
			name: "high risk denied",
			in: func() *pep.Input {
				in := readTx(user("alice", "user"), "alice")
				in.Risk = zt.Risk{Score: 90, Signals: []string{"impossible_travel"}}
				return in
			}(),
			reasons: []string{"risk.high"},
		},
		{
			name: "delete asks for step-up",
			in: func() *pep.Input {
				in := readTx(user("alice", "user"), "alice")
				in.Request.Action = "transactions.delete"
				return in
			}(),
			allow: true, reasons: []string{"resource.owner"},
			obligations: map[string]any{"step_up": map[string]any{"method": "otp"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.Decide(ctx, tt.in)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if d.Allow != tt.allow || !slices.Equal(d.Reasons, tt.reasons) {
				t.Errorf("got allow=%v reasons=%v, want %v %v", d.Allow, d.Reasons, tt.allow, tt.reasons)
			}
			if len(d.Obligations) != len(tt.obligations) {
				t.Errorf("obligations = %v, want %v", d.Obligations, tt.obligations)
			}
			if d.ID == "" || d.Revision != e.Revision() {
				t.Errorf("decision id %q revision %q, engine revision %q", d.ID, d.Revision, e.Revision())
			}
		})
	}
}

// writePolicy writes a policy folder with one module.
func writePolicy(t testing.TB, dir, rego string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "policy.rego"), []byte(rego), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDecideFailsClosed(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		rego   string
		reason string
		errs   bool
	}{
		{
			name:   "undefined",
			rego:   "package ztkit.authz\n\ndecision := true if input.action == \"never\"\n",
			reason: zt.ReasonUndefined,
		},
		{
			name:   "conflict",
			rego:   "package ztkit.authz\n\ndecision := {\"allow\": true} if input.action\n\ndecision := {\"allow\": false} if input.request\n",
			reason: zt.ReasonEvalError, errs: true,
		},
		{
			name:   "builtin error",
			rego:   "package ztkit.authz\n\ndecision := {\"allow\": to_number(\"x\") > 0}\n",
			reason: zt.ReasonEvalError, errs: true,
		},
		{
			name:   "not a decision",
			rego:   "package ztkit.authz\n\ndecision := \"yes\"\n",
			reason: pep.ReasonMalformed, errs: true,
		},
		{
			name:   "empty object",
			rego:   "package ztkit.authz\n\ndecision := {}\n",
			reason: pep.ReasonMalformed, errs: true,
		},
		{
			name:   "allow not boolean",
			rego:   "package ztkit.authz\n\ndecision := {\"allow\": \"true\"}\n",
			reason: pep.ReasonMalformed, errs: true,
		},
		{
			name: "timeout",
			rego: `package ztkit.authz

decision := {"allow": slow}

default slow := false

slow if {
	some i in numbers.range(1, 20000)
	some j in numbers.range(1, 20000)
	i * j == -1
}
`,
			reason: zt.ReasonTimeout, errs: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writePolicy(t, dir, tt.rego)
			e := newEngine(t, pep.Config{Dir: dir, Timeout: 20 * time.Millisecond})
			d, err := e.Decide(ctx, readTx(user("alice", "admin"), "alice"))
			if d.Allow {
				t.Fatal("allowed")
			}
			if !slices.Equal(d.Reasons, []string{tt.reason}) {
				t.Errorf("reasons = %v (err %v), want %s", d.Reasons, err, tt.reason)
			}
			if (err != nil) != tt.errs {
				t.Errorf("err = %v, want error %v", err, tt.errs)
			}
		})
	}
}

func TestNewRefusesBadPolicy(t *testing.T) {
	tests := []struct {
		name string
		rego string
	}{
		{"syntax", "package ztkit.authz\n\ndecision := {\n"},
		{"no entrypoint", "package ztkit.authz\n\nallow := true\n"},
		{"unsafe", "package ztkit.authz\n\ndecision := {\"allow\": x == 1}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writePolicy(t, dir, tt.rego)
			_, err := pep.New(context.Background(), pep.Config{Dir: dir})
			if !errors.Is(err, pep.ErrPolicyRefused) {
				t.Fatalf("err = %v, want ErrPolicyRefused", err)
			}
		})
	}

	t.Run("failing policy test", func(t *testing.T) {
		dir := t.TempDir()
		writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\"allow\": true}\n")
		test := "package ztkit.authz_test\n\ntest_denies if not data.ztkit.authz.decision.allow\n"
		if err := os.WriteFile(filepath.Join(dir, "policy_test.rego"), []byte(test), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := pep.New(context.Background(), pep.Config{Dir: dir})
		if !errors.Is(err, pep.ErrPolicyRefused) {
			t.Fatalf("err = %v, want ErrPolicyRefused", err)
		}
		if _, err := pep.New(context.Background(), pep.Config{Dir: dir, SkipPolicyTests: true}); err != nil {
			t.Fatalf("SkipPolicyTests: %v", err)
		}
	})

	t.Run("config", func(t *testing.T) {
		if _, err := pep.New(context.Background(), pep.Config{}); err == nil {
			t.Error("no source accepted")
		}
		_, err := pep.New(context.Background(), pep.Config{
			Policies: examplePolicy(t), DecisionLogMask: []string{"/secret"},
		})
		if err == nil {
			t.Error("bad mask accepted")
		}
	})
}

// TestReloadKeepsLastGood pushes broken policies while decisions run, with
// -race, and checks that the old policy keeps deciding.
func TestReloadKeepsLastGood(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	allowAll := "package ztkit.authz\n\ndecision := {\"allow\": true, \"reasons\": {\"v1\"}}\n"
	writePolicy(t, dir, allowAll)
	var logs bytes.Buffer
	e := newEngine(t, pep.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	rev := e.Revision()

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				d, err := e.Decide(ctx, readTx(user("alice"), "bob"))
				if err != nil || !d.Allow || d.Reasons[0] != "v1" {
					t.Errorf("during reload: %+v, %v", d, err)
					return
				}
			}
		})
	}

	for _, broken := range []string{
		"package ztkit.authz\n\ndecision := {\n",
		"package ztkit.authz\n\nother := true\n",
	} {
		writePolicy(t, dir, broken)
		if err := e.Reload(ctx); !errors.Is(err, pep.ErrPolicyRefused) {
			t.Errorf("Reload(broken) = %v, want ErrPolicyRefused", err)
		}
	}
	close(stop)
	wg.Wait()

	if e.Revision() != rev {
		t.Errorf("revision changed to %s after refused reloads", e.Revision())
	}
	if got := e.Stats(); got.Refusals != 2 || got.Reloads != 0 {
		t.Errorf("stats = %+v", got)
	}
	if n := strings.Count(logs.String(), "keeping the last good one"); n != 2 {
		t.Errorf("%d refusals logged, want 2:\n%s", n, logs.String())
	}

	writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\"allow\": false, \"reasons\": {\"v2\"}}\n")
	if err := e.Reload(ctx); err != nil {
		t.Fatalf("Reload(good): %v", err)
	}
	d, _ := e.Decide(ctx, readTx(user("alice"), "bob"))
	if d.Allow || d.Reasons[0] != "v2" || d.Revision == rev {
		t.Errorf("after reload: %+v", d)
	}
}

func TestReloadInterval(t *testing.T) {
	dir := t.TempDir()
	writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\"allow\": false}\n")
	e := newEngine(t, pep.Config{Dir: dir, ReloadInterval: 10 * time.Millisecond})
	writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\"allow\": true}\n")

	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if d, _ := e.Decide(context.Background(), readTx(user("a"), "b")); d.Allow {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the changed policy was never loaded")
}
