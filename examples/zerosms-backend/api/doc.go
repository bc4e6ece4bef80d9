// Package api embeds the OpenAPI 3.1 description of the ZeroSMS device API,
// the contract for the Android app and the zerosms simulator.
package api

import _ "embed"

// OpenAPI is the OpenAPI 3.1 document in YAML.
//
//go:embed openapi.yaml
var OpenAPI []byte
