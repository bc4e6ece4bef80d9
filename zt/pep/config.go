package pep

import (
	"io/fs"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/ztkit/ztkit/zt/audit"
)

// Defaults applied by New to the zero fields of a Config.
const (
	// DefaultEntrypoint is the rule evaluated by Decide when Config.Entrypoints
	// is empty.
	DefaultEntrypoint = "ztkit/authz/decision"
	// DefaultTimeout bounds one evaluation when Config.Timeout is zero. A
	// decision takes tens of microseconds, but a loaded machine (a busy
	// node, the race detector) can stall one for tens of milliseconds, and
	// a timeout is a deny: the bound is there to stop a runaway policy, not
	// to refuse slow but legitimate requests.
	DefaultTimeout = time.Second
	// DefaultCacheSize is the number of decisions kept when Config.CacheSize is
	// zero.
	DefaultCacheSize = 4096
)

// Config configures an Engine. The zero value is not usable: exactly one of
// Policies, Dir or Bundle must name where the policies come from.
type Config struct {
	// Policies holds Rego modules (*.rego) and data files (data.json,
	// data.yaml) laid out as an OPA bundle directory, for example an embed.FS.
	Policies fs.FS
	// Dir is a folder laid out like Policies, read from disk and re-read on
	// every reload.
	Dir string
	// Bundle is the path of an OPA bundle (.tar.gz), re-read on every reload.
	Bundle string
	// BundleKey verifies the bundle's signature (.signatures.json). When nil,
	// bundles are loaded without signature verification; set it in
	// production so that only signed policy is ever loaded.
	BundleKey *BundleKey

	// Entrypoints are the rules, as slash-separated paths under data (for
	// example "ztkit/authz/decision"), that are prepared as queries. The first
	// is the one Decide evaluates. Empty means DefaultEntrypoint.
	Entrypoints []string
	// Filters are the list-filtering queries prepared for Filter, by name.
	Filters map[string]FilterSpec

	// SkipPolicyTests loads policy whose *_test.rego tests fail. By default
	// the tests found next to the policy run on every load and a failure
	// refuses the policy.
	SkipPolicyTests bool
	// ReloadInterval is how often Dir or Bundle are checked for changes. Zero
	// disables the periodic reload; Reload can still be called.
	ReloadInterval time.Duration
	// Watch reloads Dir or Bundle as soon as the file system reports a change
	// to it (fsnotify: inotify, kqueue, ReadDirectoryChangesW), once events
	// have been quiet for a tenth of a second. Keep a ReloadInterval as well
	// where notifications may not arrive (network file systems, some volume
	// mounts). False watches nothing. It cannot be set with Policies.
	Watch bool
	// Timeout bounds one evaluation; a decision that takes longer is a deny
	// with zt.ReasonTimeout. Zero means DefaultTimeout.
	Timeout time.Duration
	// CacheSize bounds the decision cache, which evicts the decisions least
	// recently used (CLOCK) when full. Zero means DefaultCacheSize; a
	// negative value disables the cache. The cache is also disabled for a
	// policy that reads input.request.time_ns or calls a non-deterministic
	// builtin such as time.now_ns, because its decisions are not a function
	// of the cached input.
	CacheSize int

	// Before hooks run in order before each decision; they may enrich the
	// input, for example load a resource's owner. An error denies.
	Before []BeforeHook
	// After hooks run in order after each decision that allowed; they enforce
	// obligations and may turn the decision into a deny.
	After []AfterHook
	// OnDeny hooks run after each deny, for example to raise a risk score.
	OnDeny []DenyHook

	// DecisionLogs receives one decision-log entry per decision, in OPA's
	// decision-log format. Nil disables decision logs.
	DecisionLogs audit.Emitter
	// DecisionLogMask lists JSON pointers into the decision-log entry whose
	// values are erased before it is emitted, for example
	// "/input/subject/claims". Nil masks nothing.
	DecisionLogMask []string

	// Logger receives load, reload and refusal messages. Nil logs nothing.
	Logger *slog.Logger
	// TracerProvider produces a span per decision. Nil means no spans.
	TracerProvider trace.TracerProvider
	// MeterProvider produces decision and reload metrics. Nil means no
	// metrics.
	MeterProvider metric.MeterProvider
}

// BundleKey is the public key that a policy bundle's signature must verify
// against.
type BundleKey struct {
	// ID is the key id named in the bundle signature ("keyid").
	ID string
	// Algorithm is the JWS algorithm, for example "ES256" or "RS256".
	Algorithm string
	// PublicKey is the PEM-encoded public key.
	PublicKey string
	// Scope is the optional scope the signature must carry.
	Scope string
}

func (c Config) withDefaults() Config {
	if len(c.Entrypoints) == 0 {
		c.Entrypoints = []string{DefaultEntrypoint}
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.CacheSize == 0 {
		c.CacheSize = DefaultCacheSize
	}
	return c
}
