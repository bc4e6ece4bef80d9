package main

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
)

func init() {
	cmd := &cobra.Command{
		Use:   "upload FILE",
		Short: "Upload a file of SMS (JSON lines; - for standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = cmd.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()

				r = f
			}

			return uploadFile(cmd, r)
		},
	}

	rootCmd.AddCommand(cmd)
}

func uploadFile(cmd *cobra.Command, r io.Reader) error {
	list, err := readSMS(r)
	if err != nil {
		return err
	}

	c, st, err := deviceClient()
	if err != nil {
		return err
	}

	msgs := st.messages(list, time.Now().UTC().Truncate(time.Second))
	if err := st.save(); err != nil {
		return err
	}

	out := cmd.OutOrStdout()

	for len(msgs) > 0 {
		n := min(len(msgs), upload.MaxMessages)

		resp, err := c.Upload(cmd.Context(), msgs[:n])
		if err != nil {
			return err
		}

		printResults(out, resp)
		msgs = msgs[n:]
	}

	return nil
}

// messages turns the file's SMS into upload messages; one sent before keeps
// its sequence number and receive time, so that a resend is a duplicate.
func (s *state) messages(list []sms, now time.Time) []upload.Message {
	out := make([]upload.Message, 0, len(list))

	for _, m := range list {
		prev, ok := s.Sent[m.ID]
		if !ok {
			s.LastSeq++
			prev = sent{Seq: s.LastSeq, ReceivedAt: now}
			if !m.ReceivedAt.IsZero() {
				prev.ReceivedAt = m.ReceivedAt.UTC()
			}

			s.Sent[m.ID] = prev
		}

		out = append(out, upload.Message{ClientID: m.ID, Seq: prev.Seq, Sender: m.Sender,
			Body: m.Text, ReceivedAt: prev.ReceivedAt})
	}

	return out
}

func printResults(w io.Writer, resp *upload.Response) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range resp.Results {
		if r.Status == upload.StatusRejected {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ClientID, r.Status, r.Reason)
		}
	}
	_ = tw.Flush()

	fmt.Fprintf(w, "accepted %d, duplicates %d, rejected %d; high-water mark %d\n",
		resp.Accepted, resp.Duplicates, resp.Rejected, resp.HighWaterMark)
}
