package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/zerosms-backend/app/apptest"
	"github.com/ztkit/ztkit/examples/zerosms-backend/client"
	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/finance"
	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
	"github.com/ztkit/ztkit/zt/mtls"
)

func posture(mut func(*device.Posture)) device.Posture {
	p := device.Posture{AppSignatureSHA256: strings.Repeat("ab", 32), OSVersion: "Android 15",
		ReportedAt: time.Now().Add(-time.Second)}
	if mut != nil {
		mut(&p)
	}

	return p
}

// fixture is one line of the bank SMS fixtures.
type fixture struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Sender string `json:"sender"`
	Expect struct {
		IsTransaction bool    `json:"is_transaction"`
		Type          string  `json:"type"`
		Amount        float64 `json:"amount"`
		Currency      string  `json:"currency"`
	} `json:"expect"`
}

func fixtures(t *testing.T) []fixture {
	t.Helper()

	f, err := os.Open("../smsparse/testdata/bank-sms/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	var out []fixture

	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)

	for sc.Scan() {
		var c fixture
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}

		out = append(out, c)
	}

	return out
}

func batch(cases []fixture) []upload.Message {
	now := time.Now().Add(-time.Hour)
	out := make([]upload.Message, len(cases))

	for i, c := range cases {
		// Some fixtures describe the sender ("VM-SBIINB (spoof) or ...").
		sender := "VM-BANK"
		if f := strings.Fields(c.Sender); len(f) > 0 {
			sender = f[0]
		}

		out[i] = upload.Message{ClientID: c.ID, Seq: uint64(i + 1), Sender: sender,
			Body: c.Text, ReceivedAt: now.Add(time.Duration(i) * time.Second)}
	}

	return out
}

// enroll enrolls a new device of the demo user.
func enroll(t *testing.T, env *apptest.Env, alg string, p device.Posture) *client.Client {
	t.Helper()

	c := env.Device(t, alg)

	if _, err := c.Enroll(context.Background(), env.SignIn(t), "test phone", p); err != nil {
		t.Fatalf("enroll: %v", err)
	}

	return c
}

type draft struct {
	SourceID    string   `json:"source_id"`
	Flags       []string `json:"flags"`
	Status      string   `json:"status"`
	Transaction struct {
		AmountMinor int64  `json:"amount_minor"`
		Currency    string `json:"currency"`
		PaymentType string `json:"payment_type"`
		Date        string `json:"date"`
	} `json:"transaction"`
}

func drafts(t *testing.T, env *apptest.Env) map[string]draft {
	t.Helper()

	pc := &client.Client{BaseURL: env.PlatformURL(), HTTP: env.HTTP}

	var out struct {
		Drafts []draft `json:"drafts"`
	}

	err := pc.Call(context.Background(), http.MethodGet, "/v1/drafts",
		"Bearer "+env.SignIn(t).AccessToken, "", nil, &out)
	if err != nil {
		t.Fatal(err)
	}

	m := map[string]draft{}
	for _, d := range out.Drafts {
		m[d.SourceID] = d
	}

	return m
}

// TestDraftsEndToEnd enrolls a device, uploads every fixture, and finds
// each debit and transfer as a draft of the user in the finance platform,
// delivered over mTLS; a re-upload changes nothing.
func TestDraftsEndToEnd(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	dev := enroll(t, env, "ES256", posture(nil))
	cases := fixtures(t)

	msgs := batch(cases)

	resp, err := dev.Upload(ctx, msgs)
	if err != nil {
		t.Fatal(err)
	}

	if resp.Accepted != len(cases) || resp.HighWaterMark != uint64(len(cases)) {
		t.Fatalf("accepted %d of %d, mark %d", resp.Accepted, len(cases), resp.HighWaterMark)
	}

	got := drafts(t, env)
	want := 0

	for _, c := range cases {
		d, ok := got["zerosms:"+dev.DeviceID+":"+c.ID]
		isDraft := c.Expect.IsTransaction && c.Expect.Type != "credit"

		if ok != isDraft {
			t.Errorf("%s: draft %v, want %v", c.ID, ok, isDraft)
			continue
		}

		if !ok {
			continue
		}

		want++
		minor := int64(math.Round(c.Expect.Amount * 100))
		if d.Transaction.AmountMinor != minor || d.Transaction.Currency != c.Expect.Currency {
			t.Errorf("%s: draft %d %s, want %d %s", c.ID, d.Transaction.AmountMinor,
				d.Transaction.Currency, minor, c.Expect.Currency)
		}
	}

	again, err := dev.Upload(ctx, msgs)
	if err != nil {
		t.Fatal(err)
	}

	if again.Duplicates != len(cases) || again.Accepted != 0 {
		t.Errorf("re-upload: %d duplicates, %d accepted", again.Duplicates, again.Accepted)
	}

	if n := len(drafts(t, env)); n != want {
		t.Errorf("after re-upload %d drafts, want %d", n, want)
	}

	st, err := dev.Messages(ctx)
	if err != nil {
		t.Fatal(err)
	}

	for _, m := range st.Messages {
		if m.Outcome.Forward == "failed" || m.Outcome.Forward == "pending" {
			t.Errorf("%s: forward %s: %s", m.ClientID, m.Outcome.Forward, m.Outcome.Error)
		}
	}
}

func status(err error) int {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Status
	}

	return 0
}

// TestRootedDeviceRefused: the policy refuses uploads from a rooted device
// and says why; a clean posture report lifts the refusal.
func TestRootedDeviceRefused(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	dev := env.Device(t, "EdDSA")

	view, err := dev.Enroll(ctx, env.SignIn(t), "rooted phone",
		posture(func(p *device.Posture) { p.Rooted = true }))
	if err != nil {
		t.Fatal(err)
	}

	if view.Upload.Allow || fmt.Sprint(view.Upload.Reasons) != "[device.rooted]" {
		t.Fatalf("enrolled rooted device may upload: %+v", view.Upload)
	}

	msgs := batch(fixtures(t)[:2])
	if _, err := dev.Upload(ctx, msgs); status(err) != http.StatusForbidden {
		t.Fatalf("upload from rooted device: %v, want 403", err)
	}

	if _, err := dev.Messages(ctx); err != nil {
		t.Fatalf("a rooted device may still read its results: %v", err)
	}

	view, err = dev.ReportPosture(ctx, posture(func(p *device.Posture) {
		p.ReportedAt = time.Now()
	}))
	if err != nil || !view.Upload.Allow {
		t.Fatalf("clean report: %+v, %v", view, err)
	}

	if _, err := dev.Upload(ctx, msgs); err != nil {
		t.Fatalf("upload after clean report: %v", err)
	}
}

// TestRevokedDeviceRefusedOnNextRequest: the user revokes a device; its
// live token is refused on the next request and it gets no new one.
func TestRevokedDeviceRefusedOnNextRequest(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	dev := enroll(t, env, "ES256", posture(nil))

	if _, err := dev.Messages(ctx); err != nil {
		t.Fatal(err)
	}

	user := env.SignIn(t)

	list, err := dev.Devices(ctx, user.AccessToken)
	if err != nil || len(list) != 1 || list[0].ID != dev.DeviceID {
		t.Fatalf("devices: %+v, %v", list, err)
	}

	if err := dev.Revoke(ctx, user.AccessToken, dev.DeviceID); err != nil {
		t.Fatal(err)
	}

	if _, err := dev.Messages(ctx); status(err) != http.StatusUnauthorized {
		t.Fatalf("revoked device's next request: %v, want 401", err)
	}

	fresh := &client.Client{BaseURL: dev.BaseURL, HTTP: dev.HTTP, Key: dev.Key,
		DeviceID: dev.DeviceID}
	if _, err := fresh.Token(ctx); status(err) != http.StatusUnauthorized {
		t.Fatalf("token for revoked device: %v, want 401", err)
	}

	list, err = dev.Devices(ctx, user.AccessToken)
	if err != nil || list[0].RevokedAt == nil || list[0].Upload.Allow {
		t.Fatalf("revoked device listed as %+v, %v", list, err)
	}
}

// TestPlatformChecksWorkloadAndUser: the platform takes drafts only from
// the ZeroSMS workload (a foreign SVID fails the mTLS handshake) and only
// for a user whose live role may have drafts (the auditor's are refused,
// and the message says so).
func TestPlatformChecksWorkloadAndUser(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()

	dev := env.Device(t, "ES256")
	if _, err := dev.Enroll(ctx, env.SignInAs(t, env.Auditor), "auditor phone",
		posture(nil)); err != nil {
		t.Fatal(err)
	}

	if _, err := dev.Upload(ctx, batch(fixtures(t)[2:3])); err != nil {
		t.Fatal(err)
	}

	st, err := dev.Messages(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if o := st.Messages[0].Outcome; o.Forward != "failed" || !strings.Contains(o.Error, "403") {
		t.Fatalf("auditor's draft: %+v", o)
	}

	td := env.Platform.TrustDomain()

	src, err := env.Platform.CA().Source(spiffeid.RequireFromPath(td, "/zerosms/impostor"))
	if err != nil {
		t.Fatal(err)
	}

	impostor := &finance.Client{Backend: &url.URL{Scheme: "https",
		Host: env.Platform.Addr("backend")},
		BackendHTTP: mtls.NewClient(src, mtls.AuthorizeID(
			spiffeid.RequireFromPath(td, "/financeapp/backend")))}

	_, err = impostor.SendDraft(ctx, env.SignIn(t).AccessToken, &finance.Draft{SourceID: "x",
		Transaction: finance.TransactionInput{AmountMinor: 100, Currency: "INR",
			PaymentType: "upi", Category: "expense", Date: "2025-10-20"}})
	if err == nil || errors.Is(err, finance.ErrRefused) {
		t.Fatalf("draft from a foreign workload: %v, want a failed handshake", err)
	}
}
