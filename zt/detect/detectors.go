package detect

import (
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

// hostileSource is a source address that brute-forced: until when it is
// remembered, the accounts it attacked, and whether it sprayed many.
type hostileSource struct {
	until    int64 // Unix ns
	accounts []string
	spray    bool
}

// maxHostileAccounts bounds the accounts remembered per source; a source
// that attacked more counts as spraying.
const maxHostileAccounts = 16

// attacked reports whether a sign-in to account from this source is likely
// the attacker's.
func (h *hostileSource) attacked(account string) bool {
	return h.spray || slices.Contains(h.accounts, account)
}

func (m *Monitor) failedLogin(e *audit.Event, now time.Time) {
	t := now.UnixNano()
	src := sourceOf(e.SourceAddr)

	m.mu.Lock()
	byUser := m.userFails.hit(e.Actor.User, t)
	bySource := m.srcFails.hit(src, t)
	if (byUser || bySource) && src != "" && m.cfg.HostileFor > 0 {
		m.markHostile(src, e.Actor.User, byUser, bySource, t)
	}
	m.mu.Unlock()

	if byUser {
		m.raise(m.alert(e, now, SourceBruteForce, "brute_force.account",
			SeverityHigh, m.cfg.BruteForce, subjectOf(e)))
	}
	if bySource {
		m.raise(m.alert(e, now, SourceBruteForce, "brute_force.source",
			SeverityHigh, m.cfg.BruteForceSource, Subject{SourceAddr: e.SourceAddr}))
	}
}

// markHostile remembers src as brute-forcing, with account when its own
// threshold was reached, and as spraying when the source's was. The caller
// holds m.mu.
func (m *Monitor) markHostile(src, account string, byUser, bySource bool, t int64) {
	h, ok := m.hostile[src]
	if !ok || h.until <= t {
		makeRoom(m.hostile, m.cfg.MaxKeys, func(h hostileSource) bool { return h.until <= t })
		h = hostileSource{}
	}

	h.until = t + int64(m.cfg.HostileFor)
	h.spray = h.spray || bySource

	if byUser && account != "" && !slices.Contains(h.accounts, account) {
		if len(h.accounts) < maxHostileAccounts {
			h.accounts = append(h.accounts, account)
		} else {
			h.spray = true
		}
	}

	m.hostile[src] = h
}

func (m *Monitor) login(e *audit.Event, now time.Time) {
	if e.Actor.User == "" {
		return
	}

	m.mu.Lock()
	h, hostile := m.hostile[sourceOf(e.SourceAddr)]
	attacked := h.attacked(e.Actor.User)
	m.mu.Unlock()

	switch {
	case !hostile || h.until <= now.UnixNano():
	case attacked:
		m.raise(m.alert(e, now, SourceBruteForceSuccess, "brute_force.success",
			SeverityCritical, Threshold{}, subjectOf(e)))
	default:
		m.raise(m.alert(e, now, SourceBruteForceNearby, "brute_force.nearby",
			SeverityMedium, Threshold{}, subjectOf(e)))
	}

	m.newSource(e, now)
}

// Forget drops what the detectors hold about the subject of a, so that an
// operator who has dealt with an alert (and lifted its response with
// Responder.Lift) is not met by the same alert on the next event: the
// failed sign-ins counted for its account and its source address, and the
// source's standing as a brute-forcing address. Wire it as the Responder's
// OnLift hook.
func (m *Monitor) Forget(a *Alert) {
	src := sourceOf(a.Subject.SourceAddr)

	m.mu.Lock()
	defer m.mu.Unlock()

	if a.Subject.User != "" {
		delete(m.userFails.keys, a.Subject.User)
	}

	if src != "" {
		delete(m.srcFails.keys, src)
		delete(m.hostile, src)
	}
}

func (m *Monitor) newSource(e *audit.Event, now time.Time) {
	if m.cfg.NoNewSource {
		return
	}

	p, ok := networkOf(e.SourceAddr)
	if !ok {
		return
	}

	m.mu.Lock()
	isNew := m.sources.add(e.Actor.User, p)
	m.mu.Unlock()

	if isNew {
		a := m.alert(e, now, SourceNewSource, "new_source.sign_in", SeverityLow,
			Threshold{}, subjectOf(e))
		a.Attributes["network"] = p.String()
		m.raise(a)
	}
}

func (m *Monitor) denied(e *audit.Event, now time.Time) {
	m.mu.Lock()
	fired := m.denials.hit(actorKey(e), now.UnixNano())
	m.mu.Unlock()

	if fired {
		m.raise(m.alert(e, now, SourceDenialBurst, "denial_burst", SeverityMedium,
			m.cfg.DenialBurst, subjectOf(e)))
	}
}

func (m *Monitor) allowed(e *audit.Event, now time.Time) {
	if e.Resource.ID == "" {
		return
	}

	m.mu.Lock()
	fired := m.touched.touch(actorKey(e), e.Resource, now.UnixNano())
	m.mu.Unlock()

	if fired {
		m.raise(m.alert(e, now, SourceEnumeration, "enumeration", SeverityMedium,
			m.cfg.Enumeration, subjectOf(e)))
	}
}

// alert builds the alert of a detector that fired on e.
func (m *Monitor) alert(e *audit.Event, now time.Time, source, rule string,
	sev Severity, t Threshold, s Subject) Alert {
	key := s.User + "\x00" + s.Workload + "\x00" + s.SourceAddr
	a := Alert{
		ID:       Fingerprint(source, rule, key, strconv.FormatInt(now.UnixNano(), 10)),
		Time:     now,
		Source:   source,
		Rule:     rule,
		Severity: sev,
		Reasons:  []string{rule},
		Subject:  s,
		Attributes: map[string]string{
			"audit_event": e.ID,
		},
	}
	if t.Count > 0 {
		a.Attributes["count"] = strconv.Itoa(t.Count)
		a.Attributes["window"] = t.Window.String()
	}
	if e.Action != "" {
		a.Attributes["action"] = e.Action
	}

	return a
}

// sourceOf returns the IP address of addr ("ip" or "ip:port"), or addr.
func sourceOf(addr string) string {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap.Addr().String()
	}

	return addr
}

// networkOf returns the network of addr that counts as one source: the /24
// of an IPv4 address, the /48 of an IPv6 one.
func networkOf(addr string) (netip.Prefix, bool) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return netip.Prefix{}, false
		}
		ip = ap.Addr()
	}

	ip = ip.Unmap()
	bits := 48
	if ip.Is4() {
		bits = 24
	}

	p, err := ip.Prefix(bits)

	return p, err == nil
}

// counters counts events per key in a sliding window, each key with a ring
// of the times of its last Count events.
type counters struct {
	t    Threshold
	max  int
	keys map[string]*ring
}

type ring struct {
	times []int64
	next  int
	n     int
	last  int64
}

func newCounters(t Threshold, max int) *counters {
	return &counters{t: t, max: max, keys: make(map[string]*ring)}
}

// hit records an event of key at t, and reports whether it completes Count
// events within the window; the count then starts again.
func (c *counters) hit(key string, t int64) bool {
	if c.t.Count < 0 || key == "" {
		return false
	}

	r := c.keys[key]
	if r == nil {
		c.makeRoom(t)
		r = &ring{times: make([]int64, c.t.Count)}
		c.keys[key] = r
	}

	r.times[r.next] = t
	r.next = (r.next + 1) % len(r.times)
	r.n = min(r.n+1, len(r.times))
	r.last = t

	if r.n == len(r.times) && t-r.times[r.next] < int64(c.t.Window) {
		r.n = 0
		return true
	}

	return false
}

// makeRoom drops the keys idle for a window, and an eighth of the rest
// when that is not enough.
func (c *counters) makeRoom(t int64) {
	makeRoom(c.keys, c.max, func(r *ring) bool { return t-r.last >= int64(c.t.Window) })
}

// makeRoom makes room for one more key in a map of at most max keys: it
// drops the idle ones, then arbitrary ones until an eighth is free.
func makeRoom[V any](keys map[string]V, max int, idle func(V) bool) {
	if len(keys) < max {
		return
	}

	for k, v := range keys {
		if idle(v) {
			delete(keys, k)
		}
	}

	for k := range keys {
		if len(keys) < max-max/8 {
			break
		}
		delete(keys, k)
	}
}

// distinct counts the distinct resources each key touches in a window that
// starts at its first event.
type distinct struct {
	t    Threshold
	max  int
	keys map[string]*touches
}

type touches struct {
	start int64
	fired bool
	seen  map[audit.Resource]struct{}
}

func newDistinct(t Threshold, max int) *distinct {
	return &distinct{t: t, max: max, keys: make(map[string]*touches)}
}

// touch records that key touched r at t, and reports whether that makes
// Count distinct resources in the current window. It fires once a window.
func (d *distinct) touch(key string, r audit.Resource, t int64) bool {
	if d.t.Count < 0 || key == "" {
		return false
	}

	s := d.keys[key]
	if s == nil {
		d.makeRoom(t)
		s = &touches{start: t, seen: make(map[audit.Resource]struct{})}
		d.keys[key] = s
	}

	if t-s.start >= int64(d.t.Window) {
		s.start, s.fired = t, false
		clear(s.seen)
	}
	if s.fired {
		return false
	}

	s.seen[r] = struct{}{}
	if len(s.seen) >= d.t.Count {
		s.fired = true
		clear(s.seen)
		return true
	}

	return false
}

func (d *distinct) makeRoom(t int64) {
	makeRoom(d.keys, d.max, func(s *touches) bool { return t-s.start >= int64(d.t.Window) })
}

// maxNetworks is how many networks are remembered per user.
const maxNetworks = 8

// sources remembers the networks each user signed in from.
type sources struct {
	max   int
	users map[string][]netip.Prefix
}

func newSources(max int) *sources {
	return &sources{max: max, users: make(map[string][]netip.Prefix)}
}

// add records that user signed in from p, and reports whether p is new for
// a user who has signed in before.
func (s *sources) add(user string, p netip.Prefix) bool {
	known, ok := s.users[user]
	for _, k := range known {
		if k == p {
			return false
		}
	}

	if !ok && len(s.users) >= s.max {
		for u := range s.users {
			delete(s.users, u)
			break
		}
	}

	if len(known) == maxNetworks {
		known = known[1:]
	}
	s.users[user] = append(known, p)

	return ok
}
