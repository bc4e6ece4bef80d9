package pep

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
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

// watchQuiet is how long file events must stop before a reload: an editor
// or a deployment writes several files, and a reload of half of them would
// be refused.
const watchQuiet = 100 * time.Millisecond

// newWatcher watches every folder of cfg.Dir, or the folder of cfg.Bundle
// (so that a bundle replaced by a rename is seen).
func newWatcher(cfg Config) (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("pep: watch: %w", err)
	}
	if cfg.Bundle != "" {
		err = w.Add(filepath.Dir(cfg.Bundle))
	} else {
		err = addTree(w, cfg.Dir)
	}
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("pep: watch: %w", err)
	}
	return w, nil
}

// addTree watches root and every folder below it.
func addTree(w *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return w.Add(p)
	})
}

// watch reloads the policy every interval, and after file events, until
// Close. A nil w watches no files; a zero interval does not poll.
func (e *Engine) watch(interval time.Duration, w *fsnotify.Watcher) {
	defer close(e.done)
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	var events <-chan fsnotify.Event
	var errs <-chan error
	if w != nil {
		defer w.Close()
		events, errs = w.Events, w.Errors
	}
	quiet := time.NewTimer(watchQuiet)
	quiet.Stop()

	for {
		select {
		case <-e.stop:
			return
		case <-tick:
			_ = e.Reload(context.Background())
		case <-quiet.C:
			_ = e.Reload(context.Background())
		case ev, ok := <-events:
			if !ok {
				events = nil
			} else if e.changed(w, ev) {
				quiet.Reset(watchQuiet)
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
			} else if e.log != nil {
				e.log.LogAttrs(context.Background(), slog.LevelWarn, "pep: policy watch",
					slog.Any("error", err))
			}
		}
	}
}

// changed reports whether ev may change the policy, and watches a folder
// created inside Dir.
func (e *Engine) changed(w *fsnotify.Watcher, ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	if e.cfg.Bundle != "" {
		return filepath.Clean(ev.Name) == filepath.Clean(e.cfg.Bundle)
	}
	if ev.Op.Has(fsnotify.Create) {
		if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
			_ = addTree(w, ev.Name)
		}
	}
	return true
}
