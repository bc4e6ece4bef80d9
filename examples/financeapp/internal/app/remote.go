package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/pip"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/token"
)

// startWait bounds how long a service waits for the services it depends on
// (public's key set, the backend's policy information) at start.
const startWait = 30 * time.Second

// verifier returns the access-token verifier of a service: with the
// issuer's keys in the process that runs public, else the key set fetched
// from public, retried until public answers.
func (p *Platform) verifier(ctx context.Context) (*token.Verifier, error) {
	cfg := token.VerifierConfig{Issuer: p.PublicURL(), Audience: []string{Audience},
		Revocation: p.revoke}

	if p.issuer != nil {
		cfg.Keys = p.keys
		return token.NewVerifier(ctx, cfg)
	}

	pool := x509.NewCertPool()
	pool.AddCert(p.ca.Certificate())
	cfg.JWKSURL = p.PublicURL() + "/.well-known/jwks.json"
	cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}}}

	var (
		v   *token.Verifier
		err error
	)

	for deadline := time.Now().Add(startWait); ; time.Sleep(time.Second) {
		if v, err = token.NewVerifier(ctx, cfg); err == nil || time.Now().After(deadline) {
			break
		}
	}

	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}

	return v, nil
}

// startPolling keeps the engines of a process without the backend up to
// date: it polls the backend's PIP feed, once before serving and then every
// PollInterval, and applies role bindings, grants and revoked sessions.
//
// TODO(revoke): a revocation reaches other processes within one poll
// interval; zt/revoke's Redis fan-out would make it immediate.
func (p *Platform) startPolling(ctx context.Context) error {
	src, err := p.ca.Source(ServiceID(p.td, p.cfg.Only[0]))
	if err != nil {
		return fmt.Errorf("app: poll identity: %w", err)
	}

	client := mtls.NewClient(src, mtls.AuthorizeID(ServiceID(p.td, routes.Backend)))
	client.Timeout = 10 * time.Second
	poller := &poller{p: p, client: client, known: map[string]bool{}}

	for deadline := time.Now().Add(startWait); ; time.Sleep(time.Second) {
		if err = poller.poll(ctx); err == nil || time.Now().After(deadline) {
			break
		}
	}

	if err != nil {
		return err
	}

	ctx, p.stopPoll = context.WithCancel(context.Background())
	p.wg.Add(1)

	go func() {
		defer p.wg.Done()

		t := time.NewTicker(p.cfg.PollInterval)
		defer t.Stop()

		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := poller.poll(ctx); err != nil {
					p.cfg.Logger.Warn("policy information poll failed", "err", err)
				}
			}
		}
	}()

	return nil
}

type poller struct {
	p      *Platform
	client *http.Client
	known  map[string]bool
}

func (pl *poller) poll(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		pl.p.serviceURL(routes.Backend).JoinPath("/internal/v1/pip").String(), nil)
	if err != nil {
		return fmt.Errorf("app: poll: %w", err)
	}

	resp, err := pl.client.Do(req)
	if err != nil {
		return fmt.Errorf("app: poll: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("app: poll: backend answered %d", resp.StatusCode)
	}

	var snap pip.Snapshot
	if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil {
		return fmt.Errorf("app: poll: %w", err)
	}

	return pl.apply(ctx, snap)
}

func (pl *poller) apply(ctx context.Context, snap pip.Snapshot) error {
	seen := map[string]bool{}
	for id := range snap.Roles {
		seen[id] = true
	}

	for id := range pl.known {
		if !seen[id] {
			snap.Removed = append(snap.Removed, id)
		}
	}

	pl.known = seen

	var entries []revoke.Entry
	for sid, exp := range snap.Sessions {
		e := sessionEntry(sid)
		e.Expires = exp
		entries = append(entries, e)
	}

	if len(entries) > 0 {
		if err := pl.p.revoke.RevokeAll(entries); err != nil {
			return fmt.Errorf("app: poll: %w", err)
		}
	}

	for _, sink := range pl.p.sinks {
		if err := sink(ctx, snap); err != nil {
			return err
		}
	}

	return nil
}
