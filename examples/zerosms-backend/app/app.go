// Package app wires the ZeroSMS backend for a run next to the finance
// platform: its SPIFFE identity (spiffe://<td>/zerosms/backend) from the
// platform's dev CA, mTLS to the platform's backend, the platform's JWKS for
// users' tokens, the SQLite store, and the HTTPS listener devices call.
//
// In production the SVID comes from SPIRE's Workload API instead of the dev
// CA; everything else is the same.
package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/internal/seal"
	"github.com/ztkit/ztkit/examples/zerosms-backend/finance"
	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
	"github.com/ztkit/ztkit/examples/zerosms-backend/store"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
	"github.com/ztkit/ztkit/zt/token"
)

// PlatformAudience is the audience of the finance platform's access tokens.
const PlatformAudience = "financeapp"

// Config configures an App.
type Config struct {
	// DataDir holds the SQLite database; empty means "data/zerosms".
	DataDir string

	// SealKeyFile holds the key that seals the delegated platform sessions
	// in the database (created on first start, mode 0600); empty means
	// "seal.key" in DataDir. Keep it apart from the database's backups.
	SealKeyFile string

	// CADir holds the platform's dev CA (ca.pem, ca-key.pem); empty means
	// "data/ca", where `financeapp dev` keeps it.
	CADir string

	// TrustDomain is the SPIFFE trust domain; empty means "financeapp.test".
	TrustDomain string

	// PlatformURL is the platform's public URL; empty means
	// "https://127.0.0.1:8443".
	PlatformURL string

	// BackendAddr is the platform backend's address; empty means
	// "127.0.0.1:9441".
	BackendAddr string

	// Listen is where devices reach this backend; empty means
	// "127.0.0.1:8445". Port 0 picks a free port.
	Listen string

	// Wait bounds how long Start waits for the platform (its CA files and
	// JWKS); zero means 30 seconds.
	Wait time.Duration

	// DecisionTimeout bounds each policy decision; zero means pep's default.
	DecisionTimeout time.Duration

	// Logger receives service logs and the audit trail; nil discards them.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}

	def(&c.DataDir, filepath.Join("data", "zerosms"))
	def(&c.CADir, filepath.Join("data", "ca"))
	def(&c.TrustDomain, "financeapp.test")
	def(&c.PlatformURL, "https://127.0.0.1:8443")
	def(&c.BackendAddr, "127.0.0.1:9441")
	def(&c.Listen, "127.0.0.1:8445")

	if c.Wait == 0 {
		c.Wait = 30 * time.Second
	}

	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}

	return c
}

// App is a running ZeroSMS backend.
type App struct {
	cfg     Config
	ca      *devca.CA
	store   *store.Store
	audit   *audit.Pipeline
	server  *server.Server
	http    *http.Server
	l       net.Listener
	wg      sync.WaitGroup
	closers []func() error
}

// Start connects to the platform and starts serving devices over HTTPS.
func Start(ctx context.Context, cfg Config) (*App, error) {
	a := &App{cfg: cfg.withDefaults()}

	if err := a.start(ctx); err != nil {
		_ = a.Close(context.Background())
		return nil, err
	}

	return a, nil
}

func (a *App) start(ctx context.Context) error {
	td, err := spiffeid.TrustDomainFromString(a.cfg.TrustDomain)
	if err != nil {
		return fmt.Errorf("app: trust domain: %w", err)
	}

	if a.ca, err = a.loadCA(ctx, td); err != nil {
		return err
	}

	fc, err := a.financeClient(td)
	if err != nil {
		return err
	}

	users, err := a.userVerifier(ctx, fc.PublicHTTP)
	if err != nil {
		return err
	}

	if err := a.open(ctx); err != nil {
		return err
	}

	if err := a.listen(); err != nil {
		return err
	}

	if err := a.newServer(ctx, fc, users); err != nil {
		return err
	}

	return a.serve(td)
}

// loadCA waits for the platform to create its dev CA, then loads it.
func (a *App) loadCA(ctx context.Context, td spiffeid.TrustDomain) (*devca.CA, error) {
	deadline := time.Now().Add(a.cfg.Wait)

	for {
		ca, err := devca.Load(a.cfg.CADir, devca.Config{TrustDomain: td})
		if err == nil {
			return ca, nil
		}

		if !errors.Is(err, fs.ErrNotExist) || time.Now().After(deadline) {
			return nil, fmt.Errorf("app: dev CA in %s: %w", a.cfg.CADir, err)
		}

		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (a *App) financeClient(td spiffeid.TrustDomain) (*finance.Client, error) {
	pub, err := url.Parse(a.cfg.PlatformURL)
	if err != nil || pub.Scheme != "https" {
		return nil, fmt.Errorf("app: platform URL %q must be https", a.cfg.PlatformURL)
	}

	src, err := a.ca.Source(spiffeid.RequireFromPath(td, "/zerosms/backend"))
	if err != nil {
		return nil, fmt.Errorf("app: SVID: %w", err)
	}

	backend := mtls.NewClient(src,
		mtls.AuthorizeID(spiffeid.RequireFromPath(td, "/financeapp/backend")))
	backend.Timeout = 30 * time.Second

	pool := x509.NewCertPool()
	pool.AddCert(a.ca.Certificate())

	public := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}}}

	return &finance.Client{Public: pub, PublicHTTP: public,
		Backend: &url.URL{Scheme: "https", Host: a.cfg.BackendAddr}, BackendHTTP: backend}, nil
}

// userVerifier verifies the platform's access tokens against its JWKS,
// waiting for the platform to answer.
func (a *App) userVerifier(ctx context.Context, hc *http.Client) (*token.Verifier, error) {
	cfg := token.VerifierConfig{Issuer: a.cfg.PlatformURL, Audience: []string{PlatformAudience},
		JWKSURL: a.cfg.PlatformURL + "/.well-known/jwks.json", HTTPClient: hc}
	deadline := time.Now().Add(a.cfg.Wait)

	for {
		v, err := token.NewVerifier(ctx, cfg)
		if err == nil {
			return v, nil
		}

		if time.Now().After(deadline) {
			return nil, fmt.Errorf("app: platform JWKS: %w", err)
		}

		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func (a *App) open(ctx context.Context) error {
	if err := os.MkdirAll(a.cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("app: %w", err)
	}

	keyFile := a.cfg.SealKeyFile
	if keyFile == "" {
		keyFile = filepath.Join(a.cfg.DataDir, "seal.key")
	}

	sealer, err := seal.FromKeyFile(keyFile)
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}

	st, err := store.Open(ctx, filepath.Join(a.cfg.DataDir, "zerosms.db"), sealer)
	if err != nil {
		return err
	}

	a.store = st
	a.closers = append(a.closers, st.Close)

	a.audit, err = audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{
		{Name: "log", Sink: audit.NewSlogSink(a.cfg.Logger)}}, Logger: a.cfg.Logger})
	if err != nil {
		return fmt.Errorf("app: audit: %w", err)
	}

	return nil
}

func (a *App) listen() error {
	l, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("app: listen: %w", err)
	}

	a.l = l

	return nil
}

// URL is the base URL devices call.
func (a *App) URL() string { return "https://" + a.l.Addr().String() }

// CA returns the dev CA whose certificate devices trust.
func (a *App) CA() *devca.CA { return a.ca }

func (a *App) newServer(ctx context.Context, fc *finance.Client, users *token.Verifier) error {
	key, err := token.GenerateKey("ES256")
	if err != nil {
		return fmt.Errorf("app: token key: %w", err)
	}

	iss := a.URL()

	issuer, err := token.NewIssuer(token.IssuerConfig{Issuer: iss,
		Audience: []string{server.Audience}, Key: key, TTL: server.DefaultDeviceTokenTTL})
	if err != nil {
		return fmt.Errorf("app: issuer: %w", err)
	}

	a.server, err = server.New(ctx, server.Config{Store: a.store, Users: users, Finance: fc,
		Issuer: issuer, IssuerName: iss, Audit: a.audit, Logger: a.cfg.Logger,
		DecisionTimeout: a.cfg.DecisionTimeout})

	return err
}

// serve answers devices over TLS 1.3 with a certificate from the dev CA for
// the loopback names.
func (a *App) serve(td spiffeid.TrustDomain) error {
	cert, err := edgeCertificate(a.ca, td)
	if err != nil {
		return err
	}

	a.http = &http.Server{Handler: a.server, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, MaxHeaderBytes: 32 << 10,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert},
			MinVersion: tls.VersionTLS13}}

	a.wg.Add(1)

	go func() {
		defer a.wg.Done()

		if err := a.http.ServeTLS(a.l, "", ""); err != nil && err != http.ErrServerClosed {
			a.cfg.Logger.Error("zerosms backend stopped", "err", err)
		}
	}()

	return nil
}

func edgeCertificate(ca *devca.CA, td spiffeid.TrustDomain) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("app: key: %w", err)
	}

	tmpl := ca.LeafTemplate(spiffeid.RequireFromPath(td, "/zerosms/backend"), 30*24*time.Hour)
	if tmpl.SerialNumber, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127)); err != nil {
		return tls.Certificate{}, fmt.Errorf("app: serial: %w", err)
	}

	tmpl.DNSNames = []string{"localhost"}
	tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}

	c, err := ca.SignCertificate(tmpl, key.Public())
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("app: certificate: %w", err)
	}

	return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: key, Leaf: c}, nil
}

// Close stops serving and closes the store.
func (a *App) Close(ctx context.Context) error {
	var errs []error

	if a.http != nil {
		errs = append(errs, a.http.Shutdown(ctx))
	} else if a.l != nil {
		_ = a.l.Close()
	}

	a.wg.Wait()

	if a.audit != nil {
		errs = append(errs, a.audit.Close(ctx))
	}

	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}

	return errors.Join(errs...)
}
