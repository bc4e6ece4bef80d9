package caep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/token"
)

// Defaults applied by NewReceiver to zero fields of a Config.
const (
	DefaultMaxAge      = 5 * time.Minute
	DefaultMaxBodySize = 64 << 10
)

// Verifier verifies a SET and returns its claims in Principal.Claims; a
// *token.Verifier configured with VerifierConfig is one.
type Verifier interface {
	Verify(ctx context.Context, raw string) (*zt.Principal, error)
}

// Revoker applies revocations; a *redissync.Replicator is one (shared by
// every replica), and ListRevoker adapts a local *revoke.List.
type Revoker interface {
	Revoke(ctx context.Context, entries ...revoke.Entry) error
}

// ListRevoker adapts a revoke.List to a Revoker.
func ListRevoker(l *revoke.List) Revoker {
	return listRevoker{l}
}

type listRevoker struct{ l *revoke.List }

func (r listRevoker) Revoke(_ context.Context, entries ...revoke.Entry) error {
	return r.l.RevokeAll(entries)
}

// RiskUpdate raises or clears a risk signal about a subject.
type RiskUpdate struct {
	// Subject is who the signal is about.
	Subject Subject

	// Signal names the signal, for example "device.not_compliant".
	Signal string

	// Raised is true when the signal is raised, false when it is cleared.
	Raised bool

	// Time is when the event happened.
	Time time.Time

	// Transmitter is the SET's issuer.
	Transmitter string
}

// RiskUpdater receives risk updates; zt/detect's risk input is one.
type RiskUpdater interface {
	UpdateRisk(ctx context.Context, u RiskUpdate) error
}

// Config configures a Receiver.
type Config struct {
	// Verifier verifies SETs against the transmitter's keys. Required. Build
	// it with token.NewVerifier(ctx, VerifierConfig(...)).
	Verifier Verifier

	// Revoker applies the revocations. Required.
	Revoker Revoker

	// Risk receives risk updates; nil discards them (the revocations still
	// apply).
	Risk RiskUpdater

	// Audit, when set, receives one event of kind "revocation" per SET
	// applied.
	Audit audit.Emitter

	// Authorize, when set, authenticates the transmitter's HTTP request (for
	// example its bearer token) before the SET is read. Returning an error
	// wrapping zt.ErrForbidden answers access_denied, any other error
	// authentication_failed. Nil accepts any caller: the SET's signature is
	// then the only proof of origin.
	Authorize func(r *http.Request) error

	// MaxAge bounds how old (by "iat") a SET may be; it is also how long its
	// "jti" is remembered against replay. Zero means DefaultMaxAge; keep it
	// equal to the Verifier's MaxAge.
	MaxAge time.Duration

	// CredentialTTL is how long a revocation made by a SET lasts. It must be
	// at least the lifetime of the longest-lived credential it targets. Zero
	// means revoke.DefaultTTL.
	CredentialTTL time.Duration

	// MaxBodySize bounds the request body. Zero means DefaultMaxBodySize.
	MaxBodySize int64

	// Replay remembers the SETs received. Nil means a MemoryReplayStore,
	// which protects one process only: give replicas that share an endpoint
	// a shared store.
	Replay ReplayStore

	// Logger receives refused SETs and failures; nil logs nothing. SETs are
	// never logged.
	Logger *slog.Logger

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// VerifierConfig returns the token.VerifierConfig that verifies SETs from
// issuer for audience with the keys at jwksURL: "typ" secevent+jwt, no "exp"
// required but "iat" within DefaultMaxAge, "jti" and "events" required, and
// no cache of verified tokens (replays are the Receiver's to refuse).
func VerifierConfig(issuer string, audience []string, jwksURL string) token.VerifierConfig {
	return token.VerifierConfig{
		Issuer:         issuer,
		Audience:       audience,
		JWKSURL:        jwksURL,
		Types:          []string{token.TypeSecurityEvent},
		RequiredClaims: []string{"iat", "jti", "events"},
		ExpiryOptional: true,
		MaxAge:         DefaultMaxAge,
		CacheSize:      -1,
	}
}

// Receiver is the http.Handler of a push delivery endpoint (RFC 8935).
type Receiver struct {
	cfg Config
}

// NewReceiver validates cfg and returns a Receiver.
func NewReceiver(cfg Config) (*Receiver, error) {
	if cfg.Verifier == nil || cfg.Revoker == nil {
		return nil, errors.New("caep: Config.Verifier and Config.Revoker are required")
	}

	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}

	if cfg.CredentialTTL <= 0 {
		cfg.CredentialTTL = revoke.DefaultTTL
	}

	if cfg.MaxBodySize <= 0 {
		cfg.MaxBodySize = DefaultMaxBodySize
	}

	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	if cfg.Replay == nil {
		cfg.Replay = NewMemoryReplayStore()
	}

	return &Receiver{cfg: cfg}, nil
}

// ServeHTTP receives one SET: 202 Accepted when it was applied, 400 with an
// RFC 8935 error for a bad SET, 401 or 403 for an unauthorized transmitter,
// and 503 when the keys or the revocation store are unavailable (the
// transmitter should retry).
func (rx *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)

		return
	}

	if err := rx.receive(r); err != nil {
		rx.refuse(w, err)
		return
	}

	w.WriteHeader(http.StatusAccepted)
}

func (rx *Receiver) receive(r *http.Request) error {
	if err := rx.authorize(r); err != nil {
		return err
	}

	raw, err := rx.body(r)
	if err != nil {
		return err
	}

	p, err := rx.cfg.Verifier.Verify(r.Context(), raw)
	if err != nil {
		return verifyError(err)
	}

	set, err := parseSET(p.Claims)
	if err != nil {
		return err
	}

	return rx.apply(r.Context(), set)
}

func (rx *Receiver) authorize(r *http.Request) error {
	if rx.cfg.Authorize == nil {
		return nil
	}

	err := rx.cfg.Authorize(r)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, zt.ErrForbidden):
		return &Error{Code: CodeAccessDenied, Description: "transmitter not allowed", Err: err}
	default:
		return &Error{
			Code: CodeAuthenticationFailed, Description: "transmitter not authenticated", Err: err,
		}
	}
}

func (rx *Receiver) body(r *http.Request) (string, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/secevent+jwt" {
		return "", badRequest("content type must be application/secevent+jwt")
	}

	b, err := io.ReadAll(io.LimitReader(r.Body, rx.cfg.MaxBodySize+1))
	switch {
	case err != nil:
		return "", badRequest("body could not be read")
	case int64(len(b)) > rx.cfg.MaxBodySize:
		return "", badRequest("body too large")
	case len(b) == 0:
		return "", badRequest("empty body")
	}

	return string(b), nil
}

// apply refuses a replay, then applies every event of set.
func (rx *Receiver) apply(ctx context.Context, set *securityEvent) error {
	now := rx.cfg.Now()

	plan, err := rx.plan(set, now)
	if err != nil {
		return err
	}

	id := set.issuer + "\x00" + set.jti

	fresh, err := rx.cfg.Replay.Remember(ctx, id, rx.cfg.MaxAge+time.Minute)
	switch {
	case err != nil:
		return &Error{Description: "replay store unavailable", Err: err}
	case !fresh:
		return badRequest("duplicate jti: SET already received")
	}

	if err := rx.execute(ctx, plan); err != nil {
		if ferr := rx.cfg.Replay.Forget(ctx, id); ferr != nil {
			err = errors.Join(err, ferr)
		}

		return &Error{Description: "revocation store unavailable", Err: err}
	}

	rx.record(ctx, set, plan, now)

	return nil
}

// action is what one event asks for.
type action struct {
	event   string
	subject Subject
	revoke  []revoke.Entry
	risk    *RiskUpdate
}

func (rx *Receiver) execute(ctx context.Context, plan []action) error {
	var entries []revoke.Entry
	for _, a := range plan {
		entries = append(entries, a.revoke...)
	}

	if len(entries) > 0 {
		if err := rx.cfg.Revoker.Revoke(ctx, entries...); err != nil {
			return fmt.Errorf("caep: revoke: %w", err)
		}
	}

	for _, a := range plan {
		if a.risk == nil || rx.cfg.Risk == nil {
			continue
		}

		if err := rx.cfg.Risk.UpdateRisk(ctx, *a.risk); err != nil {
			return fmt.Errorf("caep: risk update: %w", err)
		}
	}

	return nil
}

func (rx *Receiver) record(ctx context.Context, set *securityEvent, plan []action, now time.Time) {
	if rx.cfg.Audit == nil {
		return
	}

	for _, a := range plan {
		e := audit.Event{
			ID: set.jti + "/" + shortName(a.event), Time: now, Kind: "revocation",
			Actor:  audit.Actor{User: a.subject.User, Session: a.subject.Session, Device: a.subject.Device},
			Action: "caep." + shortName(a.event), Decision: "allow",
			Reasons:    []string{"caep." + shortName(a.event)},
			Attributes: map[string]string{"transmitter": set.issuer, "set_jti": set.jti},
		}

		if err := rx.cfg.Audit.Emit(ctx, e); err != nil {
			rx.log("caep: audit event not recorded", err)
		}
	}
}

func (rx *Receiver) log(msg string, err error) {
	if rx.cfg.Logger != nil {
		rx.cfg.Logger.Warn(msg, slog.String("error", err.Error()))
	}
}
