// Package api embeds the finance platform's OpenAPI 3.1 description, the
// contract between its services and their clients (the web UI, curl, the
// ZeroSMS backend).
package api

import _ "embed"

// OpenAPI is the OpenAPI 3.1 document in YAML.
//
//go:embed openapi.yaml
var OpenAPI []byte
