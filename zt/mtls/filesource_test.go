package mtls_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
)

func writeSVID(t *testing.T, ca *devca.CA, dir string) string {
	t.Helper()

	svid, err := ca.Issue(webID)
	if err != nil {
		t.Fatal(err)
	}

	err = ca.WriteSVID(svid, filepath.Join(dir, "svid.pem"), filepath.Join(dir, "svid-key.pem"),
		filepath.Join(dir, "bundle.pem"))
	if err != nil {
		t.Fatal(err)
	}

	return svid.Certificates[0].SerialNumber.String()
}

func TestFileSourceReloadsRotatedFiles(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	dir := t.TempDir()
	first := writeSVID(t, ca, dir)

	src, err := mtls.NewFileSource(context.Background(), mtls.FileSourceConfig{
		CertFile:   filepath.Join(dir, "svid.pem"),
		KeyFile:    filepath.Join(dir, "svid-key.pem"),
		BundleFile: filepath.Join(dir, "bundle.pem"),
		Interval:   10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	if got := serialOf(t, src); got != first {
		t.Fatalf("serial %s, want %s", got, first)
	}
	if _, err := src.GetX509BundleForTrustDomain(td); err != nil {
		t.Fatal(err)
	}

	// A broken file is ignored; the last good SVID stays.
	if err := os.WriteFile(filepath.Join(dir, "svid.pem"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if got := serialOf(t, src); got != first {
		t.Fatalf("serial %s after a broken write, want %s", got, first)
	}

	second := writeSVID(t, ca, dir)
	deadline := time.Now().Add(10 * time.Second)
	for serialOf(t, src) != second && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := serialOf(t, src); got != second {
		t.Fatalf("serial %s, want the rotated %s", got, second)
	}
}

func serialOf(t *testing.T, src mtls.Source) string {
	t.Helper()

	svid, err := src.GetX509SVID()
	if err != nil {
		t.Fatal(err)
	}

	return svid.Certificates[0].SerialNumber.String()
}

func TestFileSourceRefusesBadFiles(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	dir := t.TempDir()
	writeSVID(t, ca, dir)

	good := mtls.FileSourceConfig{
		CertFile:   filepath.Join(dir, "svid.pem"),
		KeyFile:    filepath.Join(dir, "svid-key.pem"),
		BundleFile: filepath.Join(dir, "bundle.pem"),
	}
	missing := good
	missing.KeyFile = filepath.Join(dir, "absent.pem")
	swapped := good
	swapped.KeyFile, swapped.BundleFile = good.BundleFile, good.KeyFile

	for name, cfg := range map[string]mtls.FileSourceConfig{
		"no files":          {},
		"missing key":       missing,
		"key is the bundle": swapped,
	} {
		t.Run(name, func(t *testing.T) {
			if src, err := mtls.NewFileSource(context.Background(), cfg); err == nil {
				src.Close()
				t.Fatal("loaded bad files")
			}
		})
	}
}

func TestFileSourceCloseStopsWatcher(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	dir := t.TempDir()
	writeSVID(t, ca, dir)

	src, err := mtls.NewFileSource(context.Background(), mtls.FileSourceConfig{
		CertFile:   filepath.Join(dir, "svid.pem"),
		KeyFile:    filepath.Join(dir, "svid-key.pem"),
		BundleFile: filepath.Join(dir, "bundle.pem"),
		Interval:   time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	// A goroutine shows in the dump once it has been scheduled.
	for deadline := time.Now().Add(5 * time.Second); !watching(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no watcher goroutine after NewFileSource")
		}
	}

	if err := src.Close(); err != nil {
		t.Fatal(err)
	}

	// Close waits for the watcher, which may still be returning when Close
	// does: it must be gone within moments. Looking for the watcher's own
	// frame, not counting goroutines, keeps the test immune to goroutines
	// that other tests leave winding down.
	for deadline := time.Now().Add(5 * time.Second); watching(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the watcher goroutine outlived Close")
		}
	}
}

// watching reports whether a FileSource watcher goroutine is running.
func watching() bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]

	return strings.Contains(string(buf), "mtls.(*FileSource).watch(")
}
