package revoke

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ztkit/ztkit/zt"
)

// DefaultTTL is how long an Entry without an expiry stays in force when
// Config.DefaultTTL is zero.
const DefaultTTL = 24 * time.Hour

// numShards splits the set so that a write copies a small part of it.
const numShards = 64

// Config configures a List. The zero Config is ready to use.
type Config struct {
	// DefaultTTL is the lifetime of an Entry applied without an expiry. Zero
	// means DefaultTTL (24 hours). Set it at least as long as the longest
	// lifetime of a token or session, or a revoked session could outlive its
	// revocation.
	DefaultTTL time.Duration

	// Now returns the current time; nil means time.Now. Tests replace it.
	Now func() time.Time

	// OnRevoke, when set, is called after entries are applied, with the
	// entries that were new or extended, for example to write an audit event.
	// It must not block and must not call back into the List.
	OnRevoke func(entries []Entry)

	// OnLift, when set, is called after a Lift withdrew an entry that was in
	// force, with its kind and value, for example to write an audit event: a
	// lift grants access back and deserves the same record as a revocation.
	// Lifts that a redissync.Replicator applies (from another replica or a
	// resync) call it too. It must not block and must not call back into the
	// List.
	OnLift func(k Kind, value string)
}

// RevokedError is the cause carried by the *zt.Error that CheckRevoked returns
// for a revoked principal. It names the facet that was revoked but not its
// value.
type RevokedError struct {
	// Kind is the revoked facet.
	Kind Kind

	// Reason is the reason code of the Entry, possibly empty.
	Reason string
}

// Error returns "revoke: <kind> revoked".
func (e *RevokedError) Error() string {
	return "revoke: " + e.Kind.String() + " revoked"
}

type record struct {
	expires      int64 // Unix nanoseconds
	issuedBefore int64 // Unix nanoseconds; 0 refuses every credential
	reason       string
}

// merge combines r with a new entry: the later expiry, and the wider
// issued-before bound. It reports whether anything changed.
func (r record) merge(n record) (record, bool) {
	out := r
	out.expires = max(r.expires, n.expires)

	if r.issuedBefore != 0 && (n.issuedBefore == 0 || n.issuedBefore > r.issuedBefore) {
		out.issuedBefore = n.issuedBefore
	}

	if out != r {
		out.reason = n.reason
	}

	return out, out != r
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}

	return t.UnixNano()
}

// refuses reports whether r applies to a credential issued at iat (the zero
// time when unknown).
func (r record) refuses(iat time.Time) bool {
	return r.issuedBefore == 0 || iat.IsZero() || iat.UnixNano() < r.issuedBefore
}

// snapshot is the immutable content of a shard: one map per kind, keyed by
// value, so that a lookup hashes the value once.
type snapshot [numKinds]map[string]record

type shard struct {
	mu  sync.Mutex // serializes writers; readers never take it
	set atomic.Pointer[snapshot]
	_   [40]byte // keeps hot shards on separate cache lines
}

// List is an in-memory set of revocations, safe for concurrent use.
//
// Reads take no lock and allocate nothing: each shard of the set is an
// immutable map behind an atomic pointer, and a write replaces the map of the
// shard it touches (copy on write), dropping expired entries as it goes.
// Writes are therefore O(n/64) for a set of n entries; revocations are rare
// next to lookups. Use RevokeAll to apply many entries with one copy per shard.
//
// Lift withdraws an entry before it expires (a quarantine that is over, a
// mistaken revocation); the next lookup no longer sees it.
type List struct {
	seed       uint64
	ttl        time.Duration
	now        func() time.Time
	onRevoke   func([]Entry)
	onLift     func(Kind, string)
	shards     [numShards]shard
	generation atomic.Uint64
}

// NewList returns an empty List configured by cfg.
func NewList(cfg Config) *List {
	l := &List{
		seed:     maphash.Comparable(maphash.MakeSeed(), 0),
		ttl:      cfg.DefaultTTL,
		now:      cfg.Now,
		onRevoke: cfg.OnRevoke,
		onLift:   cfg.OnLift,
	}

	if l.ttl <= 0 {
		l.ttl = DefaultTTL
	}

	if l.now == nil {
		l.now = time.Now
	}

	empty := &snapshot{}
	for i := range l.shards {
		l.shards[i].set.Store(empty)
	}

	return l
}

// shardOf picks the shard of a value from its length and last eight bytes,
// mixed with a per-List seed: cheap, and even for the random identifiers
// (jti, sid) that make up most entries. A skewed spread only makes writes
// to the crowded shard slower; lookups stay one map access.
func (l *List) shardOf(k Kind, value string) *shard {
	h := l.seed ^ uint64(len(value)) ^ uint64(k)<<56
	for i := len(value) - 1; i >= 0 && i >= len(value)-8; i-- {
		h = (h ^ uint64(value[i])) * 0x100000001b3
	}

	return &l.shards[(h^h>>29)%numShards]
}

// Revoke applies one entry. An entry that has already expired is ignored; an
// entry for a value already revoked keeps the later of the two expiries.
func (l *List) Revoke(e Entry) error {
	return l.RevokeAll([]Entry{e})
}

// RevokeAll applies entries, validating all of them before applying any.
func (l *List) RevokeAll(entries []Entry) error {
	now := l.now()

	byShard := make(map[*shard][]Entry, len(entries))
	for i, e := range entries {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}

		if e.Expires.IsZero() {
			e.Expires = now.Add(l.ttl)
		}

		if !e.Expires.After(now) {
			continue
		}

		s := l.shardOf(e.Kind, e.Value)
		byShard[s] = append(byShard[s], e)
	}

	var applied []Entry
	for s, es := range byShard {
		applied = append(applied, s.apply(es, now.UnixNano())...)
	}

	if len(applied) > 0 {
		l.generation.Add(1)

		if l.onRevoke != nil {
			l.onRevoke(applied)
		}
	}

	return nil
}

// apply copies the shard's map without its expired entries, adds es and
// publishes the copy. It returns the entries that were new or extended.
func (s *shard) apply(es []Entry, now int64) []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()

	next := s.set.Load().without(now)

	var applied []Entry
	for _, e := range es {
		r := record{
			expires: e.Expires.UnixNano(), issuedBefore: nanos(e.IssuedBefore), reason: e.Reason,
		}

		if cur, ok := next[e.Kind][e.Value]; ok {
			merged, changed := cur.merge(r)
			if !changed {
				continue
			}

			r = merged
		}

		if next[e.Kind] == nil {
			next[e.Kind] = map[string]record{}
		}

		next[e.Kind][e.Value] = r
		applied = append(applied, e)
	}

	s.set.Store(next)

	return applied
}

// without returns a copy of s without the entries expired at now.
func (s *snapshot) without(now int64) *snapshot {
	next := &snapshot{}

	for k, m := range s {
		if len(m) == 0 {
			continue
		}

		next[k] = make(map[string]record, len(m))
		for v, r := range m {
			if r.expires > now {
				next[k][v] = r
			}
		}
	}

	return next
}

// count returns the number of entries of s, and of those expired at now.
func (s *snapshot) count(now int64) (all, expired int) {
	for _, m := range s {
		all += len(m)

		for _, r := range m {
			if r.expires <= now {
				expired++
			}
		}
	}

	return all, expired
}

// Revoked reports whether value of the given kind is revoked now, and if so
// the entry that revokes it.
func (l *List) Revoked(k Kind, value string) (Entry, bool) {
	r, ok := l.lookup(k, value)
	if !ok {
		return Entry{}, false
	}

	return r.entry(k, value), true
}

func (r record) entry(k Kind, value string) Entry {
	e := Entry{Kind: k, Value: value, Expires: time.Unix(0, r.expires), Reason: r.reason}
	if r.issuedBefore != 0 {
		e.IssuedBefore = time.Unix(0, r.issuedBefore)
	}

	return e
}

func (l *List) lookup(k Kind, value string) (record, bool) {
	if value == "" {
		return record{}, false
	}

	if k >= numKinds {
		return record{}, false
	}

	r, ok := l.shardOf(k, value).set.Load()[k][value]
	if !ok || r.expires <= l.now().UnixNano() {
		return record{}, false
	}

	return r, true
}

// CheckRevoked implements zt.RevocationChecker. It returns a *zt.Error of kind
// zt.ErrRevoked, code invalid_token and reason zt.ReasonRevoked, wrapping a
// *RevokedError, when p's token, session, subject, device or workload is
// revoked, and nil otherwise (also for a nil p).
func (l *List) CheckRevoked(_ context.Context, p *zt.Principal) error {
	if p == nil {
		return nil
	}

	var iat time.Time
	if p.Token != nil {
		iat = p.Token.IssuedAt
		if err := l.check(Token, p.Token.ID, iat); err != nil {
			return err
		}
	}

	if p.User != nil {
		if err := l.check(Session, p.User.SessionID, iat); err != nil {
			return err
		}

		if err := l.check(Subject, p.User.ID, iat); err != nil {
			return err
		}
	}

	if p.Device != nil {
		if err := l.check(Device, p.Device.ID, iat); err != nil {
			return err
		}
	}

	if p.Workload != nil {
		return l.check(Workload, p.Workload.ID, iat)
	}

	return nil
}

func (l *List) check(k Kind, value string, iat time.Time) error {
	r, ok := l.lookup(k, value)
	if !ok || !r.refuses(iat) {
		return nil
	}

	cause := &RevokedError{Kind: k, Reason: r.reason}

	return zt.NewError(zt.ErrRevoked, zt.CodeInvalidToken, zt.ReasonRevoked, cause)
}

// Entries returns every entry in force now, in no particular order.
func (l *List) Entries() []Entry {
	now := l.now().UnixNano()

	var out []Entry
	for i := range l.shards {
		for k, m := range l.shards[i].set.Load() {
			for v, r := range m {
				if r.expires > now {
					out = append(out, r.entry(Kind(k), v))
				}
			}
		}
	}

	return out
}

// Len returns the number of entries held, including expired ones that have
// not been swept yet.
func (l *List) Len() int {
	n := 0
	for i := range l.shards {
		all, _ := l.shards[i].set.Load().count(0)
		n += all
	}

	return n
}

// Generation returns a counter that grows each time entries are applied or
// lifted, so that a cache can tell whether the set changed.
func (l *List) Generation() uint64 {
	return l.generation.Load()
}

// Sweep drops expired entries and returns how many it dropped. Writes drop
// the expired entries of the shard they touch; call Sweep now and then (the
// redissync replicator does) to reclaim the rest.
func (l *List) Sweep() int {
	now := l.now().UnixNano()
	dropped := 0

	for i := range l.shards {
		dropped += l.shards[i].sweep(now)
	}

	return dropped
}

func (s *shard) sweep(now int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()

	old := s.set.Load()

	_, expired := old.count(now)
	if expired > 0 {
		s.set.Store(old.without(now))
	}

	return expired
}

// Lift withdraws the revocation of value of the given kind before it expires,
// so that the principal is accepted again from its next request or
// handshake. It reports whether an entry in force was withdrawn. Lookups
// stay lock-free: the shard's map is copied without the entry and published.
//
// A Lift is local; redissync.Replicator.Lift withdraws the entry on every
// replica. A revocation applied again afterwards takes effect again.
func (l *List) Lift(k Kind, value string) (bool, error) {
	if err := (Entry{Kind: k, Value: value}).Validate(); err != nil {
		return false, err
	}

	now := l.now().UnixNano()
	if !l.shardOf(k, value).lift(k, value, now) {
		return false, nil
	}

	l.generation.Add(1)

	if l.onLift != nil {
		l.onLift(k, value)
	}

	return true, nil
}

// lift publishes a copy of the shard without value and its expired entries,
// and reports whether value was in force.
func (s *shard) lift(k Kind, value string, now int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	cur := s.set.Load()

	r, ok := cur[k][value]
	if !ok {
		return false
	}

	next := cur.without(now)
	delete(next[k], value)
	s.set.Store(next)

	return r.expires > now
}

var _ zt.RevocationChecker = (*List)(nil)
