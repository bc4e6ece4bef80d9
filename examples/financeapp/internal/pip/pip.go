// Package pip computes the policy information the finance platform's
// policies decide on (live role bindings, users with TOTP, active sharing
// grants) from the database, and pushes it to every policy engine after each
// change, so that a removed role or a revoked grant stops working on the next
// request.
package pip

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// Snapshot is one version of the policy information.
type Snapshot struct {
	// Sessions lists the IDs of sessions revoked before their expiry, with
	// their expiry; only Feed fills it.
	Sessions map[string]time.Time `json:"sessions,omitempty"`

	// Roles binds every known user to their roles: exactly one for an active
	// user, none for a pending or rejected one.
	Roles map[string][]string `json:"roles"`

	// TOTP lists the users with TOTP enabled.
	TOTP map[string]bool `json:"totp"`

	// Grants lists each auditor's active grants, as the filter policy reads
	// them (data.ztkit.pip.facts.grants).
	Grants map[string][]map[string]any `json:"grants"`

	// Removed lists users that were deleted since the previous snapshot, so
	// that sinks can unbind them.
	Removed []string `json:"-"`
}

// Sink receives every new snapshot, for example a policy engine's PIP.
type Sink func(ctx context.Context, s Snapshot) error

// Publisher builds snapshots from the store and pushes them to its sinks.
// It is safe for concurrent use; pushes are serialized so that sinks see
// snapshots in order.
type Publisher struct {
	store *store.Store
	now   func() time.Time

	mu    sync.Mutex
	sinks []Sink
	known map[string]bool
}

// NewPublisher returns a Publisher over st.
func NewPublisher(st *store.Store) *Publisher {
	return &Publisher{store: st, now: time.Now, known: map[string]bool{}}
}

// Subscribe adds a sink; it receives the next published snapshot.
func (p *Publisher) Subscribe(s Sink) {
	p.mu.Lock()
	defer p.mu.Unlock()

	p.sinks = append(p.sinks, s)
}

// Publish builds a snapshot and pushes it to every sink. An error means some
// engine may still decide on old data: the caller must fail the request.
func (p *Publisher) Publish(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()

	snap, err := p.build(ctx)
	if err != nil {
		return err
	}

	var errs []error
	for _, s := range p.sinks {
		errs = append(errs, s(ctx, snap))
	}

	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pip: publish: %w", err)
	}

	return nil
}

// Snapshot builds the current snapshot, for services in other processes.
// Its Removed is empty: a remote consumer tracks removals itself.
func (p *Publisher) Snapshot(ctx context.Context) (Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()

	known := p.known
	snap, err := p.build(ctx)
	p.known = known
	snap.Removed = nil

	return snap, err
}

func (p *Publisher) build(ctx context.Context) (Snapshot, error) {
	users, err := p.store.Users(ctx, store.UserFilter{})
	if err != nil {
		return Snapshot{}, fmt.Errorf("pip: users: %w", err)
	}

	grants, err := p.store.Grants(ctx, store.GrantFilter{})
	if err != nil {
		return Snapshot{}, fmt.Errorf("pip: grants: %w", err)
	}

	snap := Snapshot{Roles: map[string][]string{}, TOTP: map[string]bool{},
		Grants: map[string][]map[string]any{}}
	seen := map[string]bool{}

	for _, u := range users {
		seen[u.ID] = true
		snap.Roles[u.ID] = []string{}

		if u.Status == domain.StatusActive {
			snap.Roles[u.ID] = []string{string(u.Role)}
		}

		if u.TOTPEnabled {
			snap.TOTP[u.ID] = true
		}
	}

	for id := range p.known {
		if !seen[id] {
			snap.Removed = append(snap.Removed, id)
		}
	}

	p.known = seen
	now := p.now()

	for _, g := range grants {
		if g.Active(now) {
			snap.Grants[g.AuditorID] = append(snap.Grants[g.AuditorID], grantFact(g))
		}
	}

	return snap, nil
}

func grantFact(g domain.Grant) map[string]any {
	cats := make([]any, len(g.Categories))
	for i, c := range g.Categories {
		cats[i] = string(c)
	}

	return map[string]any{
		"id": g.ID, "owner": g.OwnerID, "scope": string(g.Scope),
		"date_from": g.DateFrom, "date_to": g.DateTo, "categories": cats,
		"expires_ns": g.ExpiresAt.UnixNano(),
	}
}
