package pep

import (
	"context"
	"log/slog"
	"time"
)

// Reload re-reads the configured policy and, if it changed, compiles and
// tests it and swaps it in. A policy that is refused leaves the last good
// one serving; the error matches ErrPolicyRefused, and the refusal is logged
// and counted.
func (e *Engine) Reload(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()

	before := e.cur.Load()
	if err := e.load(ctx, before.pip); err != nil {
		e.refusals.Add(1)
		e.tel.reloaded(ctx, false)
		if e.log != nil {
			e.log.LogAttrs(ctx, slog.LevelError, "pep: policy refused, keeping the last good one",
				slog.String("revision", before.revision), slog.Any("error", err))
		}
		return err
	}

	if after := e.cur.Load(); after != before {
		e.reloads.Add(1)
		e.tel.reloaded(ctx, true)
		if e.log != nil {
			e.log.LogAttrs(ctx, slog.LevelInfo, "pep: policy loaded",
				slog.String("revision", after.revision))
		}
	}
	return nil
}

// watch reloads the policy every interval until Close.
func (e *Engine) watch(interval time.Duration) {
	defer close(e.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			_ = e.Reload(context.Background())
		}
	}
}
