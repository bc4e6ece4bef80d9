package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/zt/audit/chain"
)

func init() {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify tamper-evident audit trails, generate checkpoint keys",
	}
	cmd.AddCommand(auditVerifyCmd(), auditKeygenCmd())
	rootCmd.AddCommand(cmd)
}

// errTampered makes ztctl exit non-zero after printing what was found.
var errTampered = errors.New("audit trail failed verification")

type verifyFlags struct {
	keys      []string
	anchor    string
	allowOpen bool
	jsonOut   bool
}

func auditVerifyCmd() *cobra.Command {
	var f verifyFlags

	cmd := &cobra.Command{
		Use:   "verify DIR",
		Short: "Verify a hash-chained audit trail and report the first tampered record",
		Long: `Verify checks every file of the audit trail in DIR: each record's hash, the
chain of hashes from record to record and across rotated files, and the
Ed25519 signature of every checkpoint, with the public keys given by --key
(PEM or base64, repeatable). It reports the first record that was modified,
deleted, reordered or truncated, or a checkpoint that was forged, and exits
non-zero.

A trail whose writer is still running has no closing checkpoint: pass
--allow-open to accept that (records after the last checkpoint are then
unsealed). --anchor names a checkpoint kept elsewhere (JSON, as the writer's
OnCheckpoint hook gives it): a trail cut back before it is reported truncated.`,
		Example: `  ztctl audit verify /var/lib/app/audit --key audit-pub.pem
  ztctl audit verify ./audit --key audit-pub.pem --allow-open --anchor last-checkpoint.json`,
		Args:          cobra.ExactArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return auditVerify(cmd.OutOrStdout(), args[0], f)
		},
	}

	cmd.Flags().StringArrayVar(&f.keys, "key", nil,
		"public key file (PEM or base64); repeatable; required")
	cmd.Flags().StringVar(&f.anchor, "anchor", "", "checkpoint JSON kept outside the trail")
	cmd.Flags().BoolVar(&f.allowOpen, "allow-open", false,
		"accept a trail without a closing checkpoint")
	cmd.Flags().BoolVar(&f.jsonOut, "json", false, "print the report as JSON")
	_ = cmd.MarkFlagRequired("key")

	return cmd
}

func auditVerify(out io.Writer, dir string, f verifyFlags) error {
	opts := chain.Options{AllowOpen: f.allowOpen}

	for _, path := range f.keys {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}

		pub, err := chain.ParsePublicKey(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}

		opts.Keys = append(opts.Keys, pub)
	}

	if f.anchor != "" {
		anchor, err := readAnchor(f.anchor)
		if err != nil {
			return err
		}

		opts.Anchor = anchor
	}

	rep, err := chain.Verify(dir, opts)

	var te *chain.TamperError
	if err != nil && !errors.As(err, &te) {
		return err
	}

	if f.jsonOut {
		return printVerifyJSON(out, rep, te)
	}

	return printVerify(out, rep, te)
}

func readAnchor(path string) (*chain.Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}

	var c chain.Checkpoint
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("anchor %s: %w", path, err)
	}

	return &c, nil
}

func printVerify(out io.Writer, rep *chain.Report, te *chain.TamperError) error {
	if rep != nil {
		fmt.Fprintf(out, "chain       %s\nfiles       %d\nrecords     %d (%d events, %d checkpoints)\n",
			rep.Chain, len(rep.Files), rep.Records, rep.Events, rep.Checkpoints)
		fmt.Fprintf(out, "head        record %d %s\nclosed      %v\nunsealed    %d\n",
			rep.LastSeq, rep.Head, rep.Closed, rep.Unsealed)
		fmt.Fprintf(out, "restarts    %d (%d opens after a crash)\n", rep.Restarts, rep.Unclean)

		for _, c := range rep.Cuts {
			fmt.Fprintf(out, "cut         %s at byte %d: %d bytes removed after a crash"+
				" (sha256 %s, kept in %s)\n", c.File, c.Offset, c.Bytes, c.SHA256, c.Saved)
		}
	}

	if te != nil {
		line := ""
		if te.Line > 0 {
			line = fmt.Sprintf(" line %d", te.Line)
		}

		fmt.Fprintf(out, "TAMPERED    record %d %s in %s%s: %s\n",
			te.Seq, te.Problem, te.File, line, te.Detail)

		if te.Problem == chain.Truncated && rep != nil && !rep.Closed {
			fmt.Fprintln(out, "hint        a trail still being written has no closing"+
				" checkpoint yet; if its writer is running, verify with --allow-open")
		}

		return errTampered
	}

	_, err := fmt.Fprintln(out, "OK          the trail verifies")

	return err
}

func printVerifyJSON(out io.Writer, rep *chain.Report, te *chain.TamperError) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")

	if err := enc.Encode(struct {
		OK       bool               `json:"ok"`
		Report   *chain.Report      `json:"report"`
		Tampered *chain.TamperError `json:"tampered,omitempty"`
	}{te == nil, rep, te}); err != nil {
		return err
	}

	if te != nil {
		return errTampered
	}

	return nil
}

func auditKeygenCmd() *cobra.Command {
	var out, pubOut string
	var force bool

	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Generate an Ed25519 key pair for signing audit checkpoints",
		Long: `Keygen writes a new Ed25519 private key (PKCS #8 PEM, mode 0600) to --out and
its public key (PKIX PEM) to --pub, or to standard output when --pub is not
given. Keep the private key away from the trail it signs: whoever holds both
can rewrite the trail undetected.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return auditKeygen(cmd.OutOrStdout(), out, pubOut, force)
		},
	}

	cmd.Flags().StringVar(&out, "out", "", "file for the private key (required)")
	cmd.Flags().StringVar(&pubOut, "pub", "", "file for the public key (default: standard output)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	_ = cmd.MarkFlagRequired("out")

	return cmd
}

func auditKeygen(stdout io.Writer, out, pubOut string, force bool) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}

	privPEM, err := chain.MarshalPrivateKey(priv)
	if err != nil {
		return err
	}

	pubPEM, err := chain.MarshalPublicKey(pub)
	if err != nil {
		return err
	}

	if err := writeFile(out, privPEM, 0o600, force); err != nil {
		return err
	}

	if pubOut == "" {
		_, err := stdout.Write(pubPEM)
		return err
	}

	if err := writeFile(pubOut, pubPEM, 0o644, force); err != nil {
		return err
	}

	_, err = fmt.Fprintf(stdout, "key id %s\n", chain.KeyID(pub))

	return err
}
