package web

import (
	"cmp"
	"html/template"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/commentd/commentd/models"
)

// funcs are the helpers templates call. They format; they never build markup.
func (s *Site) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":       s.AssetURL,
		"statusLabel": StatusLabel,
		"pct":         pct,
		"when":        when,
		"iso":         iso,
		"rule":        rule,
		"weight":      weight,
		"topTokens":   topTokens,
		"trunc":       trunc,
		"num":         num,
		"id":          formatID,
		"expired":     expired,
		"path":        url.PathEscape,
		"wordList":    newWordList,
		"banKinds":    func() []Option { return BanKinds },
		"expiries":    func() []Option { return Expiries },
		"roles":       func() []Option { return Roles },
	}
}

// expired reports whether an optional expiry time has passed.
func expired(t *time.Time) bool { return t != nil && !time.Now().Before(*t) }

// wordList is one word list's card on the policy page.
type wordList struct {
	Kind, Title, Help string
	Words             []models.Word
	Page              Page
}

func newWordList(kind, title, help string, words []models.Word, p Page) wordList {
	return wordList{Kind: kind, Title: title, Help: help, Words: words, Page: p}
}

// pct shows a 0..1 score as a whole percentage; tiny non-zero scores stay visible.
func pct(score float64) string {
	p := score * 100
	switch {
	case p > 0 && p < 1:
		return "<1%"
	case p > 99 && p < 100:
		return ">99%"
	}
	return strconv.Itoa(int(math.Round(p))) + "%"
}

// when is a time in UTC to the minute; the console script turns it into local, relative time.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func iso(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// rule turns a rule name such as "blocked_word:casino" into words: "blocked word: casino".
func rule(r string) string {
	name, detail, ok := strings.Cut(r, ":")
	label := strings.ReplaceAll(name, "_", " ")
	switch name {
	case "score_above_spam_threshold":
		label = "score above spam threshold"
	case "score_uncertain":
		label = "uncertain score"
	case "too_many_links":
		return "too many links (" + detail + ")"
	}
	if ok {
		return label + ": " + detail
	}
	return label
}

// weight shows a token's log-likelihood ratio with its sign: + pulls toward spam.
func weight(w float64) string {
	if w < 0 {
		return "\u2212" + strconv.FormatFloat(-w, 'f', 1, 64)
	}
	return "+" + strconv.FormatFloat(w, 'f', 1, 64)
}

// topTokens returns the n tokens that weigh most either way, strongest first.
func topTokens(ts []models.TokenWeight, n int) []models.TokenWeight {
	out := slices.Clone(ts)
	slices.SortStableFunc(out, func(a, b models.TokenWeight) int { return cmp.Compare(math.Abs(b.Weight), math.Abs(a.Weight)) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// trunc cuts s to n characters, marking the cut with an ellipsis.
func trunc(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

// num shows a float setting without trailing zeros.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func formatID(id int64) string { return strconv.FormatInt(id, 10) }
