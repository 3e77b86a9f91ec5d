// Package api holds commentd's HTTP contract: the OpenAPI 3.1 document that
// describes every route, served at GET /openapi.yaml and checked by the tests
// against the routes the engine registers and the responses it gives.
package api

import _ "embed"

// Spec is openapi.yaml, embedded.
//
//go:embed openapi.yaml
var Spec string
