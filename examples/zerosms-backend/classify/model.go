package classify

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the shipped model is embedded
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
)

// FormatVersion is the version of the model file format that this package
// reads and writes.
const FormatVersion = 1

// ErrCorruptModel is returned when a model file does not decode, does not
// match its checksum, or holds impossible counts.
var ErrCorruptModel = errors.New("classify: corrupt model")

// Metadata describes how a model was made.
type Metadata struct {
	// Format is FormatVersion.
	Format int `json:"format"`

	// Name names the model, and Version counts its releases.
	Name    string `json:"name"`
	Version string `json:"version"`

	// Corpora names the training data sets and the SHA-256 of each file.
	Corpora []Corpus `json:"corpora,omitempty"`

	// Examples and Spam count the training examples and the spam among them.
	Examples int `json:"examples"`
	Spam     int `json:"spam"`

	// Config is the training configuration.
	Config Config `json:"config"`

	// Threshold is the logit above which a message is spam, chosen by
	// cross-validation on the training examples.
	Threshold float64 `json:"threshold"`
}

// Corpus names a training data set and the SHA-256 of its file.
type Corpus struct {
	// Name names the data set.
	Name string `json:"name"`

	// SHA256 is the hex SHA-256 of its file.
	SHA256 string `json:"sha256"`

	// Examples counts its messages.
	Examples int `json:"examples"`
}

// Model is a trained spam classifier. It is safe for concurrent use.
type Model struct {
	// Metadata says how the model was made.
	Metadata Metadata

	weights *weights
	scratch sync.Pool
}

func newModel(cfg Config, w *weights, threshold float64, examples, spam int) *Model {
	return &Model{
		Metadata: Metadata{
			Format:    FormatVersion,
			Name:      "zerosms-spam",
			Version:   "1",
			Examples:  examples,
			Spam:      spam,
			Config:    cfg,
			Threshold: threshold,
		},
		weights: w,
	}
}

// weights are a logistic regression over hash buckets.
type weights struct {
	w    []float32
	bias float64
}

func (w *weights) logit(x vector) float64 {
	var sum float64
	for _, b := range x.buckets {
		sum += float64(w.w[b])
	}

	return w.bias + sum*x.value
}

// scratch is the per-call working memory of scoring, pooled. table is a
// small open-addressing set, sized to the message, that removes repeated
// features in linear time while staying in the processor's cache.
type scratch struct {
	feats []uint32
	norm  []byte
	table []uint32
}

// distinct removes repeated buckets from s.feats, keeping first occurrences.
func (s *scratch) distinct() {
	size := 64
	for size < 2*len(s.feats) {
		size <<= 1
	}

	if cap(s.table) < size {
		s.table = make([]uint32, size)
	}

	t := s.table[:size]
	clear(t)

	mask := uint32(size - 1)
	out := s.feats[:0]

	for _, b := range s.feats {
		key := b + 1 // 0 marks an empty slot; buckets stay below 2^24
		for i := (b * 2654435761) & mask; ; i = (i + 1) & mask {
			if t[i] == key {
				break
			}

			if t[i] == 0 {
				t[i] = key
				out = append(out, b)

				break
			}
		}
	}

	s.feats = out
}

// features extracts a message's features into pooled scratch space; the
// caller puts the scratch back.
func (m *Model) features(text string) *scratch {
	s, _ := m.scratch.Get().(*scratch)
	if s == nil {
		s = &scratch{feats: make([]uint32, 0, 512), norm: make([]byte, 0, 256)}
	}

	s.feats, s.norm = m.Metadata.Config.Features.extract(s.feats[:0], s.norm, text)
	s.distinct()

	return s
}

// Logit returns the log-odds that text is spam; above Metadata.Threshold it is
// classified as spam.
func (m *Model) Logit(text string) float64 {
	s := m.features(text)
	defer m.scratch.Put(s)

	return m.weights.logit(newVector(s.feats))
}

// Score returns the model's probability that text is spam, between 0 and 1.
// IsSpam decides at the threshold chosen in training, which need not be 0.5.
func (m *Model) Score(text string) float64 {
	return Sigmoid(m.Logit(text))
}

// IsSpam reports whether text is spam or phishing at the model's threshold.
func (m *Model) IsSpam(text string) bool {
	return m.Logit(text) > m.Metadata.Threshold
}

// Sigmoid turns a logit into a probability.
func Sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// fileModel is the encoded form of a model.
type fileModel struct {
	Metadata
	Bias    float64       `json:"bias"`
	Weights []bucketValue `json:"weights"`
}

// bucketValue is one non-zero weight, encoded as [bucket, weight].
type bucketValue struct {
	bucket uint32
	weight float32
}

// UnmarshalJSON reads [bucket, weight].
func (b *bucketValue) UnmarshalJSON(data []byte) error {
	var pair [2]json.Number
	if err := json.Unmarshal(data, &pair); err != nil {
		return err
	}

	bucket, err := strconv.ParseUint(string(pair[0]), 10, 32)
	if err != nil {
		return err
	}

	w, err := strconv.ParseFloat(string(pair[1]), 32)
	if err != nil {
		return err
	}

	b.bucket, b.weight = uint32(bucket), float32(w)

	return nil
}

// Encode writes the model as JSON: its metadata, its bias, then one line per
// non-zero weight ([bucket, weight]) in bucket order, so that the same model
// always encodes to the same bytes.
func (m *Model) Encode(w io.Writer) error {
	head, err := json.MarshalIndent(fileModel{Metadata: m.Metadata, Bias: m.weights.bias}, "", "  ")
	if err != nil {
		return fmt.Errorf("classify: encode model: %w", err)
	}

	var buf bytes.Buffer
	buf.Write(bytes.TrimSuffix(head, []byte("null\n}")))
	buf.WriteString("[")

	sep := "\n    "
	for b, x := range m.weights.w {
		if x == 0 {
			continue
		}

		fmt.Fprintf(&buf, "%s[%d,%s]", sep, b, strconv.FormatFloat(float64(x), 'g', -1, 32))
		sep = ",\n    "
	}

	buf.WriteString("\n  ]\n}\n")

	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("classify: write model: %w", err)
	}

	return nil
}

// Checksum returns the hex SHA-256 of an encoded model.
func Checksum(encoded []byte) string {
	sum := sha256.Sum256(encoded)

	return hex.EncodeToString(sum[:])
}

// Decode reads a model written by Encode. When checksum is not empty the
// encoded bytes must have that SHA-256 (hex).
func Decode(encoded []byte, checksum string) (*Model, error) {
	if checksum != "" && Checksum(encoded) != strings.ToLower(strings.TrimSpace(checksum)) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorruptModel)
	}

	var f fileModel
	if err := json.Unmarshal(encoded, &f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptModel, err)
	}

	if f.Format != FormatVersion {
		return nil, fmt.Errorf("%w: format %d, want %d", ErrCorruptModel, f.Format, FormatVersion)
	}

	if err := f.Config.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptModel, err)
	}

	w := &weights{w: make([]float32, 1<<f.Config.Features.Bits), bias: f.Bias}
	for _, bv := range f.Weights {
		x := float64(bv.weight)
		if int(bv.bucket) >= len(w.w) || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: bad weight [%d, %v]", ErrCorruptModel, bv.bucket, bv.weight)
		}

		w.w[bv.bucket] = bv.weight
	}

	if math.IsNaN(f.Bias) || math.IsInf(f.Bias, 0) || math.IsNaN(f.Threshold) {
		return nil, fmt.Errorf("%w: bad bias or threshold", ErrCorruptModel)
	}

	return &Model{Metadata: f.Metadata, weights: w}, nil
}

//go:embed model/spam.json
var shippedModel []byte

//go:embed model/spam.json.sha256
var shippedChecksum string

// ShippedChecksum returns the SHA-256 recorded for the embedded model, the
// first field of model/spam.json.sha256.
func ShippedChecksum() string {
	sum, _, _ := strings.Cut(strings.TrimSpace(shippedChecksum), " ")

	return sum
}

// ShippedModel returns the embedded encoded model.
func ShippedModel() []byte { return bytes.Clone(shippedModel) }

var loadShipped = sync.OnceValues(func() (*Model, error) {
	return Decode(shippedModel, ShippedChecksum())
})

// Default returns the shipped model, decoded once and checked against its
// checksum.
func Default() (*Model, error) {
	return loadShipped()
}
