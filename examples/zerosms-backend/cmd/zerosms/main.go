// Command zerosms is the ZeroSMS device simulator: it stands in for the
// Android app against the ZeroSMS backend. It enrolls a device with a chosen
// posture (generating the device key and keeping it in a file only its owner
// may read), uploads a file of SMS with DPoP-bound requests, reports a new
// posture, and shows what the backend made of the messages.
//
// Each command lives in its own file and registers itself with the root
// command; run "zerosms help" for the list.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// rootCmd is the top of the command tree.
var rootCmd = &cobra.Command{
	Use:           "zerosms",
	Short:         "ZeroSMS device simulator",
	SilenceUsage:  true,
	SilenceErrors: true,
}

// stateDir is where the device key and state live.
var stateDir string

func init() {
	rootCmd.PersistentFlags().StringVar(&stateDir, "state", "data/zerosms-device",
		"folder of the simulated device's key and state")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := rootCmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "zerosms:", err)
		os.Exit(1)
	}
}
