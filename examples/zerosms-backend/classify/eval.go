package classify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Metrics are the figures of a classifier for the spam class on a set of
// labelled messages.
type Metrics struct {
	// TP, FP, TN and FN count true and false positives and negatives, spam
	// being the positive class.
	TP, FP, TN, FN int

	// Precision, Recall and F1 are for spam at the model's threshold.
	Precision, Recall, F1 float64

	// Accuracy is the share of messages classified right.
	Accuracy float64

	// AUC is the area under the ROC curve of the scores, independent of the
	// threshold: the probability that a random spam scores above a random ham.
	AUC float64
}

// String formats the figures on one line.
func (m Metrics) String() string {
	return fmt.Sprintf("precision %.4f  recall %.4f  F1 %.4f  ROC AUC %.4f  accuracy %.4f"+
		"  (TP %d FP %d TN %d FN %d)",
		m.Precision, m.Recall, m.F1, m.AUC, m.Accuracy, m.TP, m.FP, m.TN, m.FN)
}

// Measure computes the metrics of logits against labels at a threshold.
func Measure(spam []bool, logits []float64, threshold float64) Metrics {
	var m Metrics

	for i, s := range spam {
		pred := logits[i] > threshold
		switch {
		case s && pred:
			m.TP++
		case s:
			m.FN++
		case pred:
			m.FP++
		default:
			m.TN++
		}
	}

	m.Precision = ratio(m.TP, m.TP+m.FP)
	m.Recall = ratio(m.TP, m.TP+m.FN)
	m.F1 = ratio(2*m.TP, 2*m.TP+m.FP+m.FN)
	m.Accuracy = ratio(m.TP+m.TN, len(spam))
	m.AUC = rocAUC(spam, logits)

	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}

	return float64(a) / float64(b)
}

// rocAUC is the Mann-Whitney U statistic of the scores, with ties counted
// half.
func rocAUC(spam []bool, scores []float64) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}

	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(scores[a], scores[b]) })

	var rankSum float64

	pos := 0
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}

		rank := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			if spam[idx[k]] {
				rankSum += rank
				pos++
			}
		}

		i = j
	}

	neg := len(idx) - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}

	return (rankSum - float64(pos*(pos+1))/2) / float64(pos*neg)
}

// bestThreshold returns the threshold that maximises F1, halfway between two
// adjacent distinct scores, in one sweep over the sorted scores.
func bestThreshold(spam []bool, logits []float64) float64 {
	idx := make([]int, len(logits))
	for i := range idx {
		idx[i] = i
	}

	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(logits[a], logits[b]) })

	tp := 0
	for _, s := range spam {
		if s {
			tp++
		}
	}

	// Start with every message predicted spam and raise the threshold past one
	// group of equal scores at a time.
	fp := len(spam) - tp
	fn := 0
	best, bestF1 := math.Inf(-1), ratio(2*tp, 2*tp+fp+fn)

	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && logits[idx[j]] == logits[idx[i]] {
			if spam[idx[j]] {
				tp--
				fn++
			} else {
				fp--
			}
			j++
		}

		if j < len(idx) {
			t := (logits[idx[i]] + logits[idx[j]]) / 2
			if f1 := ratio(2*tp, 2*tp+fp+fn); f1 > bestF1 {
				best, bestF1 = t, f1
			}
		}

		i = j
	}

	return best
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}

	return 0
}

// stratifiedFolds deals the indices of each class, shuffled with the seed, into
// k folds in turn, so that every fold has the corpus's share of spam.
func stratifiedFolds(spam []bool, k int, seed uint64) [][]int {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	folds := make([][]int, k)

	for _, want := range []bool{false, true} {
		var idx []int
		for i, s := range spam {
			if s == want {
				idx = append(idx, i)
			}
		}

		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })

		for n, i := range idx {
			folds[n%k] = append(folds[n%k], i)
		}
	}

	for _, f := range folds {
		slices.Sort(f)
	}

	return folds
}

// foldSplit returns the indices outside fold k and those in it.
func foldSplit(folds [][]int, k int) (train, test []int) {
	for j, f := range folds {
		if j == k {
			test = append(test, f...)
		} else {
			train = append(train, f...)
		}
	}

	slices.Sort(train)

	return train, test
}

// Split divides examples into a training and a held-out test set, stratified
// by class, with a fixed seed. testFraction is the share held out.
func Split(examples []Example, testFraction float64, seed uint64) (train, test []Example) {
	rng := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))

	for _, want := range []bool{false, true} {
		var cls []Example
		for _, ex := range examples {
			if ex.Spam == want {
				cls = append(cls, ex)
			}
		}

		rng.Shuffle(len(cls), func(a, b int) { cls[a], cls[b] = cls[b], cls[a] })

		n := int(math.Round(testFraction * float64(len(cls))))
		test = append(test, cls[:n]...)
		train = append(train, cls[n:]...)
	}

	return train, test
}

// Report is the result of Evaluate.
type Report struct {
	// Train and Test count the examples of the held-out split.
	Train, Test int

	// HeldOut are the metrics on the test split of a model trained on the
	// training split alone.
	HeldOut Metrics

	// Folds are the metrics of each fold of the cross-validation over all
	// examples; Mean and StdDev summarise them.
	Folds        []Metrics
	Mean, StdDev Metrics
}

// Evaluate measures cfg on examples: a model trained on a stratified split
// (testFraction held out, seed fixed) scored on the held-out part, and a
// stratified k-fold cross-validation over all examples. extra examples join
// every training set and are never tested on. Each model chooses its threshold
// from its own training examples only.
func Evaluate(examples, extra []Example, cfg Config, testFraction float64, k int,
	seed uint64) (Report, error) {
	train, test := Split(examples, testFraction, seed)

	held, err := trainAndMeasure(append(train, extra...), test, cfg)
	if err != nil {
		return Report{}, err
	}

	r := Report{Train: len(train), Test: len(test), HeldOut: held}
	folds := stratifiedFolds(labels(examples), k, seed)

	for f := range folds {
		tr, te := foldSplit(folds, f)

		m, err := trainAndMeasure(append(pick(examples, tr), extra...), pick(examples, te), cfg)
		if err != nil {
			return Report{}, err
		}

		r.Folds = append(r.Folds, m)
	}

	r.Mean, r.StdDev = summarise(r.Folds)

	return r, nil
}

func trainAndMeasure(train, test []Example, cfg Config) (Metrics, error) {
	m, err := Train(train, cfg)
	if err != nil {
		return Metrics{}, err
	}

	logits := make([]float64, len(test))
	for i, ex := range test {
		logits[i] = m.Logit(ex.Text)
	}

	return Measure(labels(test), logits, m.Metadata.Threshold), nil
}

func pick(examples []Example, idx []int) []Example {
	out := make([]Example, len(idx))
	for i, j := range idx {
		out[i] = examples[j]
	}

	return out
}

// summarise returns the mean and the sample standard deviation of the
// precision, recall, F1, accuracy and AUC of the folds.
func summarise(folds []Metrics) (mean, sd Metrics) {
	get := []func(*Metrics) *float64{
		func(m *Metrics) *float64 { return &m.Precision },
		func(m *Metrics) *float64 { return &m.Recall },
		func(m *Metrics) *float64 { return &m.F1 },
		func(m *Metrics) *float64 { return &m.Accuracy },
		func(m *Metrics) *float64 { return &m.AUC },
	}

	n := float64(len(folds))
	for _, g := range get {
		var sum, sq float64
		for i := range folds {
			sum += *g(&folds[i])
		}

		mu := sum / n
		for i := range folds {
			d := *g(&folds[i]) - mu
			sq += d * d
		}

		*g(&mean) = mu
		if n > 1 {
			*g(&sd) = math.Sqrt(sq / (n - 1))
		}
	}

	return mean, sd
}
