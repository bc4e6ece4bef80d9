package classify

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Example is one labelled message.
type Example struct {
	// Text is the message.
	Text string

	// Spam is true for spam or phishing, false for a wanted message.
	Spam bool
}

// Config is what training needs besides the examples. Every field is recorded
// in the model's metadata.
type Config struct {
	// Features says how a message becomes features.
	Features Features `json:"features"`

	// Epochs is the number of passes of stochastic gradient descent.
	Epochs int `json:"epochs"`

	// Rate is the initial learning rate; it decays as Rate/(1+Rate*L2*t).
	Rate float64 `json:"rate"`

	// L2 is the strength of the L2 penalty on the weights.
	L2 float64 `json:"l2"`

	// Prune drops weights whose magnitude is below it once trained, which keeps
	// the artefact small.
	Prune float64 `json:"prune"`

	// ThresholdFolds is the number of cross-validation folds, over the training
	// examples only, whose out-of-fold scores choose the decision threshold.
	ThresholdFolds int `json:"threshold_folds"`

	// Seed fixes the order of the examples in each epoch and the folds.
	Seed uint64 `json:"seed"`
}

// DefaultConfig is the configuration of the shipped model.
var DefaultConfig = Config{
	Features:       DefaultFeatures,
	Epochs:         12,
	Rate:           0.5,
	L2:             1e-5,
	Prune:          1e-3,
	ThresholdFolds: 5,
	Seed:           20111,
}

// ErrNoExamples is returned when training has no example of one of the classes.
var ErrNoExamples = errors.New("classify: need examples of both classes")

// vector is a message's features: distinct hash buckets, each of value
// 1/sqrt(len), so that every message has unit length.
type vector struct {
	buckets []uint32
	value   float64
}

// toVector sorts and dedupes buckets into a vector.
func toVector(buckets []uint32) vector {
	return newVector(dedupe(buckets))
}

// newVector makes a vector of distinct buckets.
func newVector(buckets []uint32) vector {
	if len(buckets) == 0 {
		return vector{}
	}

	return vector{buckets: buckets, value: 1 / math.Sqrt(float64(len(buckets)))}
}

func dedupe(f []uint32) []uint32 {
	slices.Sort(f)

	return slices.Compact(f)
}

// featurize turns examples into vectors once, so that cross-validation does not
// extract them again for every fold.
func featurize(cfg Config, examples []Example) []vector {
	out := make([]vector, len(examples))

	var norm []byte
	for i, ex := range examples {
		var f []uint32
		f, norm = cfg.Features.extract(nil, norm, ex.Text)
		out[i] = toVector(f)
	}

	return out
}

// Train fits a logistic regression to the examples by stochastic gradient
// descent and chooses its decision threshold by cross-validation over the same
// examples. Training is deterministic: the same examples and configuration give
// the same model, byte for byte once encoded (on the same architecture).
func Train(examples []Example, cfg Config) (*Model, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}

	spam := labels(examples)
	if !bothClasses(spam) {
		return nil, ErrNoExamples
	}

	vecs := featurize(cfg, examples)
	all := make([]int, len(examples))

	for i := range all {
		all[i] = i
	}

	w := fit(cfg, vecs, spam, all)

	threshold, err := chooseThreshold(cfg, vecs, spam)
	if err != nil {
		return nil, err
	}

	return newModel(cfg, w, threshold, len(examples), count(spam)), nil
}

func (cfg Config) validate() error {
	f := cfg.Features

	switch {
	case f.Bits < 8 || f.Bits > 24:
		return fmt.Errorf("classify: feature bits %d outside 8..24", f.Bits)
	case f.CharMin < 1 || f.CharMax < f.CharMin || f.CharMax > 8:
		return fmt.Errorf("classify: character n-grams %d..%d invalid", f.CharMin, f.CharMax)
	case cfg.Epochs < 1 || !(cfg.Rate > 0) || !(cfg.L2 >= 0) || math.IsInf(cfg.Rate+cfg.L2, 0):
		return fmt.Errorf("classify: epochs %d, rate %v, l2 %v invalid",
			cfg.Epochs, cfg.Rate, cfg.L2)
	case cfg.ThresholdFolds < 2:
		return fmt.Errorf("classify: %d threshold folds, need at least 2", cfg.ThresholdFolds)
	}

	return nil
}

// fit runs SGD on the logistic loss over the examples at idx. The L2 decay is
// kept in a scale factor so that each step costs only the example's features.
func fit(cfg Config, vecs []vector, spam []bool, idx []int) *weights {
	v := make([]float64, 1<<cfg.Features.Bits)
	scale, bias := 1.0, 0.0
	order := slices.Clone(idx)
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x6a09e667f3bcc908))
	t := 0.0

	for range cfg.Epochs {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })

		for _, i := range order {
			rate := cfg.Rate / (1 + cfg.Rate*cfg.L2*t)
			t++

			x := vecs[i]
			z := bias
			for _, b := range x.buckets {
				z += scale * v[b] * x.value
			}

			g := Sigmoid(z) - target(spam[i])
			scale *= 1 - rate*cfg.L2
			step := rate * g * x.value / scale

			for _, b := range x.buckets {
				v[b] -= step
			}

			bias -= rate * g
			if scale < 1e-9 {
				rescale(v, &scale)
			}
		}
	}

	return finish(v, scale, bias, cfg.Prune)
}

func target(spam bool) float64 {
	if spam {
		return 1
	}

	return 0
}

func rescale(v []float64, scale *float64) {
	for b := range v {
		v[b] *= *scale
	}

	*scale = 1
}

// finish folds the scale into the weights, rounds them to float32 (the
// precision they are stored in) and drops those below prune.
func finish(v []float64, scale, bias, prune float64) *weights {
	w := make([]float32, len(v))
	for b, x := range v {
		if x *= scale; math.Abs(x) >= prune {
			w[b] = float32(x)
		}
	}

	return &weights{w: w, bias: float64(float32(bias))}
}

// chooseThreshold returns the logit threshold that maximises spam F1 over the
// out-of-fold scores of a stratified cross-validation of the examples.
func chooseThreshold(cfg Config, vecs []vector, spam []bool) (float64, error) {
	folds := stratifiedFolds(spam, cfg.ThresholdFolds, cfg.Seed)
	scores := make([]float64, len(vecs))

	for k := range folds {
		train, test := foldSplit(folds, k)
		if !bothClasses(pickBools(spam, train)) {
			return 0, ErrNoExamples
		}

		w := fit(cfg, vecs, spam, train)
		for _, i := range test {
			scores[i] = w.logit(vecs[i])
		}
	}

	return float64(float32(bestThreshold(spam, scores))), nil
}

func labels(examples []Example) []bool {
	out := make([]bool, len(examples))
	for i, ex := range examples {
		out[i] = ex.Spam
	}

	return out
}

func pickBools(b []bool, idx []int) []bool {
	out := make([]bool, len(idx))
	for i, j := range idx {
		out[i] = b[j]
	}

	return out
}

func count(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}

	return n
}

func bothClasses(spam []bool) bool {
	n := count(spam)

	return n > 0 && n < len(spam)
}
