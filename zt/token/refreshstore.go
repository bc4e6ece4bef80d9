package token

import (
	"context"
	"slices"
	"sync"
	"time"
)

// MemoryRefreshStore is a RefreshStore in process memory. It suits a single
// process and tests; records are lost on restart, which signs every client
// out. Expired records are pruned as new ones are saved. Its zero value is
// ready to use.
type MemoryRefreshStore struct {
	mu       sync.Mutex
	records  map[string]*RefreshRecord
	families map[string][]string
	saves    int
}

// Save stores rec.
func (s *MemoryRefreshStore) Save(_ context.Context, rec RefreshRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.records == nil {
		s.records = map[string]*RefreshRecord{}
		s.families = map[string][]string{}
	}

	rec.Grant.Scopes = slices.Clone(rec.Grant.Scopes)
	s.records[rec.Hash] = &rec
	s.families[rec.Family] = append(s.families[rec.Family], rec.Hash)

	if s.saves++; s.saves%1024 == 0 {
		s.prune(rec.IssuedAt)
	}

	return nil
}

// Use marks the record used and returns it as it was.
func (s *MemoryRefreshStore) Use(_ context.Context, hash string) (RefreshRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	rec, ok := s.records[hash]
	if !ok {
		return RefreshRecord{}, ErrRefreshUnknown
	}

	before := *rec
	rec.Used = true

	return before, nil
}

// RevokeFamily marks every record of family revoked.
func (s *MemoryRefreshStore) RevokeFamily(_ context.Context, family string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	for _, h := range s.families[family] {
		if rec, ok := s.records[h]; ok {
			rec.Revoked = true
		}
	}

	return nil
}

// prune drops families whose end has passed.
func (s *MemoryRefreshStore) prune(now time.Time) {
	for family, hashes := range s.families {
		first, ok := s.records[hashes[0]]
		if ok && now.Before(first.FamilyExpiresAt) {
			continue
		}

		for _, h := range hashes {
			delete(s.records, h)
		}
		delete(s.families, family)
	}
}
