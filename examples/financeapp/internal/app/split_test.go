package app_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/internal/testenv"
)

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	return l.Addr().String()
}

// TestServicesInSeparateProcesses runs the backend in one Platform and the
// four other services in another, as `financeapp serve` does: the front
// services fetch public's key set and poll the backend's policy
// information, and a role change or revoked session reaches them.
func TestServicesInSeparateProcesses(t *testing.T) {
	splitRun(t, "", 100*time.Millisecond)
}

// TestRevocationThroughRedis splits the services as above but polls only
// once an hour: a session the admin revokes in the backend's process must
// reach the front services' revocation list through Redis.
func TestRevocationThroughRedis(t *testing.T) {
	splitRun(t, testenv.RedisAddr(t), time.Hour)
}

func splitRun(t *testing.T, redisAddr string, poll time.Duration) {
	ctx := context.Background()
	dir := t.TempDir()
	addrs := map[routes.Service]string{}

	for _, s := range routes.Services {
		addrs[s] = freeAddr(t)
	}

	base := app.Config{DataDir: dir, PublicAddr: addrs[routes.Public], Addrs: addrs,
		Password: fastHash, LoginBurst: 10000, PollInterval: poll,
		DecisionTimeout: 5 * time.Second, RedisAddr: redisAddr,
		TrustDomain: "split" + store.NewID()[:8] + ".test"}

	backCfg := base
	backCfg.Only = []routes.Service{routes.Backend}
	frontCfg := base
	frontCfg.Only = []routes.Service{routes.Public, routes.User, routes.Auditor, routes.Admin}

	backCh := make(chan *app.Platform, 1)
	go func() {
		p, err := app.Start(ctx, backCfg)
		if err != nil {
			t.Error(err)
		}

		backCh <- p
	}()

	time.Sleep(200 * time.Millisecond) // the backend process creates the dev CA

	front, err := app.Start(ctx, frontCfg)
	if err != nil {
		t.Fatal(err)
	}

	back := <-backCh
	if back == nil {
		t.FailNow()
	}

	t.Cleanup(func() {
		_ = front.Close(context.Background())
		_ = back.Close(context.Background())
	})

	admin, err := app.BootstrapAdmin(ctx, back, app.DefaultAdminEmail)
	if err != nil {
		t.Fatal(err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(front.CA().Certificate())
	e := &env{t: t, p: front, admin: admin, client: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}

	if redisAddr != "" {
		redisRevocation(t, e, front, back)
		return
	}

	time.Sleep(500 * time.Millisecond) // a few polls: the admin's role binding
	a := e.signUp("alice", domain.RoleUser)

	eventually(t, func() (int, bool) {
		s := e.do("POST", "/v1/transactions", a.token, txBody(100, "expense", "2026-01-01")).status
		return s, s == http.StatusCreated
	})

	adminTok := e.login(admin.Email, admin.Password)
	if r := e.do("PUT", "/v1/admin/users/"+a.id+"/role", adminTok.token,
		map[string]string{"role": "auditor"}); r.status != http.StatusOK {
		t.Fatalf("role change: %d %s", r.status, r.body)
	}

	eventually(t, func() (int, bool) {
		s := e.do("GET", "/v1/transactions", a.token, nil).status
		return s, s == http.StatusForbidden
	})
}

// eventually retries f for up to three seconds.
func eventually[T any](t *testing.T, f func() (T, bool)) T {
	t.Helper()

	var v T

	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		var ok bool
		if v, ok = f(); ok {
			return v
		}

		time.Sleep(100 * time.Millisecond)
	}

	t.Fatalf("condition not met in time; last value %v", v)

	return v
}

// redisRevocation signs a user in straight through the backend's store and
// revokes the session in the backend's process; the front process must
// learn of it through Redis alone.
func redisRevocation(t *testing.T, e *env, front, back *app.Platform) {
	ctx := context.Background()

	r := e.do("POST", "/v1/auth/login", "", map[string]string{"email": e.admin.Email,
		"password": e.admin.Password})
	if r.status != http.StatusOK {
		t.Fatalf("login: %d %s", r.status, r.body)
	}

	var tok struct {
		SessionID string `json:"session_id"`
	}
	r.decode(t, &tok)

	if front.SessionRevokedForTest(tok.SessionID) {
		t.Fatal("revoked before the revocation")
	}

	uid := adminID(t, &env{t: t, p: back, admin: e.admin})
	if _, err := back.Store().RevokeSessions(ctx, uid, "", "revoke", "", ""); err != nil {
		t.Fatal(err)
	}

	if err := back.RevokeSessionsForTest(ctx, tok.SessionID); err != nil {
		t.Fatal(err)
	}

	eventually(t, func() (bool, bool) {
		ok := front.SessionRevokedForTest(tok.SessionID)
		return ok, ok
	})
}
