package token_test

import (
	"testing"

	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

func TestMemoryRefreshStore(t *testing.T) {
	tokentest.TestRefreshStore(t, func(*testing.T) token.RefreshStore {
		return &token.MemoryRefreshStore{}
	})
}
