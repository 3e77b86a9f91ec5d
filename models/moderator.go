package models

import "time"

// Role is what a moderator account may do.
type Role string

// The roles: admins manage accounts, settings and word lists; moderators work the queue.
const (
	RoleAdmin     Role = "admin"
	RoleModerator Role = "moderator"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleModerator }

// Moderator is a console account. PasswordHash is never serialised.
type Moderator struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// APIToken is a moderator's bearer token for scripts. Only its hash is stored.
type APIToken struct {
	ID          int64      `json:"id"`
	ModeratorID int64      `json:"moderator_id"`
	Name        string     `json:"name"`
	Hash        []byte     `json:"-"` // SHA-256 of the token
	CreatedAt   time.Time  `json:"created_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// Session is a console login. ID is the SHA-256 of the cookie value.
type Session struct {
	ID          []byte
	ModeratorID int64
	CSRFToken   string
	CreatedAt   time.Time
	LastSeenAt  time.Time
}

// Principal is who makes a moderation request: an account, or the bootstrap token.
type Principal struct {
	ModeratorID int64 // 0 for the bootstrap admin token
	Name        string
	Role        Role
	Via         string // "session", "token" or "bootstrap"
}

// IsAdmin reports whether p may manage accounts, settings and word lists.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }
