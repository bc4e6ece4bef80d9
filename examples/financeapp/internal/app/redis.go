package app

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/ztkit/ztkit/zt/revoke/redissync"
)

// openRedis starts sharing the revocation list through Redis when
// Config.RedisAddr is set.
func (p *Platform) openRedis(ctx context.Context) error {
	if p.cfg.RedisAddr == "" {
		return nil
	}

	rdb := redis.NewClient(&redis.Options{Addr: p.cfg.RedisAddr})
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return fmt.Errorf("app: redis: %w", err)
	}

	rep, err := redissync.New(redissync.Config{Client: rdb, List: p.revoke,
		Prefix: "financeapp:" + p.cfg.TrustDomain + ":revoke", Logger: p.cfg.Logger})
	if err != nil {
		rdb.Close()
		return fmt.Errorf("app: redis: %w", err)
	}

	if err := rep.Resync(ctx); err != nil {
		rdb.Close()
		return fmt.Errorf("app: redis: %w", err)
	}

	runCtx, cancel := context.WithCancel(context.Background())
	p.rep, p.stopRedis = rep, cancel
	p.wg.Add(1)

	go func() {
		defer p.wg.Done()
		_ = rep.Run(runCtx)
	}()

	p.closers = append(p.closers, rdb.Close)

	return nil
}
