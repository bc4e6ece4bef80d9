package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
)

func init() {
	var (
		flags   platformFlags
		demo    bool
		backend string
	)

	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run all five services in one process on loopback, over mTLS",
		Long: `dev runs the public, user, auditor, admin and backend services in one
process on loopback ports. They still call each other over mutual TLS with
SPIFFE SVIDs from a dev CA kept in the data folder, and decide every request
with the platform's policies. On first start it creates the first admin with a
generated one-time password and, with --demo, demo users and transactions.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := flags.config()
			if backend != "" {
				cfg.Addrs = map[routes.Service]string{routes.Backend: backend}
			}

			return runDev(cmd.Context(), cfg, demo)
		},
	}

	flags.register(cmd)
	cmd.Flags().BoolVar(&demo, "demo", true, "create demo users and transactions on first start")
	cmd.Flags().StringVar(&backend, "backend-addr", "",
		"fixed address of the backend service, for the ZeroSMS backend; empty picks a free port")
	rootCmd.AddCommand(cmd)
}

func runDev(ctx context.Context, cfg app.Config, demo bool) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	p, err := app.Start(ctx, cfg)
	if err != nil {
		return err
	}

	admin, err := app.BootstrapAdmin(ctx, p, app.DefaultAdminEmail)
	if err != nil {
		_ = p.Close(context.Background())
		return err
	}

	var people []app.Account
	if demo {
		if people, err = app.SeedDemo(ctx, p); err != nil {
			_ = p.Close(context.Background())
			return err
		}
	}

	printWelcome(p, cfg, admin, people)

	<-ctx.Done()

	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	return p.Close(shutdown)
}

func printWelcome(p *app.Platform, cfg app.Config, admin *app.Account, people []app.Account) {
	out := os.Stdout

	// Absolute: `make run` is typed at the repository root, not where the
	// data folder is relative to.
	ca, _ := filepath.Abs(app.CAFile(cfg.DataDir))

	fmt.Fprintf(out, "\nztkit finance platform is up at %s\n", p.PublicURL())
	fmt.Fprintf(out, "  dev CA (trust it with curl --cacert): %s\n", ca)
	printTrail(out, cfg)

	if admin != nil {
		fmt.Fprintf(out, "\nFirst admin created. This password is shown once; keep it:\n")
		fmt.Fprintf(out, "  email:    %s\n  password: %s\n", admin.Email, admin.Password)
	} else {
		fmt.Fprintf(out, "\nAn admin exists already (the password was shown on first start).\n")
	}

	for _, a := range people {
		fmt.Fprintf(out, "  demo %-8s %s / %s\n", a.Role, a.Email, a.Password)
	}

	fmt.Fprintf(out, "\nSign in:\n  curl --cacert %s -H 'Content-Type: application/json' \\\n"+
		"    -d '{\"email\":\"%s\",\"password\":\"...\"}' %s/v1/auth/login\n\n",
		ca, app.DefaultAdminEmail, p.PublicURL())
}

// printTrail says where the hash-chained audit trail is and how to verify it.
func printTrail(out io.Writer, cfg app.Config) {
	dir, _ := filepath.Abs(app.AuditDir(cfg.DataDir, cfg.Only))
	pub, _ := filepath.Abs(app.AuditPublicKeyFile(cfg.DataDir))

	fmt.Fprintf(out, "  audit trail (hash-chained): %s\n  checkpoint public key: %s\n", dir, pub)
	fmt.Fprintf(out, "  verify it (from the repository root; --allow-open while it runs):\n"+
		"    go run ./cmd/ztctl audit verify %s --key %s --allow-open\n", dir, pub)
}
