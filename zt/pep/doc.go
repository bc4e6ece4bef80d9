// Package pep is ztkit's policy decision core: an embedded Open Policy Agent
// (Rego v1) that decides every request, in process, in microseconds.
//
// An [Engine] loads policies and data from an [io/fs.FS] (such as an
// embed.FS), a folder or a signed OPA bundle; compiles them once; runs the
// policy's own Rego tests and refuses a policy whose tests fail; and prepares
// one query per entrypoint, so that nothing is parsed or compiled on the
// request path. [Engine.Reload] (or Config.ReloadInterval, or Config.Watch
// for file-system notifications) swaps in a changed policy only if it
// compiles and passes its tests; otherwise the last good one keeps serving
// and the refusal is logged and counted.
//
// A decision is a [zt.Decision]: allow, stable reason codes, obligations
// (step_up, redact, filter, ...) and the revision of the policy and data that
// produced it. Anything but an explicit allow is a deny: an undefined result
// (zt.ReasonUndefined), an evaluation error (zt.ReasonEvalError), a timeout
// (zt.ReasonTimeout) or a malformed result ([ReasonMalformed]).
//
// The entrypoint rule returns either a boolean or an object:
//
//	decision := {"allow": allow, "reasons": reasons, "obligations": obligations}
//
// The input document that policies see is built from an [Input] (the
// zt.Principal, the zt.Request and the zt.Risk) and is versioned
// ([InputVersion]); docs/policy-input.md documents it with a JSON Schema.
//
// PIP data (role bindings, grants, facts) is pushed at run time with
// [Engine.Update], in one transaction with a version counter, under
// data.ztkit.pip. A user's live role binding replaces the roles its token
// claims, so a role removed by an admin stops working on the next request.
//
// [BeforeHook]s complete the input (for example load a resource's owner),
// [AfterHook]s enforce obligations and [DenyHook]s see denials. Each decision
// can be written to a decision log in OPA's format ([DecisionLog]), handed to
// an audit.Emitter with configurable masking, traced with OpenTelemetry and
// counted in metrics.
//
// For list endpoints, [Engine.Filter] partially evaluates a filter rule with
// the row unknown, with OPA's compile API, and translates the condition tree
// it returns into a SQL WHERE clause whose values are all bind parameters
// (PostgreSQL, SQLite, MySQL, SQL Server); anything but equality,
// comparisons and membership under and/or is refused.
//
// Decisions are cached per input, policy revision and data version when the
// policy neither reads the request time nor calls a non-deterministic
// builtin; see Config.CacheSize.
package pep
