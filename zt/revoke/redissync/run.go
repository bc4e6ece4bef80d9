package redissync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ztkit/ztkit/zt/revoke"
)

// Run subscribes to the channel, reads the whole set, then applies every
// revocation published, until ctx ends. When the connection fails it marks
// the Replicator unsynced, waits (100 ms doubling to 5 s) and starts again
// with a full resync. It also sweeps expired entries from the List. Run
// returns ctx's cause.
func (r *Replicator) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond

	for ctx.Err() == nil {
		started := time.Now()
		err := r.session(ctx)
		r.synced.Store(false)

		if ctx.Err() != nil {
			break
		}

		r.log(slog.LevelWarn, "redissync: connection to Redis lost; enforcing last state", err)

		if time.Since(started) > 10*time.Second {
			backoff = 100 * time.Millisecond
		}

		select {
		case <-time.After(backoff):
		case <-ctx.Done():
		}

		backoff = min(2*backoff, 5*time.Second)
	}

	return context.Cause(ctx)
}

// session runs one subscription until it fails.
func (r *Replicator) session(ctx context.Context) error {
	ps := r.cfg.Client.Subscribe(ctx, r.channel)
	defer ps.Close()

	// Closing the subscription unblocks a pending receive when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()

	// The confirmation proves the subscription is live before the set is
	// read, so no revocation falls between the two.
	if _, err := ps.ReceiveTimeout(ctx, r.cfg.HealthInterval); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}

	if err := r.Resync(ctx); err != nil {
		return err
	}

	r.synced.Store(true)
	r.log(slog.LevelInfo, "redissync: synced with Redis", nil)

	return r.consume(ctx, ps)
}

func (r *Replicator) consume(ctx context.Context, ps *redis.PubSub) error {
	lastResync := time.Now()

	for {
		msg, err := ps.ReceiveTimeout(ctx, r.cfg.HealthInterval)

		switch {
		case isTimeout(err):
			if err := ps.Ping(ctx); err != nil {
				return fmt.Errorf("ping: %w", err)
			}
		case err != nil:
			return fmt.Errorf("receive: %w", err)
		default:
			r.handle(msg)
		}

		if time.Since(lastResync) >= r.cfg.ResyncInterval {
			if err := r.Resync(ctx); err != nil {
				return err
			}

			lastResync = time.Now()
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error

	return errors.As(err, &ne) && ne.Timeout()
}

func (r *Replicator) handle(msg any) {
	m, ok := msg.(*redis.Message)
	if !ok {
		return // subscription confirmations and pongs
	}

	if strings.HasPrefix(m.Payload, "{") {
		r.handleLift(m.Payload)
		return
	}

	var entries []revoke.Entry
	if err := json.Unmarshal([]byte(m.Payload), &entries); err != nil {
		r.log(slog.LevelError, "redissync: malformed message ignored", err)
		return
	}

	if err := r.cfg.List.RevokeAll(entries); err != nil {
		r.log(slog.LevelError, "redissync: invalid entries ignored", err)
	}
}

// Resync makes the List hold what the set holds: it first stores the
// revocations that Revoke could not store, then reads the whole set, applies
// it, lifts the entries held before the read that the set no longer has
// (lifted while this replica was not listening), and sweeps expired entries.
//
// An entry revoked here while the set is read may be lifted by the resync
// when it reaches Redis after the read; the replica's own pub/sub message,
// which follows the write, applies it again.
func (r *Replicator) Resync(ctx context.Context) error {
	if err := r.flushPending(ctx); err != nil {
		return fmt.Errorf("redissync: resync: %w", err)
	}

	before := r.cfg.List.Entries()

	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	if err := r.cfg.Client.ZRemRangeByScore(ctx, r.set, "-inf", now).Err(); err != nil {
		return fmt.Errorf("redissync: resync: %w", err)
	}

	var entries []revoke.Entry
	iter := r.cfg.Client.ZScan(ctx, r.set, 0, "", 1000).Iterator()

	for iter.Next(ctx) {
		m := iter.Val()
		if !iter.Next(ctx) {
			break
		}

		s, err := strconv.ParseFloat(iter.Val(), 64)
		if err != nil {
			return fmt.Errorf("redissync: resync: score of %q: %w", m, err)
		}

		e, err := parseMember(m, s)
		if err != nil {
			r.log(slog.LevelError, "redissync: malformed member ignored", err)
			continue
		}

		entries = append(entries, e)
	}

	if err := iter.Err(); err != nil {
		return fmt.Errorf("redissync: resync: %w", err)
	}

	if err := r.cfg.List.RevokeAll(entries); err != nil {
		return fmt.Errorf("redissync: resync: %w", err)
	}

	r.prune(before, entries)
	r.cfg.List.Sweep()
	r.resyncs.Add(1)

	return nil
}

func (r *Replicator) log(level slog.Level, msg string, err error) {
	if r.cfg.Logger == nil {
		return
	}

	attrs := []any{slog.String("set", r.set)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}

	r.cfg.Logger.Log(context.Background(), level, msg, attrs...)
}
