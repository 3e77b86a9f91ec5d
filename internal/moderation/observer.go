package moderation

// Observer counts what the use cases decide, for metrics. Its methods must not block.
type Observer interface {
	// Verdict counts one submitted comment by outcome: "approved", "pending",
	// "spam", or "refused" (banned or discarded, not stored).
	Verdict(outcome string)
	// Decided counts n comments changed by one moderator action ("approve",
	// "spam", "trash", "restore", "delete").
	Decided(action string, n int)
}

// Option configures a Service built by New.
type Option func(*Service)

// WithObserver reports verdicts and decisions to o.
func WithObserver(o Observer) Option {
	return func(s *Service) { s.obs = o }
}

// noObserver is the default Observer: it counts nothing.
type noObserver struct{}

func (noObserver) Verdict(string)      {}
func (noObserver) Decided(string, int) {}
