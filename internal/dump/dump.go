// Package dump writes what a store holds as JSON Lines and reads it back, for
// `commentd export --format json` and `commentd import json`.
//
// A dump is one JSON object a line: a header, then one record a row, grouped
// by kind in the order migrate-store's Export hands them over (moderators, API
// tokens, settings, words, bans, comments, comment sources, training events,
// audit entries, site API keys, spam checks, webhook events, the ids each
// table has given), then an end record with the count of each kind, so that a
// cut-off file is told from a whole one:
//
//	{"type":"header","format":"commentd-export","version":2,"export_id":"…","exported_at":"…","password_hashes":false}
//	{"type":"comment","row":{"id":7,"post":"2026/sourdough","author":"Maria",…,"status":"approved",…}}
//	{"type":"end","counts":{"comment":1,…}}
//
// Sessions are left out (everyone logs in again) and so is the model snapshot
// (the training events rebuild it). API tokens and the sites' API keys keep
// their SHA-256 hashes, from which no token or key can be recovered, so that
// scripts and sites keep working; password hashes only when asked for, as a
// dump travels further than a database. The webhook outbox comes whole, its
// delivered events as history and its pending ones to be delivered by the
// installation the dump is restored into; a claim (lease) of a running
// instance is not part of a dump.
//
// Version 2 added the site API keys, the spam checks and the webhook events;
// a version 1 dump, which has none, reads as it did.
package dump

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/commentd/commentd/models"
)

// Format and Version name this package's dumps in their header.
const (
	Format  = "commentd-export"
	Version = 2
	// MinVersion is the oldest version Reader reads.
	MinVersion = 1
)

// Header is a dump's first line.
type Header struct {
	Type           string    `json:"type"` // "header"
	Format         string    `json:"format"`
	Version        int       `json:"version"`
	ExportID       string    `json:"export_id"` // random; names this dump in the audit log of the installation it is imported into
	ExportedAt     time.Time `json:"exported_at"`
	PasswordHashes bool      `json:"password_hashes"` // whether moderators carry theirs
}

// The record types, one a kind of row.
const (
	typeModerator = "moderator"
	typeToken     = "api_token"
	typeSettings  = "settings"
	typeWord      = "word"
	typeBan       = "ban"
	typeComment   = "comment"
	typeSource    = "comment_source"
	typeEvent     = "training_event"
	typeAudit     = "audit"
	typeAPIKey    = "api_key"
	typeSpamCheck = "spam_check"
	typeWebhook   = "webhook_event"
	typeLastIDs   = "last_ids"
	typeEnd       = "end"
)

// record is every line after the header.
type record struct {
	Type   string           `json:"type"`
	Row    json.RawMessage  `json:"row,omitempty"`
	Counts map[string]int64 `json:"counts,omitempty"` // the end record's
}

// moderatorRow is a moderator with its password hash when the dump carries it;
// models.Moderator never shows the hash.
type moderatorRow struct {
	ID           int64       `json:"id"`
	Name         string      `json:"name"`
	Role         models.Role `json:"role"`
	PasswordHash string      `json:"password_hash,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
}

// tokenRow is an API token with its hash (base64).
type tokenRow struct {
	ID          int64      `json:"id"`
	ModeratorID int64      `json:"moderator_id"`
	Name        string     `json:"name"`
	Hash        []byte     `json:"hash"`
	CreatedAt   time.Time  `json:"created_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// apiKeyRow is a site's key to the Akismet-compatible API with its hash
// (base64), which models.APIKey never shows.
type apiKeyRow struct {
	models.APIKey
	Hash []byte `json:"hash"`
}

// Error is what is wrong with a dump and on which line. It matches models.ErrInvalid.
type Error struct {
	Line int
	Msg  string
}

// Error reads "LINE: message"; prefix it with the file name.
func (e *Error) Error() string { return fmt.Sprintf("%d: %s", e.Line, e.Msg) }

// Is makes errors.Is(err, models.ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == models.ErrInvalid }

// kinds are the record types of rows in the order a dump holds them, with
// what one and several of them are called.
var kinds = []struct{ typ, one, many string }{
	{typeModerator, "moderator", "moderators"}, {typeToken, "API token", "API tokens"},
	{typeSettings, "settings", "settings"}, {typeWord, "listed word", "listed words"}, {typeBan, "ban", "bans"},
	{typeComment, "comment", "comments"}, {typeSource, "comment source", "comment sources"},
	{typeEvent, "training event", "training events"}, {typeAudit, "audit entry", "audit entries"},
	{typeAPIKey, "site API key", "site API keys"}, {typeSpamCheck, "spam check", "spam checks"},
	{typeWebhook, "webhook event", "webhook events"},
}

// Summary says how many rows of each kind counts holds, as Writer.Counts and
// Reader.Counts give them: "12 comments, 1 comment source, 30 training events".
func Summary(counts map[string]int64) string {
	var parts []string
	for _, k := range kinds {
		switch n := counts[k.typ]; n {
		case 0:
		case 1:
			parts = append(parts, "1 "+k.one)
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, k.many))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}
