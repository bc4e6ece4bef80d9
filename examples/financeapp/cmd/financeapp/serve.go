package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
)

func init() {
	var (
		flags   platformFlags
		service string
		addrs   = map[routes.Service]*string{}
	)

	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run one service of the platform as its own process",
		Long: `serve runs one service (public, user, auditor, admin or backend) as its own
process. Every process is given the same addresses; each listens on its own
and calls the others over mTLS. The dev CA in the data folder issues the
SVIDs, so all processes must share that folder. Only the backend opens the
database; the others poll its policy information every second.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := flags.config()
			cfg.Addrs = map[routes.Service]string{}

			for s, a := range addrs {
				cfg.Addrs[s] = *a
			}

			s := routes.Service(service)
			if s == routes.ZeroSMS || !contains(routes.Services, s) {
				return fmt.Errorf("--service must be one of public, user, auditor, admin, backend")
			}

			cfg.Only = []routes.Service{s}

			return runServe(cmd.Context(), cfg)
		},
	}

	flags.register(cmd)
	cmd.Flags().StringVar(&service, "service", "", "the service to run")

	for i, s := range []routes.Service{routes.Backend, routes.User, routes.Auditor, routes.Admin} {
		addrs[s] = cmd.Flags().String(string(s)+"-addr", fmt.Sprintf("127.0.0.1:%d", 9441+i),
			"address of the "+string(s)+" service")
	}

	rootCmd.AddCommand(cmd)
}

func contains(list []routes.Service, s routes.Service) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}

	return false
}

func runServe(ctx context.Context, cfg app.Config) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	p, err := app.Start(ctx, cfg)
	if err != nil {
		return err
	}

	cfg.Logger.Info("service started", "service", cfg.Only[0], "addr", p.Addr(cfg.Only[0]))

	<-ctx.Done()

	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	return p.Close(shutdown)
}
