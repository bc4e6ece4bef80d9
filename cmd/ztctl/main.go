// Command ztctl is the ztkit operator's command line: a development certificate
// authority, token inspection and key generation, policy test and evaluation, audit
// trail verification and Falco alert replay.
//
// Each group of commands lives in its own file and registers itself with the root
// command; run "ztctl help" for the list.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// rootCmd is the top of the command tree; command groups add themselves to it in
// their init functions.
var rootCmd = &cobra.Command{
	Use:           "ztctl",
	Short:         "Operate ztkit: dev CA, tokens, policies, audit trails, alerts",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := rootCmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ztctl:", err)
		os.Exit(1)
	}
}
