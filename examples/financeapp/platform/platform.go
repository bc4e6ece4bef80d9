// Package platform runs the finance platform in-process for programs outside
// this module's tree, such as the ZeroSMS backend's end-to-end tests: it is
// the importable face of the internal app package, and adds nothing to it.
package platform

import (
	"context"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
)

// Config configures a Platform; see the fields' documentation in the
// platform's app package. The zero value runs on loopback with SQLite in
// ./data.
type Config = app.Config

// Platform is a running finance platform.
type Platform = app.Platform

// Audience is the audience of the platform's access tokens.
const Audience = app.Audience

// Start opens the store, issues identities and starts every service. Close
// the Platform to stop them.
func Start(ctx context.Context, cfg Config) (*Platform, error) {
	return app.Start(ctx, cfg)
}

// CAFile returns where the dev CA certificate is written in a data folder.
func CAFile(dataDir string) string { return app.CAFile(dataDir) }

// Account is a user account created by SeedDemo, with its password.
type Account = app.Account

// SeedDemo creates the demo users (an admin-activated user and an auditor)
// and their transactions, as `financeapp dev --demo` does.
func SeedDemo(ctx context.Context, p *Platform) ([]Account, error) {
	return app.SeedDemo(ctx, p)
}
