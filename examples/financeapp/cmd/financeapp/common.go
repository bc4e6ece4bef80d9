package main

import (
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// platformFlags are the flags shared by dev and serve.
type platformFlags struct {
	dataDir, trustDomain, dsn, listen, logLevel, redis, sealKey string
}

func (f *platformFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.dataDir, "data-dir", "data", "folder for the SQLite database, dev CA and audit log")
	fl.StringVar(&f.trustDomain, "trust-domain", "financeapp.test", "SPIFFE trust domain")
	fl.StringVar(&f.dsn, "postgres-dsn", "", "PostgreSQL DSN (postgres://...); empty uses SQLite in the data folder")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8443", "address of the public service")
	fl.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&f.redis, "redis-addr", "", "Redis address to share revocations between processes")
	fl.StringVar(&f.sealKey, "seal-key", "",
		"key file that seals TOTP secrets in the database (default <data-dir>/seal.key)")
}

func (f *platformFlags) config() app.Config {
	cfg := app.Config{DataDir: f.dataDir, TrustDomain: f.trustDomain, PublicAddr: f.listen,
		RedisAddr: f.redis, SealKeyFile: f.sealKey}
	if f.dsn != "" {
		cfg.Dialect, cfg.DSN = store.Postgres, f.dsn
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		level = slog.LevelInfo
	}

	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	return cfg
}
