package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/spf13/cobra"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
)

func init() {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Inspect and verify tokens, generate signing keys",
	}
	cmd.AddCommand(tokenInspectCmd(), tokenKeygenCmd())
	rootCmd.AddCommand(cmd)
}

// errInvalidToken makes ztctl exit non-zero after printing why a token fails.
var errInvalidToken = errors.New("token is not valid")

type inspectFlags struct {
	jwks      string
	caCert    string
	issuer    string
	audiences []string
	types     []string
	required  []string
	leeway    time.Duration
}

func tokenInspectCmd() *cobra.Command {
	var f inspectFlags

	cmd := &cobra.Command{
		Use:   "inspect [TOKEN|-]",
		Short: "Decode a token and, with --jwks, verify it and say why it fails",
		Long: `Inspect decodes a compact JWS and prints its header and claims, with times
in UTC and relative to now. With --jwks (a URL or a file holding a JWK Set) it
verifies the token as a ztkit service would and prints the exact reason it is
refused. --issuer and --audience default to the token's own values, which is
said in the output: pass them to check them too.

The token comes from the argument, or from standard input when the argument
is "-" or absent.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := readToken(cmd.InOrStdin(), args)
			if err != nil {
				return err
			}

			return inspect(cmd, raw, f)
		},
	}

	fs := cmd.Flags()
	fs.StringVar(&f.jwks, "jwks", "", "JWKS URL or file to verify against")
	fs.StringVar(&f.caCert, "cacert", "",
		"PEM file of CA certificates to trust for an https --jwks URL (for example a dev CA)")
	fs.StringVar(&f.issuer, "issuer", "", "required issuer (default: the token's iss)")
	fs.StringSliceVar(&f.audiences, "audience", nil,
		"accepted audience (default: the token's aud)")
	fs.StringSliceVar(&f.types, "type", []string{token.TypeAccessToken}, "accepted typ values")
	fs.StringSliceVar(&f.required, "require", token.AccessTokenClaims,
		"claims that must be present besides iss, aud and exp")
	fs.DurationVar(&f.leeway, "leeway", token.DefaultLeeway, "allowed clock skew")

	return cmd
}

func readToken(stdin io.Reader, args []string) (string, error) {
	if len(args) == 1 && args[0] != "-" {
		return strings.TrimSpace(args[0]), nil
	}

	line, err := bufio.NewReader(io.LimitReader(stdin, 1<<20)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read token: %w", err)
	}

	if line = strings.TrimSpace(line); line == "" {
		return "", errors.New("no token given")
	}

	return line, nil
}

func inspect(cmd *cobra.Command, raw string, f inspectFlags) error {
	out := cmd.OutOrStdout()

	u, err := token.Decode(raw)
	if err != nil {
		fmt.Fprintf(out, "INVALID: %s\n", describe(err))
		return errInvalidToken
	}

	printSection(out, "Header", u.Header)
	printSection(out, "Claims", u.Claims)
	printTimes(out, u.Claims)

	if f.jwks == "" {
		fmt.Fprintln(out, "\nSignature not verified: pass --jwks to verify.")
		return nil
	}

	return verifyToken(cmd, raw, u, f)
}

func verifyToken(cmd *cobra.Command, raw string, u *token.Unverified, f inspectFlags) error {
	out := cmd.OutOrStdout()
	cfg := token.VerifierConfig{
		Issuer: f.issuer, Audience: f.audiences, Types: f.types,
		Leeway: f.leeway, CacheSize: -1, RequiredClaims: append([]string{}, f.required...),
	}

	if cfg.Issuer == "" {
		cfg.Issuer, _ = u.Claims["iss"].(string)
		fmt.Fprintln(out, "\nNote: issuer taken from the token, not checked (use --issuer).")
	}

	if len(cfg.Audience) == 0 {
		cfg.Audience = audienceOf(u.Claims)
		fmt.Fprintln(out, "Note: audience taken from the token, not checked (use --audience).")
	}

	if cfg.Leeway == 0 {
		cfg.Leeway = -1
	}

	if err := setKeySource(&cfg, f.jwks); err != nil {
		return err
	}

	if f.caCert != "" {
		client, err := httpsClientTrusting(f.caCert)
		if err != nil {
			return err
		}

		cfg.HTTPClient = client
	}

	if cfg.Issuer == "" || len(cfg.Audience) == 0 {
		fmt.Fprintln(out, "\nINVALID: token has no iss or aud")
		return errInvalidToken
	}

	v, err := token.NewVerifier(cmd.Context(), cfg)
	if err != nil {
		return fmt.Errorf("load keys: %w", err)
	}
	defer v.Close()

	if _, err := v.Verify(cmd.Context(), raw); err != nil {
		fmt.Fprintf(out, "\nINVALID: %s\n", describe(err))
		return errInvalidToken
	}

	fmt.Fprintln(out, "\nVALID: signature and claims verified.")

	return nil
}

// httpsClientTrusting returns an HTTP client that trusts only the CA certificates
// in the PEM file at path.
func httpsClientTrusting(path string) (*http.Client, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read --cacert: %w", err)
	}

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--cacert %s holds no PEM certificate", path)
	}

	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}

	return &http.Client{Transport: transport}, nil
}

func setKeySource(cfg *token.VerifierConfig, src string) error {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		cfg.JWKSURL = src
		return nil
	}

	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("read JWKS: %w", err)
	}

	set, err := jwk.Parse(data)
	if err != nil {
		return fmt.Errorf("parse JWKS %s: %w", src, err)
	}

	cfg.Keys = set

	return nil
}

func audienceOf(claims map[string]any) []string {
	switch aud := claims["aud"].(type) {
	case string:
		return []string{aud}
	case []any:
		var out []string
		for _, a := range aud {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	default:
		return nil
	}
}

// describe renders a refusal as reason, RFC 6750 code and cause.
func describe(err error) string {
	var ze *zt.Error
	if !errors.As(err, &ze) {
		return err.Error()
	}

	msg := ze.Reason
	if ze.Code != "" {
		msg += " (" + ze.Code + ")"
	}

	if ze.Err != nil {
		msg += ": " + ze.Err.Error()
	}

	return msg
}

func printSection(w io.Writer, title string, m map[string]any) {
	b, err := json.MarshalIndent(m, "  ", "  ")
	if err != nil {
		b = []byte(fmt.Sprint(m))
	}

	fmt.Fprintf(w, "%s:\n  %s\n", title, b)
}

// printTimes shows the NumericDate claims in UTC and relative to now.
func printTimes(w io.Writer, claims map[string]any) {
	var names []string
	for _, name := range []string{"iat", "nbf", "exp", "auth_time"} {
		if _, ok := claims[name].(float64); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)

	now := time.Now()
	for _, name := range names {
		sec := claims[name].(float64)
		t := time.Unix(int64(sec), 0).UTC()
		fmt.Fprintf(w, "  %-9s %s (%s)\n", name, t.Format(time.RFC3339), relative(t, now))
	}
}

func relative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d < 0 {
		return (-d).String() + " ago"
	}

	return "in " + d.String()
}

func tokenKeygenCmd() *cobra.Command {
	var alg, out, pubOut string
	var force bool

	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Generate an ES256 or EdDSA signing key as a JWK pair",
		Long: `Keygen writes a new private signing key as a JWK to --out (mode 0600,
refusing to overwrite without --force) and the public JWK to --pub, or to
standard output when --pub is not given. The key ID is the key's RFC 7638
thumbprint.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return keygen(cmd.OutOrStdout(), alg, out, pubOut, force)
		},
	}

	cmd.Flags().StringVar(&alg, "alg", token.ES256, "algorithm: ES256 or EdDSA")
	cmd.Flags().StringVar(&out, "out", "", "file for the private JWK (required)")
	cmd.Flags().StringVar(&pubOut, "pub", "", "file for the public JWK (default: standard output)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	_ = cmd.MarkFlagRequired("out")

	return cmd
}

func keygen(stdout io.Writer, alg, out, pubOut string, force bool) error {
	key, err := token.GenerateKey(alg)
	if err != nil {
		return err
	}

	pub, err := key.PublicKey()
	if err != nil {
		return fmt.Errorf("public key: %w", err)
	}

	privJSON, err := json.MarshalIndent(key, "", "  ")
	if err != nil {
		return fmt.Errorf("encode key: %w", err)
	}

	pubJSON, err := json.MarshalIndent(pub, "", "  ")
	if err != nil {
		return fmt.Errorf("encode key: %w", err)
	}

	if err := writeFile(out, privJSON, 0o600, force); err != nil {
		return err
	}

	if pubOut == "" {
		_, err := fmt.Fprintf(stdout, "%s\n", pubJSON)
		return err
	}

	if err := writeFile(pubOut, pubJSON, 0o644, force); err != nil {
		return err
	}

	_, err = fmt.Fprintf(stdout, "kid %s\n", key.KeyID())

	return err
}

// writeFile creates path with mode, refusing to replace a file unless force.
func writeFile(path string, data []byte, mode os.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}

	f, err := os.OpenFile(path, flags, mode)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}

	// An existing file keeps its mode on truncation: set it explicitly.
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}

	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}

	return f.Close()
}
