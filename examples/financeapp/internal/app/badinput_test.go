package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

func (e *env) count(a account) int {
	e.t.Helper()

	r := e.do("GET", "/v1/transactions?limit=500", a.token, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("count: %d %s", r.status, r.body)
	}

	var p store.Page
	r.decode(e.t, &p)

	return len(p.Items)
}

// TestBadInput sends malformed and hostile bodies and queries: each gets a
// clear 4xx problem and leaves nothing written.
func TestBadInput(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	e.createTx(a, "expense", "2026-01-01")

	valid := `"currency":"INR","payment_type":"upi","category":"expense","date":"2026-01-01"`

	for name, tc := range map[string]struct {
		body   string
		status int
		field  string
	}{
		"unknown field":      {`{"amount_minor":1,` + valid + `,"owner_id":"x"}`, 400, ""},
		"wrong type":         {`{"amount_minor":"100",` + valid + `}`, 400, "amount_minor"},
		"int64 overflow":     {`{"amount_minor":9223372036854775808,` + valid + `}`, 400, "amount_minor"},
		"above the maximum":  {`{"amount_minor":1000000000000000001,` + valid + `}`, 400, "amount_minor"},
		"negative":           {`{"amount_minor":-5,` + valid + `}`, 400, "amount_minor"},
		"fraction":           {`{"amount_minor":1.5,` + valid + `}`, 400, "amount_minor"},
		"exponent":           {`{"amount_minor":1e3,` + valid + `}`, 400, "amount_minor"},
		"impossible date":    {`{"amount_minor":1,"currency":"INR","payment_type":"upi","category":"expense","date":"2026-02-30"}`, 400, "date"},
		"date with time":     {`{"amount_minor":1,"currency":"INR","payment_type":"upi","category":"expense","date":"2026-02-01T00:00:00Z"}`, 400, "date"},
		"unknown currency":   {`{"amount_minor":1,"currency":"XXX","payment_type":"upi","category":"expense","date":"2026-02-01"}`, 400, "currency"},
		"sql in category":    {`{"amount_minor":1,"currency":"INR","payment_type":"upi","category":"expense' OR '1'='1","date":"2026-02-01"}`, 400, "category"},
		"bidi override":      {`{"amount_minor":1,` + valid + `,"description":"abc\u202Egpj.exe"}`, 400, "description"},
		"zero width":         {`{"amount_minor":1,` + valid + `,"description":"a\u200Bb"}`, 400, "description"},
		"nul byte":           {`{"amount_minor":1,` + valid + `,"description":"a\u0000b"}`, 400, "description"},
		"lone surrogate":     {`{"amount_minor":1,` + valid + `,"description":"\ud800"}`, 400, "description"},
		"too long":           {`{"amount_minor":1,` + valid + `,"description":"` + strings.Repeat("é", 201) + `"}`, 400, "description"},
		"two objects":        {`{"amount_minor":1,` + valid + `}{}`, 400, ""},
		"array":              {`[{"amount_minor":1,` + valid + `}]`, 400, ""},
		"truncated":          {`{"amount_minor":1,`, 400, ""},
		"oversized":          {`{"amount_minor":1,` + valid + `,"description":"` + strings.Repeat("a", 70000) + `"}`, 413, ""},
		"duplicate key wins": {`{"amount_minor":1,"amount_minor":-1,` + valid + `}`, 400, "amount_minor"},
	} {
		t.Run(name, func(t *testing.T) {
			before := e.count(a)
			r := e.do("POST", "/v1/transactions", a.token, tc.body)

			if r.status != tc.status {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tc.status)
			}

			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Fatalf("Content-Type %q, want problem+json", ct)
			}

			if tc.field != "" && !strings.Contains(string(r.body), `"field":"`+tc.field+`"`) {
				t.Fatalf("problem %s does not name field %s", r.body, tc.field)
			}

			if after := e.count(a); after != before {
				t.Fatalf("a refused request wrote: %d rows before, %d after", before, after)
			}
		})
	}
}

// TestHostileValuesAreStoredLiterally checks that SQL and markup in free
// text are data, and that the tables survive.
func TestHostileValuesAreStoredLiterally(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)

	for _, s := range []string{
		`'; DROP TABLE transactions; --`, `" OR 1=1 --`, `\'); DELETE FROM users; --`,
		`<script>alert(1)</script>`, `=HYPERLINK("http://x")`, `Ünïcödé ☕ चाय 🚆`,
	} {
		body := txBody(100, "expense", "2026-01-01")
		body["description"] = s

		r := e.do("POST", "/v1/transactions", a.token, body)
		if r.status != http.StatusCreated {
			t.Fatalf("%q: %d %s", s, r.status, r.body)
		}

		var tx domain.Transaction
		r.decode(t, &tx)

		if tx.Description != s {
			t.Fatalf("stored %q, sent %q", tx.Description, s)
		}
	}

	if n := e.count(a); n != 6 {
		t.Fatalf("%d transactions, want 6", n)
	}

	r := e.do("GET", "/v1/transactions/export", a.token, nil)
	if !strings.Contains(string(r.body), `'=HYPERLINK`) {
		t.Fatalf("CSV export does not neutralize formulas:\n%s", r.body)
	}
}

func TestBadQueries(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	aud := e.signUp("auditor", domain.RoleAuditor)

	for _, q := range []string{
		"/v1/transactions?limit=0", "/v1/transactions?limit=501", "/v1/transactions?limit=abc",
		"/v1/transactions?from=2026-13-01", "/v1/transactions?category=gift",
		"/v1/transactions?payment_type=cheque", "/v1/transactions?cursor=garbage",
		"/v1/transactions?cursor=2026-01-01~'%20OR%201=1",
		"/v1/transactions?category=expense'%20OR%20'1'='1",
		"/v1/transactions?sort=amount_minor", "/v1/transactions?sort=id%3BDROP%20TABLE%20users",
		"/v1/transactions?sort=DATE", "/v1/transactions?order=up",
		"/v1/transactions?order=asc%20--",
		"/v1/transactions?sort=amount&cursor=" + store.TxCursor{Sort: store.SortDate,
			Key: "2026-01-01", ID: store.NewID()}.String(),
		"/v1/transactions?sort=amount&cursor=" + store.TxCursor{Sort: store.SortAmount,
			Key: "1 OR 1=1", ID: store.NewID()}.String(),
		"/v1/transactions?order=asc&cursor=" + store.TxCursor{Sort: store.SortDate,
			Key: "2026-01-01", ID: store.NewID()}.String(),
	} {
		if r := e.do("GET", q, a.token, nil); r.status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", q, r.status)
		}
	}

	for _, q := range []string{
		"/v1/auditor/transactions?owner_id=x'%20OR%20'1'='1",
		"/v1/auditor/transactions?owner_id=" + strings.Repeat("a", 40),
	} {
		if r := e.do("GET", q, aud.token, nil); r.status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", q, r.status)
		}
	}

	admin := e.login(e.admin.Email, e.admin.Password)
	for _, q := range []string{
		"/v1/admin/audit?decision=maybe", "/v1/admin/audit?actor='%20OR%201=1--",
		"/v1/admin/audit?limit=9999", "/v1/admin/audit?from=yesterday",
		"/v1/admin/audit?to=2026-13-01T00:00:00Z", "/v1/admin/audit?cursor=%27%20OR%201=1",
		"/v1/admin/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
		"/v1/admin/session-log?user_id=x'%20OR%201=1",
		"/v1/admin/users?status=root", "/v1/admin/users?role=superuser",
	} {
		if r := e.do("GET", q, admin.token, nil); r.status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", q, r.status)
		}
	}

	r := e.do("POST", "/v1/transactions", a.token, nil)
	if r.status != http.StatusUnsupportedMediaType {
		t.Errorf("no body, no type: %d, want 415", r.status)
	}
}

// TestMalformedSignInIsNotAFailure: a sign-in or step-up request that cannot
// be one (no email, no password, a code that is not six digits) is a 400
// and does not count toward the account's lockout.
func TestMalformedSignInIsNotAFailure(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)

	for _, tc := range []struct {
		body  map[string]string
		field string
	}{
		{map[string]string{}, "email"},
		{map[string]string{"email": "not an email", "password": a.pw}, "email"},
		{map[string]string{"email": a.email}, "password"},
		{map[string]string{"email": a.email, "password": "x", "totp_code": "abc"}, "totp_code"},
		{map[string]string{"email": a.email, "password": "x", "totp_code": "1234567"}, "totp_code"},
		{map[string]string{"email": a.email, "totp_code": "123456"}, "password"},
	} {
		r := e.do("POST", "/v1/auth/login", "", tc.body)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"field":"`+tc.field+`"`) {
			t.Errorf("login %v: %d %s, want 400 on %s", tc.body, r.status, r.body, tc.field)
		}
	}

	for _, tc := range []struct {
		body  map[string]string
		field string
	}{
		{map[string]string{}, "password"},
		{map[string]string{"totp_code": "abc"}, "totp_code"},
	} {
		r := e.do("POST", "/v1/auth/step-up", a.token, tc.body)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"field":"`+tc.field+`"`) {
			t.Errorf("step-up %v: %d %s, want 400 on %s", tc.body, r.status, r.body, tc.field)
		}
	}

	// Eight malformed attempts, more than the lockout threshold: the account
	// still signs in.
	e.login(a.email, a.pw)
}
