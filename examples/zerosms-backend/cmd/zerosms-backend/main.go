// Command zerosms-backend is the ZeroSMS server's command line. Besides the
// server, it trains and evaluates the spam classifier from the embedded SMS
// Spam Collection, and parses or classifies messages given on the command
// line.
//
// Each group of commands lives in its own file and registers itself with the
// root command; run "zerosms-backend help" for the list.
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
	Use:           "zerosms-backend",
	Short:         "ZeroSMS backend: bank SMS parsing and spam classification",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := rootCmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "zerosms-backend:", err)
		os.Exit(1)
	}
}
