package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/examples/zerosms-backend/app"
)

func init() {
	var (
		cfg      app.Config
		logLevel string
	)

	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the device API next to a running finance platform",
		Long: `serve runs the ZeroSMS backend: devices enroll, upload their bank SMS over
HTTPS with DPoP-bound tokens, and the parsed transactions go to the finance
platform's backend as drafts over mTLS. It takes its SPIFFE identity
(spiffe://<trust domain>/zerosms/backend) from the platform's dev CA, so run it
with the same data folder as "financeapp dev --backend-addr <addr>".`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}

			cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr,
				&slog.HandlerOptions{Level: level}))

			return serve(cmd.Context(), cfg)
		},
	}

	fl := cmd.Flags()
	fl.StringVar(&cfg.DataDir, "data-dir", "data/zerosms", "folder for the SQLite database")
	fl.StringVar(&cfg.SealKeyFile, "seal-key", "",
		"key file that seals stored platform sessions (default <data-dir>/seal.key)")
	fl.StringVar(&cfg.CADir, "ca-dir", "data/ca", "the platform's dev CA folder")
	fl.StringVar(&cfg.TrustDomain, "trust-domain", "financeapp.test", "SPIFFE trust domain")
	fl.StringVar(&cfg.PlatformURL, "platform", "https://127.0.0.1:8443",
		"the finance platform's public URL")
	fl.StringVar(&cfg.BackendAddr, "backend-addr", "127.0.0.1:9441",
		"the finance platform backend's address (mTLS)")
	fl.StringVar(&cfg.Listen, "listen", "127.0.0.1:8445", "address devices call")
	fl.DurationVar(&cfg.Wait, "wait", 60*time.Second, "how long to wait for the platform")
	fl.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	rootCmd.AddCommand(cmd)
}

func serve(ctx context.Context, cfg app.Config) error {
	a, err := app.Start(ctx, cfg)
	if err != nil {
		return err
	}

	fmt.Printf("ZeroSMS backend is up at %s (trust %s/ca.pem)\n", a.URL(), cfg.CADir)

	<-ctx.Done()

	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	return a.Close(shutdown)
}
