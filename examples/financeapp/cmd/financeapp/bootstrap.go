package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/password"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

func init() {
	var (
		flags platformFlags
		email string
	)

	cmd := &cobra.Command{
		Use:   "bootstrap-admin",
		Short: "Create the first admin with a generated password, once",
		Long: `bootstrap-admin creates the first admin account directly in the database,
with a generated password that it prints once. It refuses when any admin
exists. Run it against the backend's database before the first start of a
deployment that is not 'dev' (which bootstraps by itself).`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := flags.config()
			if cfg.DSN == "" {
				if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
					return err
				}

				cfg.Dialect, cfg.DSN = store.SQLite, filepath.Join(cfg.DataDir, "financeapp.db")
			}

			st, err := store.Open(cmd.Context(), cfg.Dialect, cfg.DSN)
			if err != nil {
				return err
			}
			defer st.Close()

			a, err := app.Bootstrap(cmd.Context(), st, email, password.Default)
			if err != nil {
				return err
			}

			if a == nil {
				return fmt.Errorf("an admin exists already")
			}

			fmt.Fprintf(cmd.OutOrStdout(), "admin %s created; password (shown once): %s\n",
				a.Email, a.Password)

			return nil
		},
	}

	flags.register(cmd)
	cmd.Flags().StringVar(&email, "email", app.DefaultAdminEmail, "the admin's email")
	rootCmd.AddCommand(cmd)
}
