package redissync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ReplayStore remembers identifiers in Redis with SET NX and an expiry, so
// that replicas share them; it is the caep.ReplayStore to give Shared Signals
// receivers that run behind one endpoint.
type ReplayStore struct {
	client redis.UniversalClient
	prefix string
}

// NewReplayStore returns a ReplayStore keeping its keys under
// "<prefix>:seen:"; an empty prefix means DefaultPrefix.
func NewReplayStore(client redis.UniversalClient, prefix string) *ReplayStore {
	if prefix == "" {
		prefix = DefaultPrefix
	}

	return &ReplayStore{client: client, prefix: prefix + ":seen:"}
}

func (s *ReplayStore) key(id string) string {
	sum := sha256.Sum256([]byte(id))

	return s.prefix + hex.EncodeToString(sum[:])
}

// Remember records id for ttl and reports whether it was new.
func (s *ReplayStore) Remember(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	fresh, err := s.client.SetNX(ctx, s.key(id), 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redissync: replay store: %w", err)
	}

	return fresh, nil
}

// Forget removes id.
func (s *ReplayStore) Forget(ctx context.Context, id string) error {
	if err := s.client.Del(ctx, s.key(id)).Err(); err != nil {
		return fmt.Errorf("redissync: replay store: %w", err)
	}

	return nil
}
