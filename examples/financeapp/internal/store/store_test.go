package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/storetest"
	"github.com/ztkit/ztkit/examples/internal/seal"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

// eachDialect runs fn against a fresh SQLite file and a fresh PostgreSQL schema.
func eachDialect(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, openSQLite(t))
	})

	t.Run("postgres", func(t *testing.T) {
		fn(t, openPostgres(t))
	})
}

func openSQLite(t testing.TB) *Store {
	t.Helper()

	s, err := Open(context.Background(), SQLite, filepath.Join(t.TempDir(), "fin.db"))
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { s.Close() })

	return s
}

// openPostgres isolates the test in its own schema, dropped at the end.
func openPostgres(t testing.TB) *Store {
	t.Helper()

	s, err := Open(context.Background(), Postgres, storetest.PostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { s.Close() })

	return s
}

func mustUser(t testing.TB, s *Store, email string, role domain.Role) domain.User {
	t.Helper()

	ctx := context.Background()

	u, err := s.CreateUser(ctx, email, email, "hash")
	if err != nil {
		t.Fatal(err)
	}

	if role != "" {
		if err := s.SetRole(ctx, u.ID, role); err != nil {
			t.Fatal(err)
		}

		u.Status, u.Role = domain.StatusActive, role
	}

	return u
}

func txIn(amount int64, cat, date string) domain.TransactionInput {
	return domain.TransactionInput{AmountMinor: amount, Currency: "INR", PaymentType: "upi",
		Category: cat, Description: "tea", Location: "Pune", Date: date}
}

func TestUserLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()

		u, err := s.CreateUser(ctx, "a@example.com", "A", "h")
		if err != nil || u.Status != domain.StatusPending || u.Role != "" {
			t.Fatalf("CreateUser = %+v, %v", u, err)
		}

		if _, err := s.CreateUser(ctx, "a@example.com", "A2", "h"); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate email: %v, want ErrConflict", err)
		}

		if err := s.SetRole(ctx, u.ID, domain.RoleAuditor); err != nil {
			t.Fatal(err)
		}

		got, err := s.UserByEmail(ctx, "a@example.com")
		if err != nil || got.Status != domain.StatusActive || got.Role != domain.RoleAuditor {
			t.Fatalf("after SetRole: %+v, %v", got, err)
		}

		if err := s.Reject(ctx, u.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Reject(active) = %v, want ErrNotFound", err)
		}

		p := mustUser(t, s, "p@example.com", "")
		if err := s.Reject(ctx, p.ID); err != nil {
			t.Fatal(err)
		}

		if err := s.SetRole(ctx, p.ID, domain.RoleUser); !errors.Is(err, ErrNotFound) {
			t.Fatalf("SetRole(rejected) = %v, want ErrNotFound", err)
		}

		pending, err := s.Users(ctx, UserFilter{Status: domain.StatusPending})
		if err != nil || len(pending) != 0 {
			t.Fatalf("pending = %v, %v", pending, err)
		}

		if err := s.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}

		if _, err := s.User(ctx, u.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("User(deleted) = %v", err)
		}
	})
}

func TestRoleCheckConstraint(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		u := mustUser(t, s, "c@example.com", "")

		_, err := s.DB().Exec(`UPDATE users SET status = 'active' WHERE id = $1`, u.ID)
		if err == nil {
			t.Fatal("an active user without a role was accepted by the schema")
		}

		_, err = s.DB().Exec(`UPDATE users SET role = 'root' WHERE id = $1`, u.ID)
		if err == nil {
			t.Fatal("an unknown role was accepted by the schema")
		}
	})
}

func TestBootstrapOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()

		a, err := s.BootstrapAdmin(ctx, "admin@example.com", "h")
		if err != nil || a.Role != domain.RoleAdmin {
			t.Fatalf("BootstrapAdmin = %+v, %v", a, err)
		}

		if _, err := s.BootstrapAdmin(ctx, "other@example.com", "h"); !errors.Is(err, ErrConflict) {
			t.Fatalf("second BootstrapAdmin = %v, want ErrConflict", err)
		}
	})
}

func TestTransactionsCRUDAndOwnership(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := mustUser(t, s, "a@example.com", domain.RoleUser)
		b := mustUser(t, s, "b@example.com", domain.RoleUser)

		tx, err := s.CreateTransaction(ctx, a.ID, txIn(12345, "expense", "2026-03-01"))
		if err != nil {
			t.Fatal(err)
		}

		if _, err := s.Transaction(ctx, b.ID, tx.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("B reads A's transaction: %v", err)
		}

		if _, err := s.UpdateTransaction(ctx, b.ID, tx.ID, txIn(1, "saving",
			"2026-03-02")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("B updates A's transaction: %v", err)
		}

		if err := s.DeleteTransaction(ctx, b.ID, tx.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("B deletes A's transaction: %v", err)
		}

		up, err := s.UpdateTransaction(ctx, a.ID, tx.ID, txIn(999, "saving", "2026-03-02"))
		if err != nil || up.AmountMinor != 999 || up.Category != "saving" {
			t.Fatalf("Update = %+v, %v", up, err)
		}

		if err := s.DeleteTransaction(ctx, a.ID, tx.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAmountsAtTheLimit(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := mustUser(t, s, "a@example.com", domain.RoleUser)

		for range 3 {
			_, err := s.CreateTransaction(ctx, a.ID,
				txIn(domain.MaxAmountMinor, "expense", "2026-01-31"))
			if err != nil {
				t.Fatal(err)
			}
		}

		totals, err := s.Totals(ctx, a.ID)
		if err != nil || len(totals) != 1 || totals[0].AmountMinor != 3*domain.MaxAmountMinor {
			t.Fatalf("Totals = %+v, %v", totals, err)
		}

		_, err = s.DB().Exec(`INSERT INTO transactions (`+txCols+`) VALUES
			('x', $1, -5, 'INR', 'upi', 'expense', '', '', '2026-01-01', 0, 0)`, a.ID)
		if err == nil {
			t.Fatal("a negative amount was accepted by the schema")
		}
	})
}

func TestPagination(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := mustUser(t, s, "a@example.com", domain.RoleUser)

		for i := range 7 {
			date := fmt.Sprintf("2026-01-%02d", 1+i%3)
			if _, err := s.CreateTransaction(ctx, a.ID, txIn(int64(i+1), "expense", date)); err != nil {
				t.Fatal(err)
			}
		}

		seen := map[string]bool{}
		f := TxFilter{Limit: 3}

		for page := 0; ; page++ {
			p, err := s.Transactions(ctx, a.ID, f)
			if err != nil {
				t.Fatal(err)
			}

			for _, it := range p.Items {
				if seen[it.ID] {
					t.Fatalf("row %s on two pages", it.ID)
				}

				seen[it.ID] = true
			}

			if p.Next == "" {
				break
			}

			c, err := ParseTxCursor(p.Next)
			if err != nil {
				t.Fatal(err)
			}

			f.After = &c
		}

		if len(seen) != 7 {
			t.Fatalf("paged through %d rows, want 7", len(seen))
		}
	})
}

// TestSortedPagination pages through rows with many equal sort keys under
// every sort and order, two rows at a time, and checks the concatenated
// pages against the same rows sorted in Go.
func TestSortedPagination(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := mustUser(t, s, "a@example.com", domain.RoleUser)

		var all []domain.Transaction
		cats := []string{"expense", "saving", "investment"}
		for i := range 9 {
			in := txIn(int64(100*(1+i%3)), cats[i%2], fmt.Sprintf("2026-01-%02d", 1+i%4))
			in.Description = []string{"rent", "Bus", "rent"}[i%3]

			tx, err := s.CreateTransaction(ctx, a.ID, in)
			if err != nil {
				t.Fatal(err)
			}

			all = append(all, tx)
		}

		for sort, key := range map[TxSort]func(domain.Transaction) string{
			SortDate:        func(t domain.Transaction) string { return t.Date },
			SortAmount:      func(t domain.Transaction) string { return fmt.Sprintf("%08d", t.AmountMinor) },
			SortDescription: func(t domain.Transaction) string { return t.Description },
			SortCategory:    func(t domain.Transaction) string { return string(t.Category) },
		} {
			for _, asc := range []bool{true, false} {
				want := sortedIDs(all, key, asc)
				got := pageAll(t, s, a.ID, TxFilter{Sort: sort, Asc: asc, Limit: 2})

				if !slices.Equal(got, want) {
					t.Errorf("sort %s asc %t:\n got %v\nwant %v", sort, asc, got, want)
				}
			}
		}

		_, err := s.Transactions(ctx, a.ID, TxFilter{Sort: "amount_minor; DROP TABLE x"})
		if !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("unlisted sort: %v", err)
		}
	})
}

// sortedIDs orders rows by key, then ID, both ascending or both descending.
func sortedIDs(rows []domain.Transaction, key func(domain.Transaction) string,
	asc bool) []string {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(x, y domain.Transaction) int {
		c := cmp.Or(strings.Compare(key(x), key(y)), strings.Compare(x.ID, y.ID))
		if !asc {
			c = -c
		}

		return c
	})

	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}

	return ids
}

func pageAll(t *testing.T, s *Store, owner string, f TxFilter) []string {
	t.Helper()

	var ids []string
	for range 50 {
		p, err := s.Transactions(context.Background(), owner, f)
		if err != nil {
			t.Fatal(err)
		}

		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}

		if p.Next == "" {
			return ids
		}

		c, err := ParseTxCursor(p.Next)
		if err != nil {
			t.Fatal(err)
		}

		f.After = &c
	}

	t.Fatal("paging does not end")

	return nil
}

func TestFilteredListFailsClosed(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := mustUser(t, s, "a@example.com", domain.RoleUser)

		if _, err := s.CreateTransaction(ctx, a.ID, txIn(5, "expense", "2026-01-01")); err != nil {
			t.Fatal(err)
		}

		p, err := s.FilteredTransactions(ctx, "  ", nil, TxFilter{})
		if err != nil || len(p.Items) != 0 {
			t.Fatalf("empty filter returned %d rows, %v", len(p.Items), err)
		}

		p, err = s.FilteredTransactions(ctx, "transactions.owner_id = $1", []any{a.ID}, TxFilter{})
		if err != nil || len(p.Items) != 1 {
			t.Fatalf("owner filter returned %d rows, %v", len(p.Items), err)
		}
	})
}

func TestGrants(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		owner := mustUser(t, s, "o@example.com", domain.RoleUser)
		aud := mustUser(t, s, "au@example.com", domain.RoleAuditor)
		other := mustUser(t, s, "x@example.com", domain.RoleUser)

		in := domain.GrantInput{AuditorID: aud.ID, Scope: "categories",
			Categories: []string{"saving", "saving", "investment"},
			ExpiresAt:  time.Now().Add(time.Hour)}

		g, err := in.Validate(owner.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}

		g, err = s.CreateGrant(ctx, g)
		if err != nil {
			t.Fatal(err)
		}

		bad := g
		bad.AuditorID = other.ID
		if _, err := s.CreateGrant(ctx, bad); !errors.Is(err, ErrConflict) {
			t.Fatalf("grant to a non-auditor = %v, want ErrConflict", err)
		}

		list, err := s.Grants(ctx, GrantFilter{AuditorID: aud.ID})
		if err != nil || len(list) != 1 || len(list[0].Categories) != 2 {
			t.Fatalf("Grants = %+v, %v", list, err)
		}

		if err := s.RevokeGrant(ctx, other.ID, g.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a stranger revoked the grant: %v", err)
		}

		if err := s.RevokeGrant(ctx, owner.ID, g.ID); err != nil {
			t.Fatal(err)
		}

		list, _ = s.Grants(ctx, GrantFilter{OwnerID: owner.ID})
		if list[0].Active(time.Now()) {
			t.Fatal("revoked grant still active")
		}
	})
}

// TestRefreshStoreConformance runs zt/token's conformance suite for
// refresh stores against the database, in both dialects.
func TestRefreshStoreConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		tokentest.TestRefreshStore(t, func(t *testing.T) token.RefreshStore {
			return openSQLite(t).RefreshTokens()
		})
	})

	t.Run("postgres", func(t *testing.T) {
		tokentest.TestRefreshStore(t, func(t *testing.T) token.RefreshStore {
			return openPostgres(t).RefreshTokens()
		})
	})
}

// TestRefreshReuseRevokesTheSession rotates a token, presents the spent one
// again and checks that the family and its session are revoked, with the
// reuse in the session log; and that revoking a session revokes its tokens.
func TestRefreshReuseRevokesTheSession(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u := mustUser(t, s, "a@example.com", domain.RoleUser)
		sess := mustSession(t, s, u.ID)

		rt, err := token.NewRefreshTokens(token.RefreshConfig{Store: s.RefreshTokens()})
		if err != nil {
			t.Fatal(err)
		}

		first, _ := rt.Issue(ctx, token.RefreshGrant{Subject: u.ID, SessionID: sess.ID})

		second, grant, err := rt.Rotate(ctx, first)
		if err != nil || grant.SessionID != sess.ID {
			t.Fatalf("rotate: %+v %v", grant, err)
		}

		if _, _, err := rt.Rotate(ctx, first); !errors.Is(err, token.ErrRefreshReused) {
			t.Fatalf("reuse = %v, want ErrRefreshReused", err)
		}

		if _, _, err := rt.Rotate(ctx, second); !errors.Is(err, token.ErrRefreshRevoked) {
			t.Fatalf("rotate after reuse = %v, want ErrRefreshRevoked", err)
		}

		got, err := s.Session(ctx, sess.ID)
		if err != nil || got.RevokedAt == nil {
			t.Fatalf("session after reuse: %+v %v", got, err)
		}

		log, err := s.SessionLog(ctx, u.ID, 10)
		if err != nil || len(log) != 2 || log[0].Event != domain.EventRefreshReuse {
			t.Fatalf("SessionLog = %+v, %v", log, err)
		}

		other := mustSession(t, s, u.ID)
		tok, _ := rt.Issue(ctx, token.RefreshGrant{Subject: u.ID, SessionID: other.ID})

		if _, err := s.RevokeSessions(ctx, u.ID, other.ID, domain.EventLogout, "", ""); err != nil {
			t.Fatal(err)
		}

		if _, _, err := rt.Rotate(ctx, tok); !errors.Is(err, token.ErrRefreshRevoked) {
			t.Fatalf("rotate after logout = %v, want ErrRefreshRevoked", err)
		}
	})
}

func mustSession(t *testing.T, s *Store, uid string) domain.Session {
	t.Helper()

	now := time.Now()
	sess := domain.Session{ID: NewID(), UserID: uid, AuthMethods: []string{"pwd"},
		Address: "127.0.0.1", UserAgent: "test", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}

	if err := s.CreateSession(context.Background(), sess); err != nil {
		t.Fatal(err)
	}

	return sess
}

func TestLockoutCounting(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		since := time.Now().Add(-time.Minute)

		for range 3 {
			_ = s.RecordLoginAttempt(ctx, "a@example.com", false, "127.0.0.1")
		}

		if n, err := s.FailedLogins(ctx, "a@example.com", since); err != nil || n != 3 {
			t.Fatalf("FailedLogins = %d, %v", n, err)
		}

		s.now = func() time.Time { return time.Now().Add(time.Millisecond) }
		_ = s.RecordLoginAttempt(ctx, "a@example.com", true, "127.0.0.1")

		if n, _ := s.FailedLogins(ctx, "a@example.com", since); n != 0 {
			t.Fatalf("failures after success = %d, want 0", n)
		}
	})
}

func TestDraftsIdempotentAndAtomic(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u := mustUser(t, s, "a@example.com", domain.RoleUser)

		d, created, err := s.CreateDraft(ctx, u.ID, "sms-1", txIn(500, "expense",
			"2026-02-01"), []string{"spam"})
		if err != nil || !created {
			t.Fatalf("CreateDraft = %v, %v", created, err)
		}

		again, created, err := s.CreateDraft(ctx, u.ID, "sms-1", txIn(1, "expense",
			"2026-02-01"), nil)
		if err != nil || created || again.ID != d.ID || again.Transaction.AmountMinor != 500 {
			t.Fatalf("repeat CreateDraft = %+v, %v, %v", again, created, err)
		}

		bad := txIn(500, "expense", "2026-02-01")
		bad.PaymentType = "cheque"
		if _, err := s.ConfirmDraft(ctx, u.ID, d.ID, bad); err == nil {
			t.Fatal("a draft confirmed with an invalid payment type")
		}

		if p, _ := s.Transactions(ctx, u.ID, TxFilter{}); len(p.Items) != 0 {
			t.Fatal("a failed confirm left a transaction behind")
		}

		if _, err := s.ConfirmDraft(ctx, u.ID, d.ID, again.Transaction); err != nil {
			t.Fatal(err)
		}

		if _, err := s.ConfirmDraft(ctx, u.ID, d.ID, again.Transaction); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second confirm = %v, want ErrNotFound", err)
		}

		if p, _ := s.Transactions(ctx, u.ID, TxFilter{}); len(p.Items) != 1 {
			t.Fatalf("after confirm: %d transactions, want 1", len(p.Items))
		}
	})
}

func TestTOTPStepIsUsedOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u := mustUser(t, s, "a@example.com", domain.RoleUser)

		if err := s.UseTOTPStep(ctx, u.ID, 100); err != nil {
			t.Fatal(err)
		}

		for _, step := range []int64{100, 99} {
			if err := s.UseTOTPStep(ctx, u.ID, step); !errors.Is(err, ErrConflict) {
				t.Fatalf("step %d again: %v, want ErrConflict", step, err)
			}
		}

		if err := s.UseTOTPStep(ctx, u.ID, 101); err != nil {
			t.Fatal(err)
		}
	})
}

// TestTotalsPastInt64: a month's sum that passes int64 made SQL's SUM fail
// (SQLite "integer overflow", pgx "out of range"), and the summary answered
// 500. It is now summed exactly and flagged, on both databases.
func TestTotalsPastInt64(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := mustUser(t, s, "a@example.com", domain.RoleUser)

		// 9300 × 10^15 passes 2^63 - 1 (about 9.22 × 10^18).
		const rows = 9300

		_, err := s.DB().ExecContext(ctx, `INSERT INTO transactions (`+txCols+`)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3)
			SELECT 'big' || i, $1, $2, 'INR', 'upi', 'expense', '', '', '2026-01-31', 0, 0
			FROM n`, a.ID, domain.MaxAmountMinor, rows)
		if err != nil {
			t.Fatal(err)
		}

		if _, err := s.CreateTransaction(ctx, a.ID, txIn(7, "expense", "2026-02-01")); err != nil {
			t.Fatal(err)
		}

		totals, err := s.Totals(ctx, a.ID)
		if err != nil {
			t.Fatalf("Totals: %v", err)
		}

		want := new(big.Int).Mul(big.NewInt(rows), big.NewInt(domain.MaxAmountMinor))
		if len(totals) != 2 || !totals[0].Overflow || totals[0].Count != rows ||
			totals[0].AmountMinor != math.MaxInt64 ||
			totals[0].AmountMinorDecimal != want.String() {
			t.Fatalf("Totals = %+v, want an overflowed total of %s", totals, want)
		}

		if got := totals[1]; got.Overflow || got.AmountMinor != 7 ||
			got.AmountMinorDecimal != "7" || got.Count != 1 {
			t.Fatalf("small total = %+v", got)
		}
	})
}

// TestTOTPSecretIsSealed: with a sealer, the database holds the TOTP secret
// sealed and bound to its user; the store hands back the secret itself.
func TestTOTPSecretIsSealed(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		sealer, err := seal.Random()
		if err != nil {
			t.Fatal(err)
		}
		s.SealSecrets(sealer)

		a := mustUser(t, s, "a@example.com", domain.RoleUser)
		b := mustUser(t, s, "b@example.com", domain.RoleUser)
		const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

		for _, u := range []string{a.ID, b.ID} {
			if err := s.SetTOTP(ctx, u, secret, true); err != nil {
				t.Fatal(err)
			}
		}

		c, err := s.Credentials(ctx, a.ID)
		if err != nil || c.TOTPSecret != secret || !c.TOTPEnabled {
			t.Fatalf("Credentials = %+v, %v", c, err)
		}

		var stored string
		if err := s.db.QueryRowContext(ctx, `SELECT totp_secret FROM credentials
			WHERE user_id = $1`, a.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}

		if strings.Contains(stored, secret) || !strings.HasPrefix(stored, "v1.") {
			t.Fatalf("the database holds %q", stored)
		}

		// b's sealed secret copied into a's row does not open for a.
		if _, err := s.db.ExecContext(ctx, `UPDATE credentials SET totp_secret =
			(SELECT totp_secret FROM credentials WHERE user_id = $1) WHERE user_id = $2`,
			b.ID, a.ID); err != nil {
			t.Fatal(err)
		}

		if _, err := s.Credentials(ctx, a.ID); !errors.Is(err, seal.ErrUnsealed) {
			t.Fatalf("Credentials with another user's secret: %v, want ErrUnsealed", err)
		}

		// Without the key, a sealed secret is refused, not used as a seed,
		// and no secret is written in clear.
		s.SealSecrets(nil)
		if _, err := s.Credentials(ctx, b.ID); !errors.Is(err, seal.ErrUnsealed) {
			t.Fatalf("Credentials without the key: %v, want ErrUnsealed", err)
		}

		if err := s.SetTOTP(ctx, b.ID, secret, false); !errors.Is(err, seal.ErrUnsealed) {
			t.Fatalf("SetTOTP without the key: %v, want ErrUnsealed", err)
		}
	})
}
