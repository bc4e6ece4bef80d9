package web

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestDistMatchesBuilt(t *testing.T) {
	fsys, err := Dist()
	if !Built() {
		if !errors.Is(err, ErrNotBuilt) || fsys != nil {
			t.Fatalf("Dist() = %v, %v without a build; want nil, ErrNotBuilt", fsys, err)
		}

		t.Skip("the UI is not built; run scripts/web.sh to test the build")
	}

	if err != nil {
		t.Fatalf("Dist() with a build: %v", err)
	}

	index, err := fs.ReadFile(fsys, IndexFile)
	if err != nil {
		t.Fatalf("read %s: %v", IndexFile, err)
	}

	checkNoInline(t, string(index))
}

func TestFilesEmbedsPlaceholder(t *testing.T) {
	if _, err := fs.Stat(Files(), ".gitkeep"); err != nil {
		t.Fatalf("the dist placeholder must be embedded (all: prefix): %v", err)
	}
}

// checkNoInline fails when the built page carries an inline script or style,
// which the strict Content-Security-Policy of the public service would block.
func checkNoInline(t *testing.T, page string) {
	t.Helper()

	for _, bad := range []string{"<style", " style=", "<script>", "javascript:"} {
		if strings.Contains(page, bad) {
			t.Errorf("index.html contains %q, which the CSP forbids", bad)
		}
	}

	if !strings.Contains(page, `<script type="module" crossorigin src="/assets/`) {
		t.Errorf("index.html does not load its script from /assets/:\n%s", page)
	}
}
