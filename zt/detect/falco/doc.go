// Package falco receives Falco runtime alerts and turns them into
// detections for a detect.Responder.
//
// A [Receiver] is an http.Handler for Falco's http_output and for
// falcosidekick's webhook (and CloudEvents) output. [Decode] accepts every
// alert shape these have posted since 2018 (see its documentation) and
// takes facts from the alert's output fields, never from its output text,
// which is for people and can disagree with the fields. [Template] and
// [Lookup] map the pod an alert names to the SPIFFE ID of its workload, so
// that a response can quarantine it.
//
// The receiver refuses unauthenticated callers: configure a shared bearer
// [Secret] (falcosidekick sends it through the webhook's customHeaders) or an
// [AuthorizeFunc] that checks the caller's mTLS certificate (Falco's
// http_output authenticates with a client certificate), or both.
package falco
