package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/examples/zerosms-backend/classify"
	"github.com/ztkit/ztkit/examples/zerosms-backend/classify/corpus"
	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

// defaultModelPath is where "train" writes the model, relative to the examples
// module, the directory the documented commands run from.
const defaultModelPath = "zerosms-backend/classify/model/spam.json"

// Evaluation defaults; the documented figures use them.
const (
	defaultSeed         = 20111
	defaultTestFraction = 0.2
	defaultFolds        = 10
)

func init() {
	rootCmd.AddCommand(trainCmd(), evalCmd(), classifyCmd(), parseCmd())
}

func trainCmd() *cobra.Command {
	var out string

	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train the spam classifier on the embedded corpora; write the model and checksum",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sum, err := train(out)
			if err != nil {
				return err
			}

			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\nsha256 %s\n", out, sum)

			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", defaultModelPath,
		"model file to write; the checksum goes beside it")

	return cmd
}

// examples loads the embedded collection and the bank SMS set as examples.
func examples() (collection, bank []classify.Example, err error) {
	msgs, err := corpus.Load()
	if err != nil {
		return nil, nil, err
	}

	bankMsgs, err := corpus.LoadBank()
	if err != nil {
		return nil, nil, err
	}

	return toExamples(msgs), toExamples(bankMsgs), nil
}

func toExamples(msgs []corpus.Message) []classify.Example {
	ex := make([]classify.Example, len(msgs))
	for i, m := range msgs {
		ex[i] = classify.Example(m)
	}

	return ex
}

// train trains the shipped model on the whole corpus and writes it with a
// sha256sum-style checksum file beside it.
func train(out string) (string, error) {
	collection, bank, err := examples()
	if err != nil {
		return "", err
	}

	m, err := classify.Train(append(collection, bank...), classify.DefaultConfig)
	if err != nil {
		return "", err
	}

	m.Metadata.Corpora = []classify.Corpus{
		{Name: corpus.Name, SHA256: corpus.SHA256(), Examples: len(collection)},
		{Name: corpus.BankName, SHA256: corpus.BankSHA256(), Examples: len(bank)},
	}

	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		return "", err
	}

	sum := classify.Checksum(buf.Bytes())
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write model: %w", err)
	}

	line := sum + "  " + filepath.Base(out) + "\n"
	if err := os.WriteFile(out+".sha256", []byte(line), 0o644); err != nil {
		return "", fmt.Errorf("write checksum: %w", err)
	}

	return sum, nil
}

func evalCmd() *cobra.Command {
	var (
		seed     uint64
		fraction float64
		folds    int
	)

	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Print held-out and cross-validated precision, recall, F1 and ROC AUC for spam",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			collection, bank, err := examples()
			if err != nil {
				return err
			}

			r, err := classify.Evaluate(collection, bank, classify.DefaultConfig,
				fraction, folds, seed)
			if err != nil {
				return err
			}

			printReport(cmd.OutOrStdout(), r, seed, fraction, folds)

			return nil
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", defaultSeed, "seed of the split and the folds")
	cmd.Flags().Float64Var(&fraction, "test-fraction", defaultTestFraction,
		"share of each class held out")
	cmd.Flags().IntVar(&folds, "folds", defaultFolds, "folds of the cross-validation")

	return cmd
}

func printReport(w io.Writer, r classify.Report, seed uint64, fraction float64, folds int) {
	fmt.Fprintf(w, "tested on: %s (sha256 %s)\n", corpus.Name, corpus.SHA256())
	fmt.Fprintf(w, "added to every training set, never tested on: %s (sha256 %s)\n",
		corpus.BankName, corpus.BankSHA256())
	fmt.Fprintf(w, "config: %s\n", mustJSON(classify.DefaultConfig))
	fmt.Fprintf(w, "held out (stratified, %.0f%% test, seed %d; train %d, test %d):\n  %v\n",
		fraction*100, seed, r.Train, r.Test, r.HeldOut)
	fmt.Fprintf(w, "%d-fold stratified cross-validation (seed %d):\n", folds, seed)

	for i, m := range r.Folds {
		fmt.Fprintf(w, "  fold %2d: %v\n", i+1, m)
	}

	fmt.Fprintf(w, "  mean   : precision %.4f  recall %.4f  F1 %.4f  ROC AUC %.4f  accuracy %.4f\n",
		r.Mean.Precision, r.Mean.Recall, r.Mean.F1, r.Mean.AUC, r.Mean.Accuracy)
	fmt.Fprintf(w, "  std dev: precision %.4f  recall %.4f  F1 %.4f  ROC AUC %.4f  accuracy %.4f\n",
		r.StdDev.Precision, r.StdDev.Recall, r.StdDev.F1, r.StdDev.AUC, r.StdDev.Accuracy)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}

	return string(b)
}

func classifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "classify MESSAGE...",
		Short: "Score messages with the shipped spam classifier",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := classify.Default()
			if err != nil {
				return err
			}

			for _, text := range args {
				verdict := "ham"
				if m.IsSpam(text) {
					verdict = "spam"
				}

				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%.4f\t%s\n",
					verdict, m.Score(text), oneLine(text))
			}

			return nil
		},
	}
}

func parseCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "parse MESSAGE...",
		Short: "Parse bank SMS into transactions, or say why they are not one",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			enc := json.NewEncoder(cmd.OutOrStdout())

			for _, text := range args {
				tx, err := smsparse.Parse(text)
				if err != nil {
					if err := enc.Encode(map[string]string{"error": err.Error()}); err != nil {
						return err
					}

					continue
				}

				if err := enc.Encode(tx); err != nil {
					return err
				}
			}

			return nil
		},
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
