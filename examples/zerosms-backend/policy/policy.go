// Package policy embeds the ZeroSMS backend's Rego v1 policy, its tests and
// its default data (which posture claims forbid which device action), laid
// out as an OPA bundle for pep.Config.Policies.
package policy

import (
	"embed"
	"io/fs"
)

// Entrypoint is the rule that decides every request.
const Entrypoint = "zerosms/authz/decision"

//go:embed *.rego data.json
var files embed.FS

// Bundle returns the policy, its tests and data.json.
func Bundle() fs.FS { return files }
