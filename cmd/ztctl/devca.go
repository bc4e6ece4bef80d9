package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"

	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
)

// defaultCADir is where "ztctl devca" keeps the CA unless --dir says
// otherwise.
const defaultCADir = ".ztkit/devca"

// File names that "ztctl devca issue" writes, the layout that
// mtls.FileSource reads.
const (
	svidFile      = "svid.pem"
	svidKeyFile   = "svid-key.pem"
	svidBundleOut = "bundle.pem"
)

func init() {
	rootCmd.AddCommand(newDevCACmd())
}

func newDevCACmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devca",
		Short: "Run a development certificate authority that issues X.509-SVIDs",
		Long: `devca is a certificate authority for development and tests. It issues
short-lived X.509-SVIDs (the SPIFFE ID in the URI SAN) that ztkit services
accept over mutual TLS, with no SPIRE deployment.

The CA key is written to disk unencrypted (mode 0600): anyone who can read it
can mint any identity of the trust domain. Never use a dev CA in production,
and never commit its files.

  ztctl devca init --trust-domain example.org
  ztctl devca issue --id spiffe://example.org/backend --out ./backend
  ztctl devca inspect ./backend/svid.pem --bundle ./backend/bundle.pem`,
	}

	cmd.AddCommand(newDevCAInitCmd(), newDevCAIssueCmd(), newDevCAInspectCmd())

	return cmd
}

func newDevCAInitCmd() *cobra.Command {
	var dir, trustDomain, keyAlg string
	var ttl time.Duration

	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a CA key and certificate for a trust domain",
		Long: `init generates a CA key and a self-signed CA certificate for the trust
domain and writes them to ca.pem and ca-key.pem in --dir. It refuses to
overwrite an existing CA key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			td, err := mtls.ParseTrustDomain(trustDomain)
			if err != nil {
				return err
			}

			ca, err := devca.New(devca.Config{
				TrustDomain:  td,
				KeyAlgorithm: devca.KeyAlgorithm(keyAlg),
				CATTL:        ttl,
			})
			if err != nil {
				return err
			}
			if err := ca.WriteFiles(dir); err != nil {
				return err
			}

			cert := ca.Certificate()
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "created CA for %s in %s (valid until %s)\n",
				td, dir, cert.NotAfter.UTC().Format(time.RFC3339))
			return err
		},
	}

	f := cmd.Flags()
	f.StringVar(&dir, "dir", defaultCADir, "folder for ca.pem and ca-key.pem")
	f.StringVar(&trustDomain, "trust-domain", "", "trust domain, for example example.org (required)")
	f.StringVar(&keyAlg, "key", string(devca.ECDSAP256), "key algorithm: ecdsa-p256 or ed25519")
	f.DurationVar(&ttl, "ttl", devca.DefaultCATTL, "lifetime of the CA certificate")
	_ = cmd.MarkFlagRequired("trust-domain")

	return cmd
}

func newDevCAIssueCmd() *cobra.Command {
	var dir, rawID, out, keyAlg string
	var ttl time.Duration

	cmd := &cobra.Command{
		Use:   "issue",
		Short: "Issue an X.509-SVID for a SPIFFE ID",
		Long: `issue signs a new X.509-SVID for --id with the CA in --dir and writes
svid.pem (the certificate), svid-key.pem (its key, mode 0600) and bundle.pem
(the CA certificate, to verify peers) into --out: the files that
mtls.NewFileSource reads.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := mtls.ParseID(rawID)
			if err != nil {
				return err
			}

			ca, err := devca.Load(dir, devca.Config{KeyAlgorithm: devca.KeyAlgorithm(keyAlg)})
			if err != nil {
				return err
			}

			svid, err := ca.Issue(id, devca.WithTTL(ttl))
			if err != nil {
				return err
			}

			if err := os.MkdirAll(out, 0o700); err != nil {
				return err
			}
			err = ca.WriteSVID(svid, filepath.Join(out, svidFile),
				filepath.Join(out, svidKeyFile), filepath.Join(out, svidBundleOut))
			if err != nil {
				return err
			}

			_, err = fmt.Fprintf(cmd.OutOrStdout(), "issued %s into %s (valid until %s)\n",
				id, out, svid.Certificates[0].NotAfter.UTC().Format(time.RFC3339))
			return err
		},
	}

	f := cmd.Flags()
	f.StringVar(&dir, "dir", defaultCADir, "folder of the CA made by devca init")
	f.StringVar(&rawID, "id", "", "SPIFFE ID of the workload, spiffe://<trust domain>/<path> (required)")
	f.StringVar(&out, "out", ".", "folder to write svid.pem, svid-key.pem and bundle.pem into")
	f.StringVar(&keyAlg, "key", string(devca.ECDSAP256), "key algorithm: ecdsa-p256 or ed25519")
	f.DurationVar(&ttl, "ttl", devca.DefaultSVIDTTL, "lifetime of the SVID")
	_ = cmd.MarkFlagRequired("id")

	return cmd
}

func newDevCAInspectCmd() *cobra.Command {
	var bundlePath string

	cmd := &cobra.Command{
		Use:   "inspect FILE",
		Short: "Show the certificates of a PEM file and check its SVID",
		Long: `inspect prints each certificate of a PEM file: SPIFFE ID, serial, validity,
key and whether it is a CA. It then applies ztkit's strict X.509-SVID checks
to the first certificate and, with --bundle, verifies the chain against that
bundle as a peer would. It exits non-zero when a check fails.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			certs, err := readCerts(args[0])
			if err != nil {
				return err
			}

			w := cmd.OutOrStdout()
			for i, c := range certs {
				printCert(w, i, c)
			}

			return checkSVID(w, certs, bundlePath)
		},
	}

	cmd.Flags().StringVar(&bundlePath, "bundle", "", "PEM bundle to verify the chain against")

	return cmd
}

func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}

	var certs []*x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		if block.Type != "CERTIFICATE" {
			continue
		}

		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		certs = append(certs, c)
	}

	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}

	return certs, nil
}

func printCert(w io.Writer, i int, c *x509.Certificate) {
	uris := make([]string, 0, len(c.URIs))
	for _, u := range c.URIs {
		uris = append(uris, u.String())
	}

	fmt.Fprintf(w, "certificate %d\n", i)
	fmt.Fprintf(w, "  URI SANs:   %v\n", uris)
	fmt.Fprintf(w, "  subject:    %s\n", c.Subject)
	fmt.Fprintf(w, "  serial:     %x\n", c.SerialNumber)
	fmt.Fprintf(w, "  not before: %s\n", c.NotBefore.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "  not after:  %s\n", c.NotAfter.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "  key:        %s\n", c.PublicKeyAlgorithm)
	fmt.Fprintf(w, "  CA:         %t\n", c.IsCA)
}

func checkSVID(w io.Writer, certs []*x509.Certificate, bundlePath string) error {
	if certs[0].IsCA {
		fmt.Fprintln(w, "a CA certificate, not an X.509-SVID")
		return nil
	}

	id, err := mtls.IDFromCert(certs[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "X.509-SVID of %s: well-formed\n", id)

	if bundlePath == "" {
		return nil
	}

	bundle, err := x509bundle.Load(id.TrustDomain(), bundlePath)
	if err != nil {
		return err
	}

	if _, _, err := mtls.Verify(certs, bundle, time.Now()); err != nil {
		return errors.Join(errors.New("does not verify against the bundle"), err)
	}

	_, err = fmt.Fprintf(w, "verifies against %s\n", bundlePath)
	return err
}
