package audit

import "github.com/ztkit/ztkit/zt"

// ActorOf returns the audit actor of p: each facet that p established. A
// nil p gives the zero Actor.
func ActorOf(p *zt.Principal) Actor {
	var a Actor
	if p == nil {
		return a
	}
	if p.User != nil {
		a.User, a.Session = p.User.ID, p.User.SessionID
	}
	if p.Device != nil {
		a.Device = p.Device.ID
	}
	if p.Workload != nil {
		a.Workload = p.Workload.ID
	}
	return a
}
