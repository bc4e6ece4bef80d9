// Package web embeds the built web UI of the reference finance platform, a
// React single-page application, so that the public service can serve it from
// its own binary.
//
// The UI is built by scripts/web.sh (npm ci, then npm run build) into the dist
// folder next to this file. Only dist/.gitkeep is committed, so the Go build
// works before the UI is built; Built reports whether a real build is present,
// and a server should refuse to pretend otherwise.
//
// What the serving side must provide (API routes, cookies, CSRF header,
// Content-Security-Policy, history fallback) is written down in README.md.
package web

import (
	"embed"
	"errors"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// ErrNotBuilt is returned by Dist when the UI has not been built into the
// binary.
var ErrNotBuilt = errors.New("web: the UI is not built; run scripts/web.sh")

// IndexFile is the name of the page that the public service returns for the
// paths of the single-page application (history fallback).
const IndexFile = "index.html"

// Files returns the embedded build as a file system rooted at the dist
// folder, whether or not a build is present.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only on an invalid path name, and "dist" is valid.
		panic("web: " + err.Error())
	}

	return sub
}

// Built reports whether the binary embeds a real build of the UI, that is,
// whether dist holds an index.html.
func Built() bool {
	_, err := fs.Stat(Files(), IndexFile)

	return err == nil
}

// Dist returns the embedded build, or ErrNotBuilt when only the placeholder
// of an unbuilt tree is embedded.
func Dist() (fs.FS, error) {
	if !Built() {
		return nil, ErrNotBuilt
	}

	return Files(), nil
}
