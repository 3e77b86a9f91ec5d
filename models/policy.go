package models

import "time"

// BanKind is what a ban matches.
type BanKind string

// Ban kinds.
const (
	BanEmail  BanKind = "email"
	BanIP     BanKind = "ip" // an address or a CIDR range
	BanAuthor BanKind = "author"
)

// Ban keeps a visitor's comments from being published.
type Ban struct {
	ID        int64      `json:"id"`
	Kind      BanKind    `json:"kind"`
	Value     string     `json:"value"`
	Reason    string     `json:"reason,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"` // nil: never
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
}

// WordKind says what a listed word does.
type WordKind string

// Word list kinds.
const (
	WordBlocked WordKind = "blocked" // -> spam
	WordHeld    WordKind = "held"    // -> pending
)

// Word is one entry of a word list.
type Word struct {
	ID        int64     `json:"id"`
	Kind      WordKind  `json:"kind"`
	Word      string    `json:"word"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Settings are the policy values admins edit at run time. Zero values mean
// "use the configured default" only where noted.
type Settings struct {
	HamThreshold  float64 `json:"ham_threshold"`
	SpamThreshold float64 `json:"spam_threshold"`
	DiscardAbove  float64 `json:"discard_above"` // refuse outright above this score; 0 or >1: never
	MaxLinks      int     `json:"max_links"`
	TrustAfter    int     `json:"trust_after"`   // auto-approve an email with this many approved comments; 0: off
	HoldFirst     bool    `json:"hold_first"`    // hold every first comment of an email
	RefuseBanned  bool    `json:"refuse_banned"` // refuse (403) instead of storing as spam
}

// AuthorHistory counts an email's earlier comments by status.
type AuthorHistory struct {
	Approved int `json:"approved"`
	Spam     int `json:"spam"`
	Pending  int `json:"pending"`
	Trash    int `json:"trash"`
}

// AuditEntry records one decision or policy change.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"` // approve, spam, trash, restore, delete, ban.add, word.add, settings.update, moderator.add ...
	CommentID  int64     `json:"comment_id,omitempty"`
	FromStatus Status    `json:"from_status,omitempty"`
	ToStatus   Status    `json:"to_status,omitempty"`
	Score      *float64  `json:"score,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Actor     string
	Action    string // exact, or a prefix ending in "." such as "ban."
	CommentID int64
	Since     time.Time
	Until     time.Time
	Cursor    string
	Limit     int
}

// QueueSort orders a queue listing.
type QueueSort string

// Queue orders.
const (
	SortNewest QueueSort = "newest"
	SortOldest QueueSort = "oldest"
	SortScore  QueueSort = "score" // most likely spam first
)

// QueueFilter selects comments in the moderation queue; zero fields match everything.
type QueueFilter struct {
	Status   Status
	Post     string
	Author   string // substring, case-insensitive
	Email    string // exact, case-insensitive
	IP       string // exact, or a CIDR range
	Text     string // substring, case-insensitive
	MinScore *float64
	MaxScore *float64
	Since    time.Time
	Until    time.Time
	Sort     QueueSort
	Cursor   string
	Limit    int
}
