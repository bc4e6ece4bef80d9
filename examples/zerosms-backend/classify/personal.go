package classify

import (
	"errors"
	"sync"
	"sync/atomic"
)

// PersonalConfig tunes the per-user models. Its zero value uses the defaults
// named on each field.
type PersonalConfig struct {
	// Epochs is the number of passes over a user's labels at each retraining;
	// 0 means 20.
	Epochs int

	// Rate is the learning rate of the user's delta; 0 means 0.5.
	Rate float64

	// L2 pulls the user's delta towards the shared model; 0 means 1e-3.
	L2 float64

	// MaxLabels bounds the labels kept per user; the oldest go first. 0 means
	// 500.
	MaxLabels int
}

func (c PersonalConfig) withDefaults() PersonalConfig {
	if c.Epochs <= 0 {
		c.Epochs = 20
	}

	if c.Rate <= 0 {
		c.Rate = 0.5
	}

	if c.L2 <= 0 {
		c.L2 = 1e-3
	}

	if c.MaxLabels <= 0 {
		c.MaxLabels = 500
	}

	return c
}

// ErrNoUser is returned for an empty user id.
var ErrNoUser = errors.New("classify: empty user id")

// Personal scores messages for each user with the shared model plus a delta
// fitted to that user's own labels only. A user's labels and delta are never
// read for another user, and the shared model is never changed, so that no
// user's messages leak into another's classifier. It is safe for concurrent
// use.
type Personal struct {
	base *Model
	cfg  PersonalConfig

	mu    sync.Mutex
	users map[string]*userSlot
}

// userSlot holds one user's model. Retraining a user takes only that user's
// lock, so that it never holds up other users; readers load the model
// without locking.
type userSlot struct {
	mu    sync.Mutex
	model atomic.Pointer[personal]
}

// personal is one user's labels and delta. It is replaced, never changed, once
// published in a userSlot.
type personal struct {
	labels []userLabel
	delta  map[uint32]float64
	bias   float64
}

type userLabel struct {
	x    vector
	base float64
	spam bool
}

// NewPersonal returns per-user models on top of base.
func NewPersonal(base *Model, cfg PersonalConfig) *Personal {
	return &Personal{base: base, cfg: cfg.withDefaults(), users: map[string]*userSlot{}}
}

// Label records that user says text is spam (or not) and retrains that
// user's delta from all of the user's labels.
func (p *Personal) Label(user, text string, spam bool) error {
	if user == "" {
		return ErrNoUser
	}

	x, base := p.vector(text)
	lbl := userLabel{x: x, base: base, spam: spam}

	slot := p.slot(user, true)
	slot.mu.Lock()
	defer slot.mu.Unlock()

	var labels []userLabel
	if u := slot.model.Load(); u != nil {
		labels = append(labels, u.labels...)
	}

	labels = append(labels, lbl)
	if n := len(labels) - p.cfg.MaxLabels; n > 0 {
		labels = labels[n:]
	}

	slot.model.Store(p.fit(labels))

	return nil
}

// slot returns user's slot, creating it when create is set.
func (p *Personal) slot(user string, create bool) *userSlot {
	p.mu.Lock()
	defer p.mu.Unlock()

	s := p.users[user]
	if s == nil && create {
		s = &userSlot{}
		p.users[user] = s
	}

	return s
}

// model returns user's current model, or nil.
func (p *Personal) model(user string) *personal {
	if s := p.slot(user, false); s != nil {
		return s.model.Load()
	}

	return nil
}

// vector extracts the features of text once, with the shared model's logit.
func (p *Personal) vector(text string) (vector, float64) {
	var norm []byte

	feats, _ := p.base.Metadata.Config.Features.extract(nil, norm, text)
	x := toVector(feats)

	return x, p.base.weights.logit(x)
}

// fit trains a user's delta by SGD on the logistic loss of the shared logit
// plus the delta, over the labels in order.
func (p *Personal) fit(labels []userLabel) *personal {
	u := &personal{labels: labels, delta: map[uint32]float64{}}

	for range p.cfg.Epochs {
		for _, l := range labels {
			z := l.base + u.bias + u.deltaLogit(l.x)
			g := Sigmoid(z) - target(l.spam)

			for _, b := range l.x.buckets {
				d := u.delta[b]
				u.delta[b] = d - p.cfg.Rate*(g*l.x.value+p.cfg.L2*d)
			}

			u.bias -= p.cfg.Rate * g * 0.1
		}
	}

	return u
}

func (u *personal) deltaLogit(x vector) float64 {
	var sum float64
	for _, b := range x.buckets {
		sum += u.delta[b]
	}

	return sum * x.value
}

// Logit returns the log-odds that text is spam for user.
func (p *Personal) Logit(user, text string) float64 {
	u := p.model(user)
	if u == nil {
		return p.base.Logit(text)
	}

	x, base := p.vector(text)

	return base + u.bias + u.deltaLogit(x)
}

// IsSpam reports whether text is spam for user, at the shared threshold.
func (p *Personal) IsSpam(user, text string) bool {
	return p.Logit(user, text) > p.base.Metadata.Threshold
}

// Labels returns how many labels user has given.
func (p *Personal) Labels(user string) int {
	if u := p.model(user); u != nil {
		return len(u.labels)
	}

	return 0
}

// Forget drops everything known about user; a Label of the same user that
// runs at the same time is dropped with the rest.
func (p *Personal) Forget(user string) {
	p.mu.Lock()
	defer p.mu.Unlock()

	delete(p.users, user)
}
