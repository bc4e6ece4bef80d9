package chain_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/chain"
)

func Example() {
	dir, err := os.MkdirTemp("", "audit")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	w, err := chain.Open(ctx, chain.Config{Dir: dir, Key: key})
	if err != nil {
		log.Fatal(err)
	}

	// Append returns once the record is on disk.
	seq, err := w.Append(ctx, audit.Event{
		ID: "ev-1", Time: time.Now(), Kind: "decision", Decision: "allow",
		Actor: audit.Actor{User: "alice"}, Action: "transactions.read",
	})
	if err != nil {
		log.Fatal(err)
	}

	if err := w.Close(ctx); err != nil {
		log.Fatal(err)
	}

	rep, err := chain.Verify(dir, chain.Options{Keys: []ed25519.PublicKey{pub}})
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println("event record", seq)
	fmt.Println("events", rep.Events, "closed", rep.Closed)
	// Output:
	// event record 2
	// events 1 closed true
}
