package moderation

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/commentd/commentd/models"
)

// Policy is the set of rules a comment is judged by, besides the filter. The
// configured Policy holds defaults; admins' saved settings and word lists
// override and extend it at run time.
type Policy struct {
	HamThreshold    float64 // below: approved
	SpamThreshold   float64 // above: spam; between: pending
	MaxLinks        int     // more links: at least pending
	BlockedWords    []string
	HeldWords       []string
	DiscardAbove    float64       // refuse outright at or above this score; 0: never
	TrustAfter      int           // auto-approve an email with this many approved comments; 0: off
	HoldFirst       bool          // hold the first comment of every email
	RefuseBanned    bool          // refuse banned visitors instead of storing their comments as spam
	DuplicateWindow time.Duration // 0: no duplicate check
	Limits          models.Limits
	CountLinks      func(text string) int
	TopTokens       int // how many tokens to keep as reasons
}

// Verdict combines the score with the rules hit, returning the status and rule names.
func (p *Policy) Verdict(n models.NewComment, score float64) (models.Status, []string) {
	status := models.StatusApproved
	switch {
	case score >= p.SpamThreshold:
		status = models.StatusSpam
	case score >= p.HamThreshold:
		status = models.StatusPending
	}
	rules := []string{}
	raise := func(s models.Status, rule string) {
		rules = append(rules, rule)
		if rank(s) > rank(status) {
			status = s
		}
	}
	if n.Honeypot != "" {
		raise(models.StatusSpam, "honeypot")
	}
	fields := []string{n.Text, n.Author, n.Email, n.URL}
	if w, ok := matchWord(p.BlockedWords, fields); ok {
		raise(models.StatusSpam, "blocked_word:"+w)
	}
	if w, ok := matchWord(p.HeldWords, fields); ok {
		raise(models.StatusPending, "held_word:"+w)
	}
	if p.CountLinks != nil {
		if links := p.CountLinks(n.Text); links > p.MaxLinks {
			raise(models.StatusPending, "too_many_links:"+strconv.Itoa(links))
		}
	}
	if status == models.StatusSpam && score >= p.SpamThreshold {
		rules = append(rules, "score_above_spam_threshold")
	} else if status == models.StatusPending && score >= p.HamThreshold && score < p.SpamThreshold {
		rules = append(rules, "score_uncertain")
	}
	return status, rules
}

// scoreOnly reports whether rules came from the score alone (no rule hit).
func scoreOnly(rules []string) bool {
	for _, r := range rules {
		if r != "score_above_spam_threshold" && r != "score_uncertain" {
			return false
		}
	}
	return true
}

func rank(s models.Status) int {
	switch s {
	case models.StatusSpam:
		return 2
	case models.StatusPending:
		return 1
	}
	return 0
}

// matchWord finds the first word of words that stands as a whole word
// (case-insensitive, Unicode letters and digits as word characters) in any field.
func matchWord(words []string, fields []string) (string, bool) {
	if len(words) == 0 {
		return "", false
	}
	lowered := make([]string, len(fields))
	for i, f := range fields {
		lowered[i] = strings.ToLower(f)
	}
	for _, w := range words {
		lw := strings.ToLower(strings.TrimSpace(w))
		if lw == "" {
			continue
		}
		for _, f := range lowered {
			if containsWord(f, lw) {
				return w, true
			}
		}
	}
	return "", false
}

func containsWord(s, w string) bool {
	for off := 0; off <= len(s); {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(w)
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if (start == 0 || !isWordRune(before)) && (end == len(s) || !isWordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[start:])
		off = start + size
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }
