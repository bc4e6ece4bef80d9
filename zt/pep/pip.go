package pep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/ztkit/ztkit/zt"
)

// PIPPath is where the PIP data lives in the policy's data document:
// data.ztkit.pip.role_bindings, .grants, .facts and .version.
const PIPPath = "/ztkit/pip"

// Grant lets a subject perform an action on resources of one type, either
// one resource (ResourceID) or all resources of one owner (Owner). Policies
// read grants under data.ztkit.pip.grants[subject].
type Grant struct {
	// Subject is the user ID that receives the grant.
	Subject string `json:"-"`
	// Action is the granted action, for example "transactions.read".
	Action string `json:"action"`
	// ResourceType is the type of the resources covered.
	ResourceType string `json:"resource_type"`
	// ResourceID names one resource; empty means every resource of Owner.
	ResourceID string `json:"resource_id,omitempty"`
	// Owner names the owner whose resources are covered.
	Owner string `json:"owner,omitempty"`
}

// pipData is one immutable version of the PIP data.
type pipData struct {
	version uint64
	roles   map[string][]string
	grants  map[string][]Grant
	facts   map[string]any
}

// rolesOf returns the live roles bound to p's user, and whether there is a
// binding at all; without one, the token's roles apply.
func (d *pipData) rolesOf(p *zt.Principal) ([]string, bool) {
	if p == nil || p.User == nil {
		return nil, false
	}
	roles, ok := d.roles[p.User.ID]
	return roles, ok
}

func (d *pipData) document() map[string]any {
	bindings := make(map[string]any, len(d.roles))
	for user, roles := range d.roles {
		bindings[user] = anySlice(roles)
	}
	grants := make(map[string]any, len(d.grants))
	for subject, gs := range d.grants {
		list := make([]any, len(gs))
		for i, g := range gs {
			list[i] = grantDoc(g)
		}
		grants[subject] = list
	}
	facts := maps.Clone(d.facts)
	if facts == nil {
		facts = map[string]any{}
	}
	return map[string]any{
		"version":       json.Number(strconv.FormatUint(d.version, 10)),
		"role_bindings": bindings,
		"grants":        grants,
		"facts":         facts,
	}
}

func grantDoc(g Grant) map[string]any {
	m := map[string]any{"action": g.Action, "resource_type": g.ResourceType}
	if g.ResourceID != "" {
		m["resource_id"] = g.ResourceID
	}
	if g.Owner != "" {
		m["owner"] = g.Owner
	}
	return m
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// writePIP replaces the PIP document in store within one transaction.
func writePIP(ctx context.Context, store storage.Store, d *pipData) error {
	return storage.Txn(ctx, store, storage.WriteParams, func(txn storage.Transaction) error {
		if err := storage.MakeDir(ctx, store, txn, storage.MustParsePath("/ztkit")); err != nil {
			return err
		}
		return store.Write(ctx, txn, storage.AddOp, storage.MustParsePath(PIPPath), d.document())
	})
}

// Tx is a set of PIP changes applied together by Engine.Update.
type Tx struct {
	d   *pipData
	err error
}

// SetRoles binds user to exactly roles. A bound user's roles replace the
// roles its token claims, so an empty list removes every role.
func (tx *Tx) SetRoles(user string, roles ...string) {
	tx.d.roles[user] = slices.Clone(roles)
}

// Unbind removes user's role binding, so its token's roles apply again.
func (tx *Tx) Unbind(user string) {
	delete(tx.d.roles, user)
}

// AddGrant adds g, unless an equal grant exists.
func (tx *Tx) AddGrant(g Grant) {
	if g.Subject == "" || g.Action == "" {
		tx.err = errors.Join(tx.err, fmt.Errorf("pep: grant needs a subject and an action"))
		return
	}
	if !slices.Contains(tx.d.grants[g.Subject], g) {
		tx.d.grants[g.Subject] = append(slices.Clone(tx.d.grants[g.Subject]), g)
	}
}

// RemoveGrant removes every grant equal to g.
func (tx *Tx) RemoveGrant(g Grant) {
	gs := slices.DeleteFunc(slices.Clone(tx.d.grants[g.Subject]),
		func(x Grant) bool { return x == g })
	if len(gs) == 0 {
		delete(tx.d.grants, g.Subject)
		return
	}
	tx.d.grants[g.Subject] = gs
}

// SetFact stores a JSON-compatible value under data.ztkit.pip.facts[name].
func (tx *Tx) SetFact(name string, value any) {
	if err := util.RoundTrip(&value); err != nil {
		tx.err = errors.Join(tx.err, fmt.Errorf("pep: fact %q is not JSON: %w", name, err))
		return
	}
	tx.d.facts[name] = value
}

// DeleteFact removes the fact name.
func (tx *Tx) DeleteFact(name string) {
	delete(tx.d.facts, name)
}

// Update applies the changes fn makes to the PIP data in one transaction and
// returns the new data version. Decisions made after Update returns see the
// new data; none sees part of it. If fn returns an error, nothing changes.
func (e *Engine) Update(ctx context.Context, fn func(tx *Tx) error) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()

	st := e.cur.Load()
	old := st.pip
	tx := &Tx{d: &pipData{
		version: old.version + 1,
		roles:   maps.Clone(old.roles),
		grants:  maps.Clone(old.grants),
		facts:   maps.Clone(old.facts),
	}}
	if tx.d.roles == nil {
		tx.d.roles = map[string][]string{}
	}
	if tx.d.grants == nil {
		tx.d.grants = map[string][]Grant{}
	}
	if tx.d.facts == nil {
		tx.d.facts = map[string]any{}
	}
	if err := errors.Join(fn(tx), tx.err); err != nil {
		return old.version, fmt.Errorf("pep: update: %w", err)
	}

	if err := writePIP(ctx, st.store, tx.d); err != nil {
		return old.version, fmt.Errorf("pep: update: %w", err)
	}
	e.cur.Store(e.withPIP(st, tx.d))
	return tx.d.version, nil
}
