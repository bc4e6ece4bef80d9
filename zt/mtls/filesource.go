package mtls

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

// DefaultPollInterval is how often a FileSource looks for rotated files
// when FileSourceConfig.Interval is zero.
const DefaultPollInterval = 5 * time.Second

// FileSourceConfig configures a FileSource.
type FileSourceConfig struct {
	// CertFile holds the SVID's PEM certificate chain, leaf first. Required.
	CertFile string
	// KeyFile holds the SVID's PEM private key (PKCS #8). Required.
	KeyFile string
	// BundleFile holds the PEM authorities that verify peers. Required.
	BundleFile string
	// TrustDomain is the trust domain of the bundle. Zero means the trust
	// domain of the SVID.
	TrustDomain spiffeid.TrustDomain
	// Interval is how often the files are checked for a change of size or
	// modification time. Zero means DefaultPollInterval.
	Interval time.Duration
	// Logger receives a record when a reload fails; nil logs nothing.
	Logger *slog.Logger
}

// FileSource is a Source that reads an SVID and a bundle from PEM files and
// reloads them when they change, for workloads whose SVIDs a sidecar (such
// as spiffe-helper) writes to disk. A reload that fails (a half-written
// file, a key that does not match) keeps the last good SVID and bundle.
type FileSource struct {
	cfg    FileSourceConfig
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.RWMutex
	svid   *x509svid.SVID
	bundle *x509bundle.Bundle
	stamp  []fileStamp
}

type fileStamp struct {
	size    int64
	modTime time.Time
}

// NewFileSource loads the files once, failing when they do not hold a
// valid SVID and bundle, then watches them until ctx ends or Close is
// called.
func NewFileSource(ctx context.Context, cfg FileSourceConfig) (*FileSource, error) {
	if cfg.CertFile == "" || cfg.KeyFile == "" || cfg.BundleFile == "" {
		return nil, errors.New("mtls: file source needs a certificate, a key and a bundle file")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultPollInterval
	}

	s := &FileSource{cfg: cfg, done: make(chan struct{})}
	if err := s.Reload(); err != nil {
		return nil, err
	}

	ctx, s.cancel = context.WithCancel(ctx)
	go s.watch(ctx)

	return s, nil
}

// GetX509SVID returns the last SVID loaded.
func (s *FileSource) GetX509SVID() (*x509svid.SVID, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()

	return s.svid, nil
}

// GetX509BundleForTrustDomain returns the last bundle loaded when td is its
// trust domain.
func (s *FileSource) GetX509BundleForTrustDomain(td spiffeid.TrustDomain) (*x509bundle.Bundle, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()

	return s.bundle.GetX509BundleForTrustDomain(td)
}

// Close stops watching the files and waits for the watcher to return.
func (s *FileSource) Close() error {
	s.cancel()
	<-s.done

	return nil
}

// Reload reads the files now. On failure the source keeps what it had.
func (s *FileSource) Reload() error {
	stamp, err := s.stat()
	if err != nil {
		return err
	}

	svid, err := x509svid.Load(s.cfg.CertFile, s.cfg.KeyFile)
	if err != nil {
		return fmt.Errorf("mtls: load SVID: %w", err)
	}
	if _, err := IDFromCert(svid.Certificates[0]); err != nil {
		return fmt.Errorf("mtls: load SVID %s: %w", s.cfg.CertFile, err)
	}

	td := s.cfg.TrustDomain
	if td.IsZero() {
		td = svid.ID.TrustDomain()
	}

	bundle, err := x509bundle.Load(td, s.cfg.BundleFile)
	if err != nil {
		return fmt.Errorf("mtls: load bundle: %w", err)
	}

	s.mu.Lock()
	s.svid, s.bundle, s.stamp = svid, bundle, stamp
	s.mu.Unlock()

	return nil
}

func (s *FileSource) stat() ([]fileStamp, error) {
	paths := []string{s.cfg.CertFile, s.cfg.KeyFile, s.cfg.BundleFile}
	stamp := make([]fileStamp, 0, len(paths))

	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("mtls: %w", err)
		}
		stamp = append(stamp, fileStamp{size: fi.Size(), modTime: fi.ModTime()})
	}

	return stamp, nil
}

func (s *FileSource) watch(ctx context.Context) {
	defer close(s.done)

	tick := time.NewTicker(s.cfg.Interval)
	defer tick.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.reloadIfChanged(ctx)
		}
	}
}

func (s *FileSource) reloadIfChanged(ctx context.Context) {
	stamp, err := s.stat()
	if err == nil {
		s.mu.RLock()
		same := equalStamps(stamp, s.stamp)
		s.mu.RUnlock()

		if same {
			return
		}
		err = s.Reload()
	}

	if err != nil && s.cfg.Logger != nil {
		s.cfg.Logger.WarnContext(ctx, "mtls: keeping the last good SVID", "error", err)
	}
}

func equalStamps(a, b []fileStamp) bool {
	if len(a) != len(b) {
		return false
	}

	for i := range a {
		if a[i].size != b[i].size || !a[i].modTime.Equal(b[i].modTime) {
			return false
		}
	}

	return true
}
