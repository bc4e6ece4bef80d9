package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/falco"
	"github.com/ztkit/ztkit/zt/revoke"
)

func init() {
	cmd := &cobra.Command{
		Use:   "falco",
		Short: "Work with Falco alerts: replay recorded alerts to a receiver",
	}
	cmd.AddCommand(falcoReplayCmd())
	rootCmd.AddCommand(cmd)
}

type replayFlags struct {
	file        string
	url         string
	tokenEnv    string
	allowRemote bool
	dryRun      bool
	cases       []string
	trustDomain string
	template    string
	timeout     time.Duration
}

// errReplayRefused makes ztctl exit non-zero when a receiver refused alerts.
var errReplayRefused = errors.New("falco: some alerts were refused")

func falcoReplayCmd() *cobra.Command {
	var f replayFlags

	cmd := &cobra.Command{
		Use:   "replay --file FILE (--url URL | --dry-run)",
		Short: "Post recorded Falco alerts to a receiver, or decide them locally",
		Long: `Replay reads recorded Falco alerts, one JSON object a line: either an alert
as Falco or falcosidekick posts it, or a test case {"case_id": ..., "payload":
alert}. It posts each to the receiver at --url as falcosidekick's webhook would
and prints what the receiver answered. The bearer token is read from the
environment variable named by --token-env (ZTCTL_FALCO_TOKEN by default), so
that it never shows in the process list.

Only loopback URLs are accepted unless --allow-remote is given: replaying
alerts can quarantine workloads.

With --dry-run nothing is sent: each alert is decoded, mapped to a workload
with --trust-domain and --template, and decided by the default rule table in
dry-run mode; the decided responses are printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReplay(cmd, f)
		},
	}

	fl := cmd.Flags()
	fl.StringVar(&f.file, "file", "", `recorded alerts, one a line ("-" for standard input)`)
	fl.StringVar(&f.url, "url", "", "the receiver's URL, for example http://127.0.0.1:8080/falco")
	fl.StringVar(&f.tokenEnv, "token-env", "ZTCTL_FALCO_TOKEN",
		"environment variable that holds the receiver's bearer token")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "allow a URL that is not on loopback")
	fl.BoolVar(&f.dryRun, "dry-run", false, "decode and decide locally, send nothing")
	fl.StringSliceVar(&f.cases, "case", nil, "replay only these case IDs (repeatable)")
	fl.StringVar(&f.trustDomain, "trust-domain", "example.org", "trust domain for --dry-run mapping")
	fl.StringVar(&f.template, "template", "/ns/{ns}/workload/{workload}",
		"SPIFFE ID path template for --dry-run mapping")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Second, "timeout of each request")
	_ = cmd.MarkFlagRequired("file")

	return cmd
}

// recordedAlert is one alert to replay and its label.
type recordedAlert struct {
	label   string
	payload []byte
}

func runReplay(cmd *cobra.Command, f replayFlags) error {
	if f.dryRun == (f.url != "") {
		return errors.New("falco: give either --url or --dry-run")
	}

	alerts, err := readRecorded(cmd.InOrStdin(), f.file, f.cases)
	if err != nil {
		return err
	}

	if f.dryRun {
		return replayLocally(cmd.Context(), cmd.OutOrStdout(), alerts, f)
	}

	target, err := replayTarget(f.url, f.allowRemote)
	if err != nil {
		return err
	}

	return replayRemote(cmd.Context(), cmd.OutOrStdout(), alerts, target, f)
}

// replayTarget parses raw and refuses a URL off loopback unless allowed.
func replayTarget(raw string, allowRemote bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("falco: --url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("falco: --url %q: want http:// or https:// and a host", raw)
	}

	if !allowRemote && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("falco: --url host %q is not loopback; "+
			"pass --allow-remote to replay alerts to another machine", u.Hostname())
	}

	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}

	ip, err := netip.ParseAddr(host)

	return err == nil && ip.IsLoopback()
}

// readRecorded reads the alerts of file, keeping only the given cases.
func readRecorded(stdin io.Reader, file string, cases []string) ([]recordedAlert, error) {
	in := stdin
	if file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("falco: %w", err)
		}
		defer fh.Close()
		in = fh
	}

	var out []recordedAlert
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), falco.DefaultMaxBodyBytes)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}

		a := labelled(line, n)
		if len(cases) == 0 || containsFold(cases, a.label) {
			out = append(out, a)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("falco: reading %s: %w", file, err)
	}

	return out, nil
}

// labelled returns a line as an alert: the payload of a test case, or the
// line itself.
func labelled(line []byte, n int) recordedAlert {
	var c struct {
		CaseID  string          `json:"case_id"`
		Payload json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(line, &c) == nil && len(c.Payload) > 0 {
		label := c.CaseID
		if label == "" {
			label = fmt.Sprintf("line %d", n)
		}
		return recordedAlert{label: label, payload: c.Payload}
	}

	return recordedAlert{label: fmt.Sprintf("line %d", n), payload: bytes.Clone(line)}
}

func containsFold(list []string, s string) bool {
	for _, item := range list {
		if strings.EqualFold(item, s) {
			return true
		}
	}

	return false
}

func replayRemote(ctx context.Context, w io.Writer, alerts []recordedAlert, u *url.URL,
	f replayFlags) error {
	client := &http.Client{Timeout: f.timeout}
	token := os.Getenv(f.tokenEnv)

	refused := 0
	for _, a := range alerts {
		status, body, err := postAlert(ctx, client, u, token, a.payload)
		if err != nil {
			return err
		}

		if status/100 != 2 {
			refused++
		}
		fmt.Fprintf(w, "%-8s %d %s\n", a.label, status, describeAnswer(body))
	}

	if refused > 0 {
		return fmt.Errorf("%w: %d of %d", errReplayRefused, refused, len(alerts))
	}

	return nil
}

func postAlert(ctx context.Context, c *http.Client, u *url.URL, token string,
	payload []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(),
		bytes.NewReader(payload))
	if err != nil {
		return 0, nil, fmt.Errorf("falco: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ztctl-falco-replay")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("falco: post: %w", err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, nil, fmt.Errorf("falco: reading the answer: %w", err)
	}

	return resp.StatusCode, body, nil
}

// describeAnswer summarises a receiver's answer: the outcomes of an
// accepted alert, the detail of a problem, or the body itself.
func describeAnswer(body []byte) string {
	var ans falco.Answer
	if json.Unmarshal(body, &ans) == nil && ans.ID != "" {
		return describeAlert(ans.Rule, ans.Severity, ans.Workload, ans.Outcomes)
	}

	var prob falco.Problem
	if json.Unmarshal(body, &prob) == nil && prob.Status != 0 {
		return prob.Title + ": " + prob.Detail
	}

	return strings.TrimSpace(string(body))
}

func describeAlert(rule string, sev detect.Severity, workload string,
	outcomes []detect.Outcome) string {
	if workload == "" {
		workload = "-"
	}

	parts := make([]string, 0, len(outcomes))
	for _, o := range outcomes {
		parts = append(parts, o.String())
	}

	return fmt.Sprintf("%s %q workload=%s %s", sev, rule, workload, strings.Join(parts, " "))
}

func replayLocally(ctx context.Context, w io.Writer, alerts []recordedAlert, f replayFlags) error {
	mapper, err := falco.Template(f.trustDomain, f.template, nil)
	if err != nil {
		return err
	}

	responder, err := detect.NewResponder(detect.ResponderConfig{
		Revocations: revoke.NewList(revoke.Config{}),
		Risk:        detect.NewRiskStore(detect.RiskConfig{}),
		DryRun:      true,
	})
	if err != nil {
		return err
	}

	malformed := 0
	for _, a := range alerts {
		alert, err := falco.Decode(a.payload)
		if err != nil {
			malformed++
			fmt.Fprintf(w, "%-8s refused: %v\n", a.label, err)
			continue
		}

		d, err := responder.Handle(ctx, alert.Detection(mapper))
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-8s %s\n", a.label,
			describeAlert(d.Rule, d.Severity, d.Subject.Workload, d.Outcomes))
	}

	if malformed > 0 {
		return fmt.Errorf("%w: %d of %d malformed", errReplayRefused, malformed, len(alerts))
	}

	return nil
}
