// Package audit records every access so that it can be proven later.
//
// An [Event] says who acted, what they attempted on which resource, what policy
// decided and why. Events flow through an [Emitter] to sinks.
package audit
