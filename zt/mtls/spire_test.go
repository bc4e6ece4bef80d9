package mtls_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"

	"github.com/ztkit/ztkit/internal/testenv"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
)

// spireSVIDTTL is the X.509-SVID lifetime of the test's registration
// entries. The agent rotates an SVID after half of its lifetime, checking
// at each sync (every 5 s), so this is short enough to see rotations in a
// test and long enough that no SVID expires before its successor arrives.
const spireSVIDTTL = 20

// TestSPIRE runs a real SPIRE server and two agents on loopback and unix
// sockets (SQLite datastore, disk key manager, join-token node
// attestation, unix workload attestor), registers one workload under each
// agent for this process's uid, fetches both SVIDs through the Workload
// API, makes mTLS calls between them with this package, and keeps calling
// through SVID rotations on both sides. It also checks a JWT-SVID that
// SPIRE minted.
func TestSPIRE(t *testing.T) {
	if testing.Short() {
		t.Skip("starts SPIRE; skipped in -short mode")
	}

	bin := spireBin(t)
	s := startSPIRE(t, bin)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	web := s.workload(ctx, t, "a", "/web")
	backend := s.workload(ctx, t, "b", "/backend")
	webID := spiffeid.RequireFromString(s.id("/web"))
	backendID := spiffeid.RequireFromString(s.id("/backend"))

	if got := svidID(t, web); got != webID {
		t.Fatalf("agent a gave %s, want %s", got, webID)
	}
	if got := svidID(t, backend); got != backendID {
		t.Fatalf("agent b gave %s, want %s", got, backendID)
	}

	var mu sync.Mutex
	seen := map[string]bool{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.TLS.PeerCertificates[0].SerialNumber.String()] = true
		mu.Unlock()
		whoami(w, r)
	})
	url := mtlstest.Serve(t, h, backend, mtls.AuthorizeID(webID))

	keepAlive := mtls.NewClient(web, mtls.AuthorizeID(backendID))
	defer keepAlive.CloseIdleConnections()
	fresh := newClientFor(web, backendID)

	body, err := get(t, keepAlive, url)
	if err != nil || !strings.HasPrefix(body, webID.String()+" ") {
		t.Fatalf("first call: %q, %v", body, err)
	}

	t.Run("rotation", func(t *testing.T) {
		callThroughRotation(ctx, t, web, backend, []*http.Client{keepAlive, fresh}, url)

		mu.Lock()
		defer mu.Unlock()
		if len(seen) < 2 {
			t.Fatalf("the server saw %d client SVIDs, want the rotated one too", len(seen))
		}
	})

	t.Run("JWT-SVID", func(t *testing.T) {
		checkSPIREJWT(ctx, t, s, webID, backendID)
	})
}

func newClientFor(src mtls.Source, server spiffeid.ID) *http.Client {
	tr := mtls.NewTransport(src, mtls.AuthorizeID(server), mtls.WithSessionCache(nil))
	tr.DisableKeepAlives = true

	return &http.Client{Transport: tr}
}

func svidID(t *testing.T, src mtls.Source) spiffeid.ID {
	t.Helper()

	svid, err := src.GetX509SVID()
	if err != nil {
		t.Fatal(err)
	}

	return svid.ID
}

// callThroughRotation calls the server until both workloads' SVIDs have
// been rotated by the agents, and fails on any failed call.
func callThroughRotation(ctx context.Context, t *testing.T, web, backend mtls.Source,
	clients []*http.Client, url string,
) {
	first := map[string]string{"web": serialOf(t, web), "backend": serialOf(t, backend)}
	calls := 0

	for serialOf(t, web) == first["web"] || serialOf(t, backend) == first["backend"] {
		if ctx.Err() != nil {
			t.Fatalf("SVIDs not rotated after %d calls: %v", calls, ctx.Err())
		}

		for _, c := range clients {
			calls++
			if _, err := get(t, c, url); err != nil {
				t.Fatalf("call %d failed during rotation: %v", calls, err)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}

	// One more round on the rotated SVIDs.
	for _, c := range clients {
		if _, err := get(t, c, url); err != nil {
			t.Fatalf("call after rotation failed: %v", err)
		}
	}
	t.Logf("%d calls through the rotation of both SVIDs, none failed", calls)
}

func checkSPIREJWT(ctx context.Context, t *testing.T, s *spire, webID, backendID spiffeid.ID) {
	webJWT, err := workloadapi.NewJWTSource(ctx, workloadapi.WithClientOptions(
		workloadapi.WithAddr("unix://"+s.socket("a"))))
	if err != nil {
		t.Fatal(err)
	}
	defer webJWT.Close()

	bundles, err := workloadapi.NewBundleSource(ctx, workloadapi.WithClientOptions(
		workloadapi.WithAddr("unix://"+s.socket("b"))))
	if err != nil {
		t.Fatal(err)
	}
	defer bundles.Close()

	svid, err := webJWT.FetchJWTSVID(ctx, jwtsvid.Params{Audience: backendID.String()})
	if err != nil {
		t.Fatal(err)
	}

	v, err := mtls.NewJWTVerifier(mtls.JWTVerifierConfig{
		Bundles:    bundles,
		Audience:   []string{backendID.String()},
		Authorizer: mtls.AuthorizeID(webID),
	})
	if err != nil {
		t.Fatal(err)
	}

	p, err := v.Verify(ctx, svid.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if p.Workload.ID != webID.String() {
		t.Fatalf("JWT-SVID of %s, want %s", p.Workload.ID, webID)
	}
}

// spire is a running SPIRE server with its agents.
type spire struct {
	bin string
	dir string
	td  string
}

func (s *spire) id(path string) string { return "spiffe://" + s.td + path }

func (s *spire) socket(agent string) string {
	return filepath.Join(s.dir, "agent-"+agent, "workload.sock")
}

func (s *spire) serverSocket() string { return filepath.Join(s.dir, "server", "api.sock") }

// spireBin finds spire-server and spire-agent: in $ZTKIT_SPIRE_BIN, else in
// the cache folder that scripts/spire.sh builds them into for the version
// that tools/spire/go.mod pins.
func spireBin(t *testing.T) string {
	t.Helper()

	const hint = "run scripts/spire.sh (it builds SPIRE once, in minutes) or set ZTKIT_SPIRE_BIN"

	dir := os.Getenv("ZTKIT_SPIRE_BIN")
	if dir == "" {
		version, err := spireVersion()
		if err != nil {
			testenv.Unavailable(t, "SPIRE", err.Error())
		}
		dir = filepath.Join(cacheDir(t), "spire", version, "bin")
	}

	for _, name := range []string{"spire-server", "spire-agent"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			testenv.Unavailable(t, "SPIRE", fmt.Sprintf("%s not in %s: %s", name, dir, hint))
		}
	}

	return dir
}

func cacheDir(t *testing.T) string {
	if dir := os.Getenv("ZTKIT_CACHE"); dir != "" {
		return dir
	}

	dir, err := os.UserCacheDir()
	if err != nil {
		testenv.Unavailable(t, "SPIRE", "no cache folder: set ZTKIT_SPIRE_BIN")
	}

	return filepath.Join(dir, "ztkit")
}

// spireVersion reads the SPIRE version that tools/spire/go.mod pins.
func spireVersion() (string, error) {
	f, err := os.Open(filepath.Join("..", "..", "tools", "spire", "go.mod"))
	if err != nil {
		return "", err
	}
	defer f.Close()

	for sc := bufio.NewScanner(f); sc.Scan(); {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "github.com/spiffe/spire" {
			return fields[1], nil
		}
	}

	return "", fmt.Errorf("tools/spire/go.mod does not require github.com/spiffe/spire")
}

const serverConf = `server {
	bind_address = "127.0.0.1"
	bind_port = "%d"
	socket_path = "%s/server/api.sock"
	trust_domain = "%s"
	data_dir = "%s/server/data"
	log_level = "INFO"
	ca_ttl = "24h"
	default_x509_svid_ttl = "1h"
}

plugins {
	DataStore "sql" {
		plugin_data {
			database_type = "sqlite3"
			connection_string = "%s/server/datastore.sqlite3"
		}
	}
	KeyManager "disk" {
		plugin_data {
			keys_path = "%s/server/keys.json"
		}
	}
	NodeAttestor "join_token" {
		plugin_data {}
	}
}
`

const agentConf = `agent {
	data_dir = "%s/data"
	log_level = "INFO"
	server_address = "127.0.0.1"
	server_port = "%d"
	socket_path = "%s/workload.sock"
	trust_domain = "%s"
	insecure_bootstrap = true
}

plugins {
	NodeAttestor "join_token" {
		plugin_data {}
	}
	KeyManager "disk" {
		plugin_data {
			directory = "%s/data"
		}
	}
	WorkloadAttestor "unix" {
		plugin_data {}
	}
}
`

// startSPIRE starts a server and two agents, "a" and "b", each attested
// with its own join token. Their logs are shown when the test fails.
func startSPIRE(t *testing.T, bin string) *spire {
	t.Helper()

	// Unix socket paths are limited to about 100 bytes: keep the folder
	// short rather than under t.TempDir.
	dir, err := os.MkdirTemp("", "spire")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })

	s := &spire{bin: bin, dir: dir, td: "example.org"}
	port := freePort(t)

	conf := fmt.Sprintf(serverConf, port, dir, s.td, dir, dir, dir)
	s.run(t, "server", conf, "spire-server", "run")
	s.waitHealthy(t)

	for _, agent := range []string{"a", "b"} {
		token := s.joinToken(t, agent)
		adir := filepath.Join(dir, "agent-"+agent)
		conf := fmt.Sprintf(agentConf, adir, port, adir, s.td, adir)
		s.run(t, "agent-"+agent, conf, "spire-agent", "run", "-joinToken", token)
	}

	return s
}

func freePort(t *testing.T) int {
	t.Helper()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	return ln.Addr().(*net.TCPAddr).Port
}

// run writes conf and starts a SPIRE binary on it in the background; the
// process is killed when the test ends.
func (s *spire) run(t *testing.T, name, conf, binary string, args ...string) {
	t.Helper()

	home := filepath.Join(s.dir, name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(home, name+".conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	cmd := exec.Command(filepath.Join(s.bin, binary), append(args, "-config", path)...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()

	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("%s log:\n%s", name, logs.String())
		}
	})
}

func (s *spire) cli(t *testing.T, args ...string) (string, error) {
	t.Helper()

	args = append(args, "-socketPath", s.serverSocket())
	out, err := exec.Command(filepath.Join(s.bin, "spire-server"), args...).CombinedOutput()

	return string(out), err
}

func (s *spire) waitHealthy(t *testing.T) {
	t.Helper()

	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := s.cli(t, "healthcheck")
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("spire-server not healthy after 60 s: %v: %s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// joinToken creates a join token that attests an agent as
// spiffe://<td>/agent-<name>, the parent of that agent's workloads.
func (s *spire) joinToken(t *testing.T, agent string) string {
	t.Helper()

	out, err := s.cli(t, "token", "generate", "-spiffeID", s.id("/agent-"+agent), "-ttl", "600")
	if err != nil {
		t.Fatalf("token generate: %v: %s", err, out)
	}

	token, ok := strings.CutPrefix(strings.TrimSpace(out), "Token: ")
	if !ok {
		t.Fatalf("token generate printed %q", out)
	}

	return token
}

// workload registers path under the agent for this process's uid and
// returns a Workload API source on that agent's socket, once it serves an
// SVID. Registering each workload under its own agent is what tells the two
// apart: they run in the same process.
func (s *spire) workload(ctx context.Context, t *testing.T, agent, path string) *workloadapi.X509Source {
	t.Helper()

	out, err := s.cli(t, "entry", "create",
		"-parentID", s.id("/agent-"+agent),
		"-spiffeID", s.id(path),
		"-selector", "unix:uid:"+strconv.Itoa(os.Getuid()),
		"-x509SVIDTTL", strconv.Itoa(spireSVIDTTL))
	if err != nil {
		t.Fatalf("entry create: %v: %s", err, out)
	}

	src, err := mtls.NewWorkloadAPISource(ctx, "unix://"+s.socket(agent))
	if err != nil {
		t.Fatalf("workload API of agent %s: %v", agent, err)
	}
	t.Cleanup(func() { src.Close() })

	return src
}
