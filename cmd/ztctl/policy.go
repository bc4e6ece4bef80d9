package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/pep"
)

// policySource holds the flags that name a policy: a folder or a bundle.
type policySource struct {
	dir, bundle string
}

func (s *policySource) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.dir, "dir", "", "policy folder (Rego modules and data files)")
	cmd.Flags().StringVar(&s.bundle, "bundle", "", "OPA bundle (.tar.gz)")
}

func (s *policySource) config() (pep.Config, error) {
	if (s.dir == "") == (s.bundle == "") {
		return pep.Config{}, errors.New("policy: give exactly one of --dir and --bundle")
	}
	return pep.Config{Dir: s.dir, Bundle: s.bundle}, nil
}

func init() {
	policyCmd := &cobra.Command{
		Use:   "policy",
		Short: "Test and evaluate Rego policies as ztkit's engine does",
	}
	policyCmd.AddCommand(newPolicyTestCmd(), newPolicyEvalCmd())
	rootCmd.AddCommand(policyCmd)
}

func newPolicyTestCmd() *cobra.Command {
	var src policySource
	var verbose bool
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run a policy's Rego tests (test_* rules in *_test.rego)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := src.config()
			if err != nil {
				return err
			}
			results, err := pep.RunPolicyTests(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			return reportTests(cmd.OutOrStdout(), results, verbose)
		},
	}
	src.register(cmd)
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list passing tests too")
	return cmd
}

// reportTests prints the failures (and, verbose, the passes) and a summary;
// it returns an error when a test failed or none ran.
func reportTests(w io.Writer, results []pep.TestResult, verbose bool) error {
	failed := 0
	for _, r := range results {
		switch {
		case r.Skipped:
			fmt.Fprintf(w, "SKIP %s\n", r.Name)
		case !r.Pass:
			failed++
			fmt.Fprintf(w, "FAIL %s (%s)\n", r.Name, r.Duration)
			if r.Err != nil {
				fmt.Fprintf(w, "     %v\n", r.Err)
			}
			if len(r.Output) > 0 {
				fmt.Fprintf(w, "     %s\n", strings.TrimSpace(string(r.Output)))
			}
		case verbose:
			fmt.Fprintf(w, "PASS %s (%s)\n", r.Name, r.Duration)
		}
	}
	fmt.Fprintf(w, "%d tests, %d passed, %d failed\n", len(results), len(results)-failed, failed)
	switch {
	case len(results) == 0:
		return errors.New("policy: no tests found")
	case failed > 0:
		return fmt.Errorf("policy: %d of %d tests failed", failed, len(results))
	}
	return nil
}

func newPolicyEvalCmd() *cobra.Command {
	var src policySource
	var inputPath, entrypoint string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "eval --input file.json",
		Short: "Evaluate a policy entrypoint for an input document",
		Long: "Evaluate a policy entrypoint for an input document (docs/policy-input.md)\n" +
			"and print the decision, its reasons and obligations, and the evaluation time.\n" +
			"The policy's own tests are not run; use \"ztctl policy test\" for that.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := src.config()
			if err != nil {
				return err
			}
			input, err := readInput(cmd.InOrStdin(), inputPath)
			if err != nil {
				return err
			}
			cfg.Entrypoints, cfg.SkipPolicyTests = []string{entrypoint}, true
			engine, err := pep.New(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer engine.Close()

			start := time.Now()
			d, evalErr := engine.Eval(cmd.Context(), entrypoint, input)
			took := time.Since(start)
			if err := printDecision(cmd.OutOrStdout(), d, took, asJSON); err != nil {
				return err
			}
			return evalErr
		},
	}
	src.register(cmd)
	cmd.Flags().StringVar(&inputPath, "input", "", `input document (JSON), "-" for stdin`)
	cmd.Flags().StringVar(&entrypoint, "entrypoint", pep.DefaultEntrypoint,
		"rule to evaluate, as a path under data")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the decision as JSON")
	_ = cmd.MarkFlagRequired("input")
	return cmd
}

func readInput(stdin io.Reader, path string) (ast.Value, error) {
	var raw []byte
	var err error
	if path == "-" {
		raw, err = io.ReadAll(stdin)
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("policy: read input: %w", err)
	}
	var doc any
	if err := util.UnmarshalJSON(raw, &doc); err != nil {
		return nil, fmt.Errorf("policy: input is not JSON: %w", err)
	}
	v, err := ast.InterfaceToValue(doc)
	if err != nil {
		return nil, fmt.Errorf("policy: input: %w", err)
	}
	return v, nil
}

func printDecision(w io.Writer, d zt.Decision, took time.Duration, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{
			"allow": d.Allow, "reasons": d.Reasons, "obligations": d.Obligations,
			"revision": d.Revision, "eval_ns": took.Nanoseconds(),
		})
	}
	result := "deny"
	if d.Allow {
		result = "allow"
	}
	obligations := "none"
	if len(d.Obligations) > 0 {
		raw, err := json.Marshal(d.Obligations)
		if err != nil {
			return err
		}
		obligations = string(raw)
	}
	_, err := fmt.Fprintf(w,
		"decision:    %s\nreasons:     %s\nobligations: %s\nrevision:    %s\ntime:        %s\n",
		result, strings.Join(d.Reasons, ", "), obligations, d.Revision, took)
	return err
}
