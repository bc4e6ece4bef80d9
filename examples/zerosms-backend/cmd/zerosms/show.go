package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

func init() {
	var asJSON bool

	show := &cobra.Command{
		Use:     "show",
		Aliases: []string{"status"},
		Short:   "Show what the backend made of the uploaded messages",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := deviceClient()
			if err != nil {
				return err
			}

			st, err := c.Messages(cmd.Context())
			if err != nil {
				return err
			}

			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")

				return enc.Encode(st)
			}

			printStatus(cmd.OutOrStdout(), st)

			return nil
		},
	}

	show.Flags().BoolVar(&asJSON, "json", false, "print the backend's answer as JSON")
	rootCmd.AddCommand(show)
}

func printStatus(w io.Writer, st *server.Status) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MESSAGE\tRESULT\tAMOUNT\tSPAM\tDRAFT")

	counts := map[string]int{}

	for _, m := range st.Messages {
		o := m.Outcome
		result, amount, draft := o.Kind, "", o.Forward

		switch {
		case o.Kind == "refused":
			result = "refused: " + o.Refusal
		case o.Kind == "transaction":
			var tx smsparse.Transaction
			if json.Unmarshal(o.Transaction, &tx) == nil {
				result, amount = string(tx.Type), tx.Amount.String()
			}
		}

		if o.DraftID != "" {
			draft += " " + o.DraftID
		}

		counts[o.Kind]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\n", m.ClientID, result, amount, o.SpamScore, draft)
	}

	_ = tw.Flush()

	fmt.Fprintf(w, "%d messages: %d transactions, %d refused; high-water mark %d\n",
		len(st.Messages), counts["transaction"], counts["refused"], st.HighWaterMark)
}
