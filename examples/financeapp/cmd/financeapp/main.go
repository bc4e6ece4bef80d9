// Command financeapp runs the ztkit reference finance platform.
//
//	financeapp dev                      all five services in one process
//	financeapp serve --service backend  one service (see docs/financeapp.md)
//	financeapp bootstrap-admin          create the first admin, once
//
// Every flag can also be set with an environment variable: FINANCEAPP_ and
// the flag's name in upper case with dashes as underscores, for example
// FINANCEAPP_DATA_DIR.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var rootCmd = &cobra.Command{
	Use:           "financeapp",
	Short:         "The ztkit reference finance platform",
	SilenceUsage:  true,
	SilenceErrors: true,
	PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
		return flagsFromEnv(cmd)
	},
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "financeapp:", err)
		os.Exit(1)
	}
}

// flagsFromEnv sets every flag not given on the command line from its
// FINANCEAPP_* environment variable.
func flagsFromEnv(cmd *cobra.Command) error {
	var err error

	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		name := "FINANCEAPP_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && !f.Changed && err == nil {
			if serr := f.Value.Set(v); serr != nil {
				err = fmt.Errorf("%s: %w", name, serr)
			}
		}
	})

	return err
}
