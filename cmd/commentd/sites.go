package main

import (
	"context"
	"time"
)

// The loops of what commentd does for other sites: the pruning of the
// Akismet-compatible API's spam checks.

// runSiteLoops starts the hourly pruning of spam checks.
func (a *app) runSiteLoops(ctx context.Context) {
	go a.service.PruneChecks(ctx, time.Hour)
}
