package app

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/chain"
)

// The tamper-evident trail's key files in the data folder. The private key
// signs checkpoints (mode 0600); the public key is what `ztctl audit verify
// --key` needs.
const (
	AuditKeyName       = "audit-key.pem"
	AuditPublicKeyName = "audit-pub.pem"
)

// AuditPublicKeyFile returns the path of the trail's public key.
func AuditPublicKeyFile(dataDir string) string {
	return filepath.Join(dataDir, AuditPublicKeyName)
}

// AuditDir returns the folder of the hash-chained trail of a process that
// runs the given services: "audit" when it runs all of them, as
// `financeapp dev` does, else "audit-<service>[-<service>...]", so that
// processes sharing a data folder never write to one chain.
func AuditDir(dataDir string, only []routes.Service) string {
	if len(only) == 0 || len(only) == len(routes.Services) {
		return filepath.Join(dataDir, "audit")
	}

	names := make([]string, 0, len(only))
	for _, s := range only {
		names = append(names, string(s))
	}

	slices.Sort(names)

	return filepath.Join(dataDir, "audit-"+strings.Join(names, "-"))
}

// openTrail opens the hash-chained trail (zt/audit/chain) of this process,
// with the checkpoint key of the data folder. Its sink blocks when full:
// the request waits rather than go unrecorded.
func (p *Platform) openTrail(ctx context.Context) (audit.SinkConfig, error) {
	key, err := loadOrCreateAuditKey(p.cfg.DataDir)
	if err != nil {
		return audit.SinkConfig{}, err
	}

	w, err := chain.Open(ctx, chain.Config{Dir: AuditDir(p.cfg.DataDir, p.cfg.Only),
		Key: key, Logger: p.cfg.Logger})
	if err != nil {
		return audit.SinkConfig{}, fmt.Errorf("app: audit trail: %w", err)
	}

	// Closers run after the pipeline has flushed into the writer; Close
	// seals the trail with a closing checkpoint.
	p.closers = append(p.closers, func() error { return w.Close(context.Background()) })

	return audit.SinkConfig{Name: "chain", Sink: w, Overflow: audit.Block}, nil
}

// loadOrCreateAuditKey reads the checkpoint key of dir, or creates it on
// first start together with its public key. Processes that share the data
// folder and start at once agree on one key: the first link wins.
func loadOrCreateAuditKey(dir string) (ed25519.PrivateKey, error) {
	path := filepath.Join(dir, AuditKeyName)

	key, err := readAuditKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createAuditKey(dir, path)
	}

	if err != nil {
		return nil, err
	}

	pub, err := chain.MarshalPublicKey(key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}

	if err := os.WriteFile(AuditPublicKeyFile(dir), pub, 0o644); err != nil {
		return nil, fmt.Errorf("app: audit public key: %w", err)
	}

	return key, nil
}

func readAuditKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("app: audit key: %w", err)
	}

	key, err := chain.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("app: audit key %s: %w", path, err)
	}

	return key, nil
}

func createAuditKey(dir, path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("app: audit key: %w", err)
	}

	pemBytes, err := chain.MarshalPrivateKey(key)
	if err != nil {
		return nil, err
	}

	tmp, err := os.CreateTemp(dir, ".audit-key-*")
	if err != nil {
		return nil, fmt.Errorf("app: audit key: %w", err)
	}
	defer os.Remove(tmp.Name())

	if err := writeAndClose(tmp, pemBytes); err != nil {
		return nil, fmt.Errorf("app: audit key: %w", err)
	}

	// A link never replaces: a process that lost the race reads the winner's.
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return readAuditKey(path)
	} else if err != nil {
		return nil, fmt.Errorf("app: audit key: %w", err)
	}

	return key, nil
}

func writeAndClose(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err == nil {
		err = f.Sync()
	}

	return errors.Join(err, f.Close())
}
