package app_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/password"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/zt/mtls"
)

// env is a running platform and a client that trusts its dev CA.
type env struct {
	t      testing.TB
	p      *app.Platform
	client *http.Client
	admin  *app.Account
}

var fastHash = password.Params{Memory: 8 * 1024, Time: 1, Threads: 1}

func start(t *testing.T) *env {
	t.Helper()

	return startWith(t, app.Config{})
}

// startWith starts a platform on cfg, with a temporary data folder (unless
// cfg names one: a restart), a random public port, a fast password hash and
// no sign-in rate limit. On a restart the admin exists already and
// env.admin is nil.
func startWith(t testing.TB, cfg app.Config) *env {
	t.Helper()

	ctx := context.Background()
	restart := cfg.DataDir != ""
	if !restart {
		cfg.DataDir = t.TempDir()
	}

	cfg.PublicAddr, cfg.Password, cfg.LoginBurst = "127.0.0.1:0", fastHash, 10000

	// Generous: -race on a loaded two-core machine is slow, and a decision
	// past its deadline is (rightly) a deny.
	cfg.DecisionTimeout = 5 * time.Second

	// The matrix and the bad-input tests are refused on purpose, many times
	// per principal: probing and enumeration detection would revoke their
	// sessions. TestDetection turns them back on.
	if cfg.Detect.DenialBurst.Count == 0 {
		cfg.Detect.DenialBurst.Count = -1
	}

	if cfg.Detect.Enumeration.Count == 0 {
		cfg.Detect.Enumeration.Count = -1
	}

	p, err := app.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()

		if err := p.Close(ctx); err != nil {
			t.Logf("close: %v", err)
		}
	})

	admin, err := app.BootstrapAdmin(ctx, p, app.DefaultAdminEmail)
	if err != nil || admin == nil && !restart {
		t.Fatalf("bootstrap: %v, %v", admin, err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(p.CA().Certificate())

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}}}

	return &env{t: t, p: p, client: client, admin: admin}
}

// answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) decode(t testing.TB, v any) {
	t.Helper()

	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %d %s: %v", a.status, a.body, err)
	}
}

func (e *env) do(method, path, bearer string, body any) answer {
	e.t.Helper()

	return doWith(e.t, e.client, e.p.PublicURL(), method, path, bearer, body)
}

func doWith(t testing.TB, c *http.Client, base, method, path, bearer string, body any) answer {
	t.Helper()

	var rd io.Reader = http.NoBody

	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}

		rd = bytes.NewReader(buf)
	}

	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}

	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}

	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()

	b, _ := io.ReadAll(resp.Body)

	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// account is a signed-in test user.
type account struct {
	id, email, pw, token, sid string
	role                      domain.Role
}

// signUp registers a user and, unless role is empty, has the admin approve
// them with it; then signs them in.
func (e *env) signUp(name string, role domain.Role) account {
	e.t.Helper()

	a := account{email: name + "@example.test", pw: "a long password " + name, role: role}

	r := e.do("POST", "/v1/auth/register", "", map[string]string{
		"email": a.email, "password": a.pw, "display_name": name})
	if r.status != http.StatusAccepted {
		e.t.Fatalf("register %s: %d %s", name, r.status, r.body)
	}

	var u domain.User
	r.decode(e.t, &u)
	a.id = u.ID

	if role == "" {
		return a
	}

	admin := e.login(e.admin.Email, e.admin.Password)
	if r := e.do("PUT", "/v1/admin/users/"+a.id+"/role", admin.token,
		map[string]string{"role": string(role)}); r.status != http.StatusOK {
		e.t.Fatalf("approve %s: %d %s %v", name, r.status, r.body, r.header)
	}

	s := e.login(a.email, a.pw)
	a.token, a.sid = s.token, s.sid

	return a
}

func (e *env) login(email, pw string) account {
	e.t.Helper()

	r := e.do("POST", "/v1/auth/login", "", map[string]string{"email": email, "password": pw})
	if r.status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}

	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		SessionID    string `json:"session_id"`
	}
	r.decode(e.t, &tok)

	return account{email: email, pw: pw, token: tok.AccessToken, sid: tok.SessionID}
}

func (e *env) createTx(a account, cat, date string) string {
	e.t.Helper()

	r := e.do("POST", "/v1/transactions", a.token, txBody(1999, cat, date))
	if r.status != http.StatusCreated {
		e.t.Fatalf("create transaction: %d %s; recent refusals: %s", r.status, r.body,
			e.refusals(a.id))
	}

	var tx domain.Transaction
	r.decode(e.t, &tx)

	return tx.ID
}

func txBody(amount int64, cat, date string) map[string]any {
	return map[string]any{"amount_minor": amount, "currency": "INR", "payment_type": "upi",
		"category": cat, "description": "test", "location": "Pune", "date": date}
}

func (e *env) grant(owner account, auditor string, body map[string]any) string {
	e.t.Helper()

	body["auditor_id"] = auditor
	if _, ok := body["expires_at"]; !ok {
		body["expires_at"] = time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	}

	r := e.do("POST", "/v1/grants", owner.token, body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("grant: %d %s", r.status, r.body)
	}

	var g domain.Grant
	r.decode(e.t, &g)

	return g.ID
}

// workloadClient returns an mTLS client holding service s's SVID that
// accepts only the server to.
func (e *env) workloadClient(s, to routes.Service) *http.Client {
	e.t.Helper()

	src, err := e.p.CA().Source(app.ServiceID(e.p.TrustDomain(), s))
	if err != nil {
		e.t.Fatal(err)
	}

	c := mtls.NewClient(src, mtls.AuthorizeID(app.ServiceID(e.p.TrustDomain(), to)))
	c.Timeout = 10 * time.Second

	return c
}

func (e *env) serviceURL(s routes.Service) string {
	return fmt.Sprintf("https://%s", e.p.Addr(s))
}

// refusals lists the latest denied decisions about uid from the audit
// trail (action, service route and reasons), to say why a helper's request
// failed. The trail is written asynchronously: it may lag by a moment.
func (e *env) refusals(uid string) string {
	if e.p.Store() == nil || uid == "" {
		return "(no trail)"
	}

	time.Sleep(300 * time.Millisecond) // let the pipeline flush

	page, err := e.p.Store().AuditEvents(context.Background(),
		store.AuditFilter{UserID: uid, Decision: "deny", Limit: 5})
	if err != nil {
		return err.Error()
	}

	var out []string
	for _, ev := range page.Items {
		out = append(out, ev.Action+" "+ev.Route+" "+ev.Workload+" "+ev.Reason)
	}

	return strings.Join(out, "; ")
}
