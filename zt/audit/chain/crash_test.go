package chain_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ztkit/ztkit/zt/audit/chain"
)

const (
	childDirEnv = "ZTKIT_CHAIN_CHILD_DIR"
	childKeyEnv = "ZTKIT_CHAIN_CHILD_KEY"
)

// TestMain turns the test binary into the chain-writing child when the
// environment asks for it.
func TestMain(m *testing.M) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		runChild(dir, os.Getenv(childKeyEnv))
		return
	}

	os.Exit(m.Run())
}

// runChild appends events from several goroutines forever, printing
// "ack <id>" for each event once Append has returned.
func runChild(dir, keyHex string) {
	seed, err := hex.DecodeString(keyHex)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}

	w, err := chain.Open(context.Background(), chain.Config{
		Dir: dir, Key: ed25519.NewKeyFromSeed(seed), CheckpointEvery: 100, MaxFileBytes: 256 << 10,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}

	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("g%d-%d", g, i)
				e := event(0)
				e.ID = id

				if _, err := w.Append(context.Background(), e); err != nil {
					fmt.Fprintln(os.Stderr, "child:", err)
					os.Exit(3)
				}

				mu.Lock()
				fmt.Fprintln(out, "ack", id)
				_ = out.Flush()
				mu.Unlock()
			}
		})
	}

	wg.Wait()
}

func TestSIGKILLKeepsAcknowledgedEvents(t *testing.T) {
	for _, tear := range []bool{false, true} {
		t.Run(fmt.Sprintf("torn=%v", tear), func(t *testing.T) {
			dir := t.TempDir()
			pub, priv := newKey(t)

			acked := runAndKill(t, dir, priv, 3000)

			if tear {
				tearTail(t, dir)
			}

			w, err := chain.Open(context.Background(), chain.Config{Dir: dir, Key: priv})
			must(t, err)

			rec := w.Recovery()
			must(t, w.Close(context.Background()))

			if !rec.Unclean || (rec.Cut != nil) != tear {
				t.Fatalf("recovery = %+v, want unclean with a cut=%v", rec, tear)
			}

			rep, err := chain.Verify(dir, chain.Options{Keys: []ed25519.PublicKey{pub}})
			if err != nil {
				t.Fatalf("chain does not verify after the crash: %v", err)
			}

			if rep.Unclean != 1 || len(rep.Cuts) != boolInt(tear) {
				t.Fatalf("report = %+v", rep)
			}

			present := eventIDs(t, dir)
			for _, id := range acked {
				if !present[id] {
					t.Fatalf("acknowledged event %s is missing", id)
				}
			}

			t.Logf("%d acknowledged, %d present, %d files", len(acked), len(present), len(rep.Files))
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}

	return 0
}

// runAndKill starts the child, waits for n acknowledgements, kills it with
// SIGKILL and returns every event it acknowledged.
func runAndKill(t *testing.T, dir string, key ed25519.PrivateKey, n int) []string {
	t.Helper()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir, childKeyEnv+"="+hex.EncodeToString(key.Seed()))
	cmd.Stderr = os.Stderr

	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())

	var acked []string
	sc := bufio.NewScanner(stdout)

	for sc.Scan() {
		id, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			t.Fatalf("child said %q", sc.Text())
		}

		acked = append(acked, id)
		if len(acked) == n {
			must(t, cmd.Process.Signal(syscall.SIGKILL))
		}
	}

	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v before it was killed", err)
	}

	if len(acked) < n {
		t.Fatalf("child acknowledged only %d events", len(acked))
	}

	return acked
}

// tearTail appends half a record to the last file, as a crash in the middle
// of a write leaves it.
func tearTail(t *testing.T, dir string) {
	t.Helper()

	files, err := chain.Files(dir)
	must(t, err)

	f, err := os.OpenFile(files[len(files)-1], os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)

	_, err = f.WriteString(`{"hash":"0f0f","body":{"seq":99999,"prev":"ab`)
	must(t, err)
	must(t, f.Close())
}

// eventIDs returns the IDs of every event in the trail.
func eventIDs(t *testing.T, dir string) map[string]bool {
	t.Helper()

	files, err := chain.Files(dir)
	must(t, err)

	ids := map[string]bool{}
	for _, path := range files {
		data, err := os.ReadFile(path)
		must(t, err)

		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var l struct {
				Body chain.Record `json:"body"`
			}
			must(t, json.Unmarshal([]byte(line), &l))

			if l.Body.Event != nil {
				ids[l.Body.Event.ID] = true
			}
		}
	}

	return ids
}
