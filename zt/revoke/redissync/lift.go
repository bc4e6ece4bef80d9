package redissync

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/revoke"
)

// liftMessage is the pub/sub payload of a lift. A revocation is a JSON
// array, a lift a JSON object, so that the two cannot be mistaken.
type liftMessage struct {
	Lift []target `json:"lift"`
}

// target names one revoked value, whatever its expiry or reason.
type target struct {
	Kind  revoke.Kind `json:"kind"`
	Value string      `json:"value"`
}

// Lift withdraws the revocation of value of the given kind on every replica:
// at once in the local List, then in Redis, where it removes the durable
// entries and publishes the lift in one transaction. A replica that misses
// the message drops the entry at its next resync. It reports whether the
// local List held the entry.
//
// When Redis cannot be reached the error matches zt.ErrUnavailable: the lift
// holds here only until the next resync restores the entry from Redis (a
// failed lift errs on the side of refusing). Retry.
func (r *Replicator) Lift(ctx context.Context, k revoke.Kind, value string) (bool, error) {
	lifted, err := r.cfg.List.Lift(k, value)
	if err != nil {
		return false, fmt.Errorf("redissync: %w", err)
	}

	// A revocation still waiting to be stored must not come back with the
	// next resync.
	r.forgetPending(k, value)

	members, err := r.membersOf(ctx, k, value)
	if err != nil {
		return lifted, unavailable("lift", err)
	}

	payload, err := json.Marshal(liftMessage{Lift: []target{{Kind: k, Value: value}}})
	if err != nil {
		return lifted, fmt.Errorf("redissync: %w", err)
	}

	_, err = r.cfg.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if len(members) > 0 {
			p.ZRem(ctx, r.set, members...)
		}

		p.Publish(ctx, r.channel, payload)

		return nil
	})
	if err != nil {
		return lifted, unavailable("lift", err)
	}

	return lifted, nil
}

func unavailable(what string, err error) error {
	return zt.NewError(zt.ErrUnavailable, "", "revoke.unavailable",
		fmt.Errorf("redissync: %s: %w", what, err))
}

// membersOf returns the members of the set that revoke value of kind k. The
// scan narrows by pattern; parsing the member confirms the match, since a
// value may itself hold "|" or glob characters.
func (r *Replicator) membersOf(ctx context.Context, k revoke.Kind, value string) ([]any, error) {
	pattern := k.String() + "|*|*|" + globEscaper.Replace(value)
	iter := r.cfg.Client.ZScan(ctx, r.set, 0, pattern, 1000).Iterator()

	var out []any
	for iter.Next(ctx) {
		m := iter.Val()
		if !iter.Next(ctx) {
			break
		}

		if e, err := parseMember(m, 0); err == nil && e.Kind == k && e.Value == value {
			out = append(out, m)
		}
	}

	return out, iter.Err()
}

var globEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)

// handleLift applies a lift published by a replica.
func (r *Replicator) handleLift(payload string) {
	var m liftMessage
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		r.log(slog.LevelError, "redissync: malformed lift ignored", err)
		return
	}

	for _, t := range m.Lift {
		if _, err := r.cfg.List.Lift(t.Kind, t.Value); err != nil {
			r.log(slog.LevelError, "redissync: invalid lift ignored", err)
		}
	}
}

// prune lifts the entries of before that the set no longer holds: lifted
// (or expired) while this replica was not listening.
func (r *Replicator) prune(before, held []revoke.Entry) {
	present := make(map[target]struct{}, len(held))
	for _, e := range held {
		present[target{e.Kind, e.Value}] = struct{}{}
	}

	for _, e := range before {
		if _, ok := present[target{e.Kind, e.Value}]; !ok {
			_, _ = r.cfg.List.Lift(e.Kind, e.Value)
		}
	}
}

// flushPending stores the revocations that Revoke could not store, so that
// a resync does not mistake them for lifted ones.
func (r *Replicator) flushPending(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()

	if len(r.pending) == 0 {
		return nil
	}

	_, err := r.cfg.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range r.pending {
			p.ZAddGT(ctx, r.set, redis.Z{Score: float64(e.Expires.UnixMilli()), Member: member(e)})
		}

		return nil
	})
	if err != nil {
		return fmt.Errorf("redissync: store pending revocations: %w", err)
	}

	r.pending = nil

	return nil
}

// remember keeps entries that Revoke could not store, dropping expired ones.
func (r *Replicator) remember(entries []revoke.Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()

	now := time.Now()
	kept := r.pending[:0]

	for _, e := range append(r.pending, entries...) {
		if e.Expires.After(now) {
			kept = append(kept, e)
		}
	}

	r.pending = kept
}

// forgetPending drops the waiting revocations of value of kind k.
func (r *Replicator) forgetPending(k revoke.Kind, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()

	kept := r.pending[:0]

	for _, e := range r.pending {
		if e.Kind != k || e.Value != value {
			kept = append(kept, e)
		}
	}

	r.pending = kept
}
