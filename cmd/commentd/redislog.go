package main

import (
	"context"
	"fmt"
	"log/slog"
)

// redisLog carries go-redis's own messages (a pool that cannot dial, a
// connection dropped mid-reply) into the service's log as warnings. go-redis
// writes them through one logger for the whole process, by default as plain
// text on stderr, which broke a JSON log into unparseable lines exactly while
// Redis was down. Set with redis.SetLogger, it serves every client in the
// process; in tests that build several apps at once the last one built gets
// the lines, which is harmless.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.LogAttrs(ctx, slog.LevelWarn, "redis client", slog.String("detail", fmt.Sprintf(format, v...)))
}
