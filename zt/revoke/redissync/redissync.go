// Package redissync shares a revoke.List across the replicas of a service
// through Redis: a sorted set holds the durable revocations (scored by expiry)
// and a pub/sub channel fans each new revocation, and each lift, out at once.
//
// A Replicator that loses Redis keeps its List as it was and keeps enforcing
// it; when the connection comes back it subscribes again and reads the whole
// set (a full resync), so that revocations made while it was away take effect
// and those lifted while it was away are dropped.
//
//	list := revoke.NewList(revoke.Config{})
//	rep, err := redissync.New(redissync.Config{Client: rdb, List: list})
//	if err != nil {
//		return err
//	}
//	go rep.Run(ctx) // until ctx ends
//	// ...
//	err = rep.Revoke(ctx, revoke.Entry{Kind: revoke.Session, Value: sid})
//	// ... the quarantine is over:
//	_, err = rep.Lift(ctx, revoke.Workload, spiffeID)
package redissync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ztkit/ztkit/zt/revoke"
)

// DefaultPrefix names the Redis keys when Config.Prefix is empty: the set is
// "<prefix>:entries" and the channel "<prefix>:events".
const DefaultPrefix = "ztkit:revoke"

// Config configures a Replicator.
type Config struct {
	// Client reaches Redis. Required. The Replicator holds one pub/sub
	// connection of it for as long as Run runs.
	Client redis.UniversalClient

	// List is the local state that the Replicator keeps in step. Required.
	List *revoke.List

	// Prefix names the Redis keys; empty means DefaultPrefix. Replicas that
	// share revocations must share a prefix.
	Prefix string

	// HealthInterval is how often an idle subscription is pinged, which also
	// bounds how long a dead connection goes unnoticed. Zero means 2 seconds.
	HealthInterval time.Duration

	// ResyncInterval re-reads the whole set this often even when connected,
	// as a safety net. Zero means 5 minutes.
	ResyncInterval time.Duration

	// Logger receives connection losses and resyncs; nil logs nothing.
	Logger *slog.Logger
}

// Replicator keeps a revoke.List in step with Redis.
type Replicator struct {
	cfg     Config
	set     string
	channel string
	synced  atomic.Bool
	resyncs atomic.Uint64

	mu      sync.Mutex
	pending []revoke.Entry // revocations not yet stored in Redis
}

// New validates cfg and returns a Replicator. Call Run to start it.
func New(cfg Config) (*Replicator, error) {
	if cfg.Client == nil || cfg.List == nil {
		return nil, errors.New("redissync: Config.Client and Config.List are required")
	}

	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}

	if cfg.HealthInterval <= 0 {
		cfg.HealthInterval = 2 * time.Second
	}

	if cfg.ResyncInterval <= 0 {
		cfg.ResyncInterval = 5 * time.Minute
	}

	return &Replicator{
		cfg:     cfg,
		set:     cfg.Prefix + ":entries",
		channel: cfg.Prefix + ":events",
	}, nil
}

// Synced reports whether the Replicator is subscribed and has read the whole
// set since it last connected. While it is false the List still enforces the
// revocations it holds.
func (r *Replicator) Synced() bool {
	return r.synced.Load()
}

// Resyncs counts the full reads of the set.
func (r *Replicator) Resyncs() uint64 {
	return r.resyncs.Load()
}

// Revoke applies entries to the local List at once, then stores them in
// Redis and publishes them to the other replicas in one transaction. When
// Redis cannot be reached the entries are still enforced here, and the error
// (matching zt.ErrUnavailable) says that the other replicas have not got
// them: retry. The Replicator also stores them itself at its next resync, so
// that the resync does not take them for lifted.
func (r *Replicator) Revoke(ctx context.Context, entries ...revoke.Entry) error {
	if len(entries) == 0 {
		return nil
	}

	if err := r.cfg.List.RevokeAll(entries); err != nil {
		return fmt.Errorf("redissync: %w", err)
	}

	entries = withExpiry(entries, r.cfg.List)

	payload, err := json.Marshal(entries)
	if err != nil {
		return fmt.Errorf("redissync: %w", err)
	}

	_, err = r.cfg.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range entries {
			p.ZAddGT(ctx, r.set, redis.Z{Score: score(e, r.cfg.List), Member: member(e)})
		}

		p.ZRemRangeByScore(ctx, r.set, "-inf", strconv.FormatInt(time.Now().UnixMilli(), 10))
		p.Publish(ctx, r.channel, payload)

		return nil
	})
	if err != nil {
		r.remember(entries)

		return unavailable("store revocation", err)
	}

	return nil
}

// withExpiry fills the expiry that the List gave entries without one, so
// that every replica expires them at the same moment.
func withExpiry(entries []revoke.Entry, l *revoke.List) []revoke.Entry {
	out := make([]revoke.Entry, len(entries))
	for i, e := range entries {
		if got, ok := l.Revoked(e.Kind, e.Value); ok && e.Expires.IsZero() {
			e.Expires = got.Expires
		}

		out[i] = e
	}

	return out
}

func score(e revoke.Entry, l *revoke.List) float64 {
	if e.Expires.IsZero() {
		if got, ok := l.Revoked(e.Kind, e.Value); ok {
			e.Expires = got.Expires
		}
	}

	return float64(e.Expires.UnixMilli())
}

// member encodes an entry as "<kind>|<reason>|<issued-before>|<value>",
// issued-before in Unix nanoseconds or empty. The value comes last so that it
// may hold any byte, and "|" is removed from the reason.
func member(e revoke.Entry) string {
	ib := ""
	if !e.IssuedBefore.IsZero() {
		ib = strconv.FormatInt(e.IssuedBefore.UnixNano(), 10)
	}

	return e.Kind.String() + "|" + strings.ReplaceAll(e.Reason, "|", "_") + "|" + ib + "|" + e.Value
}

func parseMember(m string, expiresMs float64) (revoke.Entry, error) {
	parts := strings.SplitN(m, "|", 4)
	if len(parts) != 4 {
		return revoke.Entry{}, fmt.Errorf("redissync: malformed member %q", m)
	}

	k, err := revoke.ParseKind(parts[0])
	if err != nil {
		return revoke.Entry{}, fmt.Errorf("redissync: %w", err)
	}

	e := revoke.Entry{
		Kind: k, Reason: parts[1], Value: parts[3],
		Expires: time.UnixMilli(int64(expiresMs)),
	}

	if parts[2] != "" {
		ns, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil {
			return revoke.Entry{}, fmt.Errorf("redissync: malformed member %q", m)
		}

		e.IssuedBefore = time.Unix(0, ns)
	}

	return e, e.Validate()
}
