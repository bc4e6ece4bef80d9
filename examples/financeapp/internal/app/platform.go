// Package app wires the finance platform's services together on the ztkit
// SDK: SPIFFE identities from a dev CA, mTLS between services, an embedded
// OPA engine per service with live PIP data, the ztkit middleware in front
// of every route, revocation and the audit pipeline. Start runs all five
// services in one process on loopback, as `financeapp dev` does.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/financeapp/internal/password"
	"github.com/ztkit/ztkit/examples/financeapp/internal/pip"
	"github.com/ztkit/ztkit/examples/financeapp/internal/public"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/examples/internal/seal"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/sqlsink"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/mtls/devca"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/revoke/redissync"
	"github.com/ztkit/ztkit/zt/token"
)

// Audience is the audience of the platform's access tokens.
const Audience = "financeapp"

// Config configures a Platform. The zero value, after defaults, runs on
// loopback with SQLite in ./data.
type Config struct {
	// DataDir holds the SQLite database, the dev CA and the audit log.
	// Empty means "data".
	DataDir string

	// TrustDomain is the SPIFFE trust domain; empty means "financeapp.test".
	TrustDomain string

	// Dialect and DSN select the database; an empty DSN means SQLite in
	// DataDir/financeapp.db.
	Dialect store.Dialect
	DSN     string

	// SealKeyFile holds the key that seals the TOTP secrets in the database
	// (created on first start, mode 0600); empty means DataDir/seal.key.
	// Keep it out of the database's backups.
	SealKeyFile string

	// PublicAddr is where the public service listens; empty means
	// "127.0.0.1:8443". The other services listen on random loopback ports
	// unless Addrs names one.
	PublicAddr string
	Addrs      map[routes.Service]string

	// PublicHosts are the names in the public certificate; nil means
	// localhost, 127.0.0.1 and ::1.
	PublicHosts []string

	// Password is the argon2id cost; zero means password.Default.
	Password password.Params

	// LoginBurst is the per-address burst of sign-in attempts; zero means
	// the public package's default.
	LoginBurst int

	// Only lists the services this process runs; empty means all five.
	// Services in other processes are reached at Addrs (and PublicAddr); the
	// backend's policy information is polled from it every PollInterval.
	Only []routes.Service

	// DecisionTimeout bounds each policy decision; a slower one is a deny.
	// Zero means the pep default (100 ms).
	DecisionTimeout time.Duration

	// RedisAddr, when set, shares revocations between processes through
	// Redis (zt/revoke/redissync), so that a revoked session is refused at
	// once by every service, not at the next poll.
	RedisAddr string

	// Detect sets the detectors' thresholds (brute force, denial bursts,
	// enumeration, new sources); its zero value means zt/detect's
	// defaults. Its Handler is always the platform's Responder.
	Detect detect.MonitorConfig

	// PollInterval is how often a process without the backend polls its
	// policy information; zero means one second.
	PollInterval time.Duration

	// Logger receives service logs and, at Info, the audit trail. Nil
	// discards them.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = "data"
	}

	if c.TrustDomain == "" {
		c.TrustDomain = "financeapp.test"
	}

	if c.Dialect == "" {
		c.Dialect = store.SQLite
	}

	if c.DSN == "" && c.Dialect == store.SQLite {
		c.DSN = filepath.Join(c.DataDir, "financeapp.db")
	}

	if c.SealKeyFile == "" {
		c.SealKeyFile = filepath.Join(c.DataDir, "seal.key")
	}

	if c.PublicAddr == "" {
		c.PublicAddr = "127.0.0.1:8443"
	}

	if c.PublicHosts == nil {
		c.PublicHosts = []string{"localhost", "127.0.0.1", "::1"}
	}

	if len(c.Only) == 0 {
		c.Only = routes.Services
	}

	if c.PollInterval == 0 {
		c.PollInterval = time.Second
	}

	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}

	return c
}

// Platform is the running set of services.
type Platform struct {
	cfg    Config
	td     spiffeid.TrustDomain
	ca     *devca.CA
	store  *store.Store
	revoke *revoke.List
	rep    *redissync.Replicator
	pip    *pip.Publisher
	issuer *token.Issuer
	keys   jwk.Set
	audit  *audit.Pipeline
	emit   audit.Emitter
	edge   *public.Service
	risk   *detect.RiskStore
	alerts detect.Store

	responder *detect.Responder

	listeners  map[routes.Service]net.Listener
	sinks      []pip.Sink
	stopPoll   context.CancelFunc
	stopRedis  context.CancelFunc
	stopDetect context.CancelFunc
	servers    []*http.Server
	closers    []func() error
	wg         sync.WaitGroup
}

// Start opens the store, issues identities and starts every service. Close
// stops them.
func Start(ctx context.Context, cfg Config) (*Platform, error) {
	p := &Platform{cfg: cfg.withDefaults(), listeners: map[routes.Service]net.Listener{}}

	if err := p.start(ctx); err != nil {
		_ = p.Close(context.Background())
		return nil, err
	}

	return p, nil
}

func (p *Platform) start(ctx context.Context) error {
	if err := p.listen(); err != nil {
		return err
	}

	if err := p.open(ctx); err != nil {
		return err
	}

	for _, s := range routes.Services {
		if !p.runs(s) {
			continue
		}

		if err := p.startService(ctx, s); err != nil {
			return fmt.Errorf("app: %s: %w", s, err)
		}
	}

	if p.pip != nil {
		return p.pip.Publish(ctx)
	}

	return p.startPolling(ctx)
}

// runs reports whether this process runs service s.
func (p *Platform) runs(s routes.Service) bool {
	return slices.Contains(p.cfg.Only, s)
}

func (p *Platform) open(ctx context.Context) error {
	var err error

	if err = ensureDir(p.cfg.DataDir); err != nil {
		return err
	}

	if p.td, err = spiffeid.TrustDomainFromString(p.cfg.TrustDomain); err != nil {
		return fmt.Errorf("app: trust domain: %w", err)
	}

	if p.ca, err = LoadOrCreateCA(filepath.Join(p.cfg.DataDir, "ca"), p.td); err != nil {
		return err
	}

	p.revoke = revoke.NewList(revoke.Config{DefaultTTL: 24 * time.Hour})

	if err := p.openRedis(ctx); err != nil {
		return err
	}

	if p.runs(routes.Backend) {
		if p.store, err = store.Open(ctx, p.cfg.Dialect, p.cfg.DSN); err != nil {
			return err
		}

		sealer, err := seal.FromKeyFile(p.cfg.SealKeyFile)
		if err != nil {
			_ = p.store.Close()
			return fmt.Errorf("app: %w", err)
		}

		p.store.SealSecrets(sealer)

		p.closers = append(p.closers, p.store.Close)
		p.pip = pip.NewPublisher(p.store)
	}

	if err := p.openAudit(ctx); err != nil {
		return err
	}

	if !p.runs(routes.Public) {
		return nil
	}

	return p.openIssuer()
}

func (p *Platform) openAudit(ctx context.Context) error {
	f, err := os.OpenFile(filepath.Join(p.cfg.DataDir, "audit.log"),
		os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("app: audit log: %w", err)
	}

	p.closers = append(p.closers, f.Close)
	logger := slog.New(slog.NewJSONHandler(f, nil))

	sinks := []audit.SinkConfig{{Name: "file", Sink: audit.NewSlogSink(logger)}}

	// The admin's audit trail reads the database; processes without the
	// backend keep the file only.
	// TODO(audit): ship front services' events to the backend's table; each
	// process keeps its own hash-chained trail meanwhile.
	if p.store != nil {
		sink, err := p.sqlSink(ctx)
		if err != nil {
			return err
		}

		sinks = append(sinks, audit.SinkConfig{Name: "sql", Sink: sink})
	}

	trail, err := p.openTrail(ctx)
	if err != nil {
		return err
	}

	sinks = append(sinks, trail)

	detector, err := p.openDetect(ctx)
	if err != nil {
		return err
	}

	sinks = append(sinks, detector)

	pipe, err := audit.NewPipeline(audit.Config{Sinks: sinks, Logger: p.cfg.Logger})
	if err != nil {
		return fmt.Errorf("app: audit: %w", err)
	}

	p.audit = pipe
	p.emit = withID(pipe)

	return nil
}

func (p *Platform) sqlSink(ctx context.Context) (*sqlsink.Sink, error) {
	sink, err := sqlsink.New(sqlsink.Config{DB: p.store.DB(), Dialect: p.sqlDialect(),
		Table: store.AuditTable})
	if err != nil {
		return nil, fmt.Errorf("app: audit: %w", err)
	}

	if err := sink.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("app: audit: %w", err)
	}

	return sink, nil
}

// sqlDialect names the dialect of the platform's database for the SDK's SQL
// packages (zt/audit/sqlsink and zt/detect/sqlstore share it).
func (p *Platform) sqlDialect() sqlsink.Dialect {
	if p.store.Dialect() == store.Postgres {
		return sqlsink.Postgres
	}

	return sqlsink.SQLite
}

// withID gives every event an ID before it enters the pipeline: the
// middleware's refusals before a decision carry none, and the SQL sink keys
// events by ID.
func withID(next audit.Emitter) audit.Emitter {
	return audit.EmitterFunc(func(ctx context.Context, e audit.Event) error {
		if e.ID == "" {
			e.ID = store.NewID()
		}

		return next.Emit(ctx, e)
	})
}

func (p *Platform) openIssuer() error {
	key, err := token.GenerateKey("ES256")
	if err != nil {
		return fmt.Errorf("app: signing key: %w", err)
	}

	p.issuer, err = token.NewIssuer(token.IssuerConfig{
		Issuer: p.PublicURL(), Audience: []string{Audience}, Key: key,
	})
	if err != nil {
		return fmt.Errorf("app: issuer: %w", err)
	}

	p.keys, err = p.issuer.PublicKeys()
	if err != nil {
		return fmt.Errorf("app: issuer keys: %w", err)
	}

	return nil
}

func (p *Platform) listen() error {
	for _, s := range p.cfg.Only {
		addr := p.cfg.Addrs[s]
		if s == routes.Public {
			addr = p.cfg.PublicAddr
		}

		if addr == "" {
			addr = "127.0.0.1:0"
		}

		l, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("app: %s: listen: %w", s, err)
		}

		p.listeners[s] = l
	}

	return nil
}

// PublicURL is the base URL of the public service.
func (p *Platform) PublicURL() string {
	addr := p.cfg.PublicAddr
	if l := p.listeners[routes.Public]; l != nil {
		addr = l.Addr().String()
	}

	return "https://" + addr
}

// Addr returns the address a service listens on.
func (p *Platform) Addr(s routes.Service) string {
	if l := p.listeners[s]; l != nil {
		return l.Addr().String()
	}

	if s == routes.Public {
		return p.cfg.PublicAddr
	}

	return p.cfg.Addrs[s]
}

// Store returns the platform's database.
func (p *Platform) Store() *store.Store { return p.store }

// CA returns the dev CA that issued every identity.
func (p *Platform) CA() *devca.CA { return p.ca }

// TrustDomain returns the platform's SPIFFE trust domain.
func (p *Platform) TrustDomain() spiffeid.TrustDomain { return p.td }

// Publish pushes the current role bindings and grants to every engine.
func (p *Platform) Publish(ctx context.Context) error { return p.pip.Publish(ctx) }

// Close stops every service and closes the store.
func (p *Platform) Close(ctx context.Context) error {
	var errs []error

	for _, stop := range []context.CancelFunc{p.stopPoll, p.stopRedis, p.stopDetect} {
		if stop != nil {
			stop()
		}
	}

	for _, srv := range p.servers {
		errs = append(errs, srv.Shutdown(ctx))
	}

	for _, l := range p.listeners {
		_ = l.Close()
	}

	p.wg.Wait()

	if p.audit != nil {
		errs = append(errs, p.audit.Close(ctx))
	}

	for i := len(p.closers) - 1; i >= 0; i-- {
		errs = append(errs, p.closers[i]())
	}

	return errors.Join(errs...)
}
