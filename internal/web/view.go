package web

import (
	"net/url"
	"slices"
	"strings"

	"github.com/commentd/commentd/models"
)

// Page is what every console page shows around its content.
type Page struct {
	Title  string
	Nav    string // the current section: queue, policy, audit, accounts ("" on the login page)
	User   string // who is logged in ("" on the login page)
	Role   models.Role
	CSRF   string   // the session's CSRF token, for forms and the meta tag scripts read
	Notice string   // what just succeeded
	Errors []string // what went wrong, in words
}

// Admin reports whether the logged-in moderator may change policy and accounts.
func (p Page) Admin() bool { return p.Role == models.RoleAdmin }

// Error is an error page.
type Error struct {
	Page
	Status  int
	Message string
	Back    string // a local URL to go back to
}

// Login is the login form.
type Login struct {
	Page
	Name string // the name typed, kept after a failed attempt
	Next string // the local page to go to after logging in
}

// Statuses are the queue's tabs, in order.
var Statuses = []models.Status{models.StatusPending, models.StatusSpam, models.StatusApproved, models.StatusTrash}

// StatusLabel is a status as the console names it.
func StatusLabel(s models.Status) string {
	switch s {
	case models.StatusPending:
		return "Pending"
	case models.StatusSpam:
		return "Spam"
	case models.StatusApproved:
		return "Approved"
	case models.StatusTrash:
		return "Trash"
	}
	return string(s)
}

// QueueForm is the queue filter as typed.
type QueueForm struct {
	Post, Author, Email, IP, Text, MinScore, MaxScore, Since, Until, Sort string
}

// values returns the non-empty filter fields under their query names, as
// they were queried: the page's links and its "all matching" bulk decision
// must select the very comments the page lists ("casino " is not "casino").
func (f QueueForm) values() url.Values {
	v := url.Values{}
	for _, p := range [...]struct{ k, v string }{
		{"post", f.Post}, {"author", f.Author}, {"email", f.Email}, {"ip", f.IP}, {"text", f.Text},
		{"min_score", f.MinScore}, {"max_score", f.MaxScore}, {"since", f.Since}, {"until", f.Until},
	} {
		if p.v != "" {
			v.Set(p.k, p.v)
		}
	}
	return v
}

// Row is one comment of the queue, with its author's history and, for a reply, its parent.
type Row struct {
	models.Comment
	History models.AuthorHistory
	Parent  *models.Comment
}

// Action is a decision a queue row or the bulk bar offers.
type Action struct {
	Name  string // the moderation action: approve, spam, trash, restore, delete
	Label string
	Key   string // the keyboard shortcut, "" for none
}

var (
	actApprove = Action{"approve", "Approve", "a"}
	actSpam    = Action{"spam", "Spam", "s"}
	actTrash   = Action{"trash", "Trash", "t"}
	actRestore = Action{"restore", "Restore", "r"}
	actDelete  = Action{"delete", "Delete forever", ""}
)

// actions lists the decisions each tab offers; a decision that would not move
// the comment is left out.
var actions = map[models.Status][]Action{
	models.StatusPending:  {actApprove, actSpam, actTrash},
	models.StatusSpam:     {actApprove, Action{"restore", "Not spam", "r"}, actTrash, actDelete},
	models.StatusApproved: {actSpam, actTrash},
	models.StatusTrash:    {actRestore, actApprove, actSpam, actDelete},
}

// Queue is the moderation queue page: one tab (status) of comments, filtered.
type Queue struct {
	Page
	Status   models.Status
	Counts   map[models.Status]int
	Form     QueueForm
	Rows     []Row
	Cursor   string // this page's cursor ("" on the first page)
	Next     string // the next page's cursor ("" on the last page)
	Settings models.Settings
}

// query is the tab and filter as URL parameters, without a cursor.
func (q Queue) query() url.Values {
	v := q.Form.values()
	v.Set("status", string(q.Status))
	if q.Form.Sort != "" && q.Form.Sort != string(models.SortNewest) {
		v.Set("sort", q.Form.Sort)
	}
	return v
}

func consoleURL(v url.Values) string {
	if len(v) == 0 {
		return "/console"
	}
	return "/console?" + v.Encode()
}

// Tab is one status tab of the queue.
type Tab struct {
	Status  models.Status
	Label   string
	Count   int
	Current bool
	URL     string
}

// Tabs are the status tabs, keeping the filter.
func (q Queue) Tabs() []Tab {
	out := make([]Tab, len(Statuses))
	for i, s := range Statuses {
		v := q.query()
		v.Set("status", string(s))
		out[i] = Tab{Status: s, Label: StatusLabel(s), Count: q.Counts[s], Current: s == q.Status, URL: consoleURL(v)}
	}
	return out
}

// Actions are the decisions this tab offers.
func (q Queue) Actions() []Action { return actions[q.Status] }

// URL is this page's own address, where forms come back to.
func (q Queue) URL() string {
	v := q.query()
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	return consoleURL(v)
}

// NextURL is the next page's address ("" on the last page).
func (q Queue) NextURL() string {
	if q.Next == "" {
		return ""
	}
	v := q.query()
	v.Set("cursor", q.Next)
	return consoleURL(v)
}

// FirstURL is the first page's address ("" when this is the first page).
func (q Queue) FirstURL() string {
	if q.Cursor == "" {
		return ""
	}
	return consoleURL(q.query())
}

// TopURL is the first page of this tab and filter.
func (q Queue) TopURL() string { return consoleURL(q.query()) }

// QueryString is the tab and filter as a query string, for the console script.
func (q Queue) QueryString() string { return q.query().Encode() }

// NextLabel names the next page after the order.
func (q Queue) NextLabel() string {
	switch models.QueueSort(q.Form.Sort) {
	case models.SortOldest:
		return "Newer"
	case models.SortScore:
		return "Next page"
	}
	return "Older"
}

// ClearURL is this tab without any filter.
func (q Queue) ClearURL() string { return consoleURL(url.Values{"status": {string(q.Status)}}) }

// FilterBy is this tab filtered by one more field (such as email or ip).
func (q Queue) FilterBy(key, value string) string {
	v := q.query()
	v.Set(key, value)
	return consoleURL(v)
}

// MoreFilters counts the filters set under "More" (score and dates), 0 for none.
func (q Queue) MoreFilters() int {
	n := 0
	for _, v := range []string{q.Form.MinScore, q.Form.MaxScore, q.Form.Since, q.Form.Until} {
		if strings.TrimSpace(v) != "" {
			n++
		}
	}
	return n
}

// Filtered reports whether any filter field is set.
func (q Queue) Filtered() bool { return len(q.Form.values()) > 0 }

// Field is a name and value for a hidden form input.
type Field struct{ Name, Value string }

// FilterFields are the tab and filter as hidden inputs, for "all matching" bulk decisions.
func (q Queue) FilterFields() []Field {
	var out []Field
	for k, vs := range q.query() {
		out = append(out, Field{k, vs[0]})
	}
	slices.SortFunc(out, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ScoreClass is a score's band for colour: ham below the ham threshold, spam at
// or above the spam threshold, unsure between.
func (q Queue) ScoreClass(score float64) string {
	switch {
	case score >= q.Settings.SpamThreshold:
		return "score-spam"
	case score >= q.Settings.HamThreshold:
		return "score-unsure"
	}
	return "score-ham"
}

// Empty says what an empty tab means.
func (q Queue) Empty() string {
	if q.Filtered() {
		return "No comments match this filter."
	}
	switch q.Status {
	case models.StatusPending:
		return "Nothing waits for moderation. Well done."
	case models.StatusSpam:
		return "No spam. The filter is quiet."
	case models.StatusTrash:
		return "The trash is empty."
	}
	return "No comments yet."
}

// Policy is the settings, word lists and bans page.
type Policy struct {
	Page
	Settings models.Settings
	Blocked  []models.Word
	Held     []models.Word
	Bans     []models.Ban
	Ban      BanForm // the add-ban form as typed
}

// BanForm is the add-ban form as typed.
type BanForm struct{ Kind, Value, Reason, Expires string }

// Option is one choice of a select.
type Option struct{ Value, Label string }

// Expiries are the durations a ban can be given; the value is a Go duration.
var Expiries = []Option{
	{"", "Never"}, {"1h", "1 hour"}, {"24h", "1 day"}, {"168h", "1 week"}, {"720h", "30 days"}, {"8760h", "1 year"},
}

// BanKinds are the kinds of ban, with what their value is.
var BanKinds = []Option{
	{string(models.BanEmail), "Email"}, {string(models.BanIP), "IP or CIDR range"}, {string(models.BanAuthor), "Author name"},
}

// Audit is the audit log page.
type Audit struct {
	Page
	Form    AuditForm
	Entries []models.AuditEntry
	Cursor  string
	Next    string
}

// AuditForm is the audit filter as typed.
type AuditForm struct{ Actor, Action, Comment, Since, Until string }

func (a Audit) query() url.Values {
	v := url.Values{}
	for _, p := range [...]struct{ k, v string }{
		{"actor", a.Form.Actor}, {"action", a.Form.Action}, {"comment", a.Form.Comment},
		{"since", a.Form.Since}, {"until", a.Form.Until},
	} {
		if p.v != "" { // as queried, like the queue's filter
			v.Set(p.k, p.v)
		}
	}
	return v
}

func auditURL(v url.Values) string {
	if len(v) == 0 {
		return "/console/audit"
	}
	return "/console/audit?" + v.Encode()
}

// NextURL is the next (older) page's address ("" on the last page).
func (a Audit) NextURL() string {
	if a.Next == "" {
		return ""
	}
	v := a.query()
	v.Set("cursor", a.Next)
	return auditURL(v)
}

// FirstURL is the first page's address ("" when this is the first page).
func (a Audit) FirstURL() string {
	if a.Cursor == "" {
		return ""
	}
	return auditURL(a.query())
}

// CommentURL is the audit log of one comment.
func (a Audit) CommentURL(id int64) string {
	return auditURL(url.Values{"comment": {formatID(id)}})
}

// Accounts is the admins' page of moderator accounts and API tokens.
type Accounts struct {
	Page
	Moderators []models.Moderator
	Tokens     []Token
	Issued     *IssuedToken // a token just issued, shown this once
	Add        AccountForm  // the add-account form as typed
}

// Token is an API token with its owner's name.
type Token struct {
	models.APIToken
	Owner string
}

// IssuedToken is a new token in clear, shown once.
type IssuedToken struct{ Owner, Label, Secret string }

// AccountForm is the add-account form as typed (never the password).
type AccountForm struct{ Name, Role string }

// Roles are the account roles, for the add-account form.
var Roles = []Option{{string(models.RoleModerator), "Moderator"}, {string(models.RoleAdmin), "Admin"}}
