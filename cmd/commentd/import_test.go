package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

// The sample exports, as WordPress and Disqus write them.
const (
	wordpressSample = "../../internal/importer/testdata/wordpress-sample.xml"
	disqusSample    = "../../internal/importer/testdata/disqus-sample.xml"
)

// onEngines runs test on SQLite and on PostgreSQL, each with an environment of its own.
func onEngines(t *testing.T, test func(t *testing.T, env map[string]string)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := testEnv(t, nil)
			if engine == "postgres" {
				env["COMMENTD_DATABASE_URL"] = postgresURL(t)
			}
			test(t, env)
		})
	}
}

// runCmd runs commentd with args and returns what it printed.
func runCmd(t testing.TB, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, getenvFrom(env), strings.NewReader(""), &out, io.Discard)
	return out.String(), err
}

func runOK(t testing.TB, env map[string]string, args ...string) string {
	t.Helper()
	out, err := runCmd(t, env, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return out
}

// published is one comment of the public API.
type published struct {
	ID     int64  `json:"id"`
	Parent *int64 `json:"parent"`
	Author string `json:"author"`
	Text   string `json:"text"`
}

// thread returns a post's published comments, oldest first.
func (ta *testApp) thread(t *testing.T, post string) []published {
	t.Helper()
	r := ta.do(t, "GET", "/api/v1/comments?post="+url.QueryEscape(post), "", nil)
	var page struct{ Comments []published }
	if err := json.Unmarshal(r.Body, &page); err != nil || r.Status != 200 {
		t.Fatalf("list %s: %d %s", post, r.Status, r.Body)
	}
	return page.Comments
}

// checkThread fails unless the thread's authors are authors, each replying to
// the comment parents names by index (-1: top level).
func checkThread(t *testing.T, got []published, authors []string, parents []int) {
	t.Helper()
	if len(got) != len(authors) {
		t.Fatalf("%d comments published, want %d: %+v", len(got), len(authors), got)
	}
	for i, c := range got {
		var want *int64
		if p := parents[i]; p >= 0 {
			want = &got[p].ID
		}
		if c.Author != authors[i] || (c.Parent == nil) != (want == nil) || (want != nil && *c.Parent != *want) {
			t.Errorf("comment %d: %s replying to %v, want %s replying to %v", i, c.Author, c.Parent, authors[i], want)
		}
	}
}

// trainingLog returns how many training events the installation holds.
func (ta *testApp) trainingLog(t *testing.T) int {
	t.Helper()
	evs, err := ta.store.TrainingEventsAfter(t.Context(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// probe is a bland comment from the samples' spammer: the filter must think
// it likelier spam once their spam is imported.
var probe = models.NewComment{Author: "Best Replica Watches", Email: "sales@replica-deals.example",
	URL: "http://replica-deals.example/cheap", Text: "Nice article about bread, I learned a lot."}

func (ta *testApp) spamScore(t *testing.T) float64 {
	t.Helper()
	if err := ta.filter.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	score, _ := ta.filter.Score(ta.filter.Tokens(probe))
	return score
}

// TestImportWordPress imports the sample export into a running installation:
// the comments are published with their threads, the spam taught the filter,
// a second import changes nothing and a malformed file leaves it as it was.
func TestImportWordPress(t *testing.T) {
	onEngines(t, func(t *testing.T, env map[string]string) {
		ta := startApp(t, env)
		before := ta.spamScore(t)
		out := runOK(t, env, "import", "wordpress", wordpressSample)
		for _, want := range []string{"3 posts, 8 comments (4 approved, 1 pending, 2 spam, 1 trash); left out 1 pingback, 1 trackback",
			"imported 8 comments, skipped 0 imported before; taught the filter 4 ham and 2 spam; 3 replies threaded"} {
			mustContain(t, out, want)
		}
		after := ta.spamScore(t)
		t.Logf("the spam-like probe scores %.4f before the import, %.4f after", before, after)
		if after < before+0.05 {
			t.Errorf("the probe scores %.4f after the import, %.4f before; want clearly higher", after, before)
		}

		sourdough := ta.thread(t, "2026/sourdough")
		checkThread(t, sourdough, []string{"Maria", "Inès", "Maria"}, []int{-1, 0, 1})
		mustContain(t, sourdough[2].Text, `I wrote "if x < 3 then fold" on a sticky note ]]> the fridge.`)
		checkThread(t, ta.thread(t, "2026/focaccia"), []string{"Anaïs"}, []int{-1})
		wantCounts := map[string]float64{"approved": 4, "pending": 1, "spam": 2, "trash": 1}
		if got := ta.queueCounts(t); !equalCounts(got, wantCounts) {
			t.Fatalf("queue counts %v, want %v", got, wantCounts)
		}
		events := ta.trainingLog(t)

		out = runOK(t, env, "import", "wordpress", wordpressSample)
		mustContain(t, out, "imported 0 comments, skipped 8 imported before; taught the filter 0 ham and 0 spam")
		if got := ta.queueCounts(t); !equalCounts(got, wantCounts) || ta.trainingLog(t) != events {
			t.Fatalf("after importing again: counts %v, %d training events; want %v, %d", got, ta.trainingLog(t), wantCounts, events)
		}

		// Under another site name every comment is new, but the file breaks off in the second post.
		sample, err := os.ReadFile(wordpressSample)
		if err != nil {
			t.Fatal(err)
		}
		broken := filepath.Join(t.TempDir(), "broken.xml")
		os.WriteFile(broken, sample[:bytes.Index(sample, []byte("<wp:comment_id>202"))], 0o600)
		_, err = runCmd(t, env, "import", "wordpress", "--site", "copy.example.org", broken)
		if err == nil || !strings.HasPrefix(err.Error(), broken+":") ||
			!strings.HasSuffix(err.Error(), ": malformed XML: unexpected EOF; nothing was imported") {
			t.Fatalf("err = %v, want FILE:LINE:COL: malformed XML", err)
		}
		if got := ta.queueCounts(t); !equalCounts(got, wantCounts) || ta.trainingLog(t) != events {
			t.Fatalf("after a malformed file: counts %v, %d training events; want %v, %d", got, ta.trainingLog(t), wantCounts, events)
		}

		// A moderator can reverse an imported lesson.
		spam := ta.mod(t, "GET", "/queue?status=spam")
		var q struct{ Comments []models.Comment }
		json.Unmarshal(spam.Body, &q)
		if len(q.Comments) != 2 {
			t.Fatalf("spam queue: %s", spam.Body)
		}
		for _, c := range q.Comments {
			if c.Score < 0.5 || len(c.Reasons.Tokens) == 0 || len(c.Reasons.Rules) != 1 || c.Reasons.Rules[0] != "imported" {
				t.Errorf("imported spam %d: score %.3f, reasons %+v; want the filter's score and tokens, and the rule imported",
					c.ID, c.Score, c.Reasons)
			}
		}
		if r := ta.mod(t, "POST", "/comments/"+itoa(q.Comments[0].ID)+"/approve?from=spam"); r.Status != 200 {
			t.Fatalf("approving imported spam: %d %s", r.Status, r.Body)
		}
		if n := ta.trainingLog(t); n != events+2 {
			t.Errorf("%d training events after the reversal, want %d (unlearn spam, learn ham)", n, events+2)
		}
	})
}

// TestImportDisqus imports the Disqus sample: threads by link, spam and
// deleted posts, replies.
func TestImportDisqus(t *testing.T) {
	onEngines(t, func(t *testing.T, env map[string]string) {
		ta := startApp(t, env)
		before := ta.spamScore(t)
		out := runOK(t, env, "import", "disqus", disqusSample)
		mustContain(t, out, "2 posts, 5 comments (3 approved, 0 pending, 1 spam, 1 trash)")
		mustContain(t, out, "imported 5 comments, skipped 0 imported before; taught the filter 3 ham and 1 spam; 2 replies threaded")
		checkThread(t, ta.thread(t, "2026/sourdough"), []string{"Jo", "Inès"}, []int{-1, 0})
		crackers := ta.thread(t, "2026/rye-crackers")
		if len(crackers) != 1 || crackers[0].Author != "Kenji 健二" || crackers[0].Parent == nil {
			t.Errorf("rye crackers: %+v, want Kenji's reply to the deleted comment", crackers)
		}
		after := ta.spamScore(t)
		t.Logf("the spam-like probe scores %.4f before the import, %.4f after", before, after)
		if after < before+0.05 {
			t.Errorf("the probe scores %.4f after the import, %.4f before; want clearly higher", after, before)
		}
		mustContain(t, runOK(t, env, "import", "disqus", disqusSample), "imported 0 comments, skipped 5")
	})
}

func equalCounts(got, want map[string]float64) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return total(got) == total(want)
}

// TestImportArguments checks what the command refuses before touching anything.
func TestImportArguments(t *testing.T) {
	env := testEnv(t, nil)
	for _, args := range [][]string{
		{"import"},
		{"import", "mt", wordpressSample},
		{"import", "wordpress"},
		{"import", "wordpress", "--post-id=slug", wordpressSample},
		{"import", "disqus", "--post-id=guid", disqusSample},
		{"import", "wordpress", "/no/such/file.xml"},
		{"import", "wordpress", disqusSample},
		{"export", "--format", "csv"},
	} {
		if out, err := runCmd(t, env, args...); err == nil {
			t.Errorf("%v succeeded: %s", args, out)
		}
	}
	out := runOK(t, env, "import", "wordpress", "--dry-run", wordpressSample)
	mustContain(t, out, "dry run: nothing imported")
	out = runOK(t, env, "import", "wordpress", wordpressSample, "--dry-run") // flags after the file
	mustContain(t, out, "dry run: nothing imported")
	if out, err := runCmd(t, env, "import", "wordpress", wordpressSample, "extra"); err == nil {
		t.Errorf("two files accepted: %s", out)
	}
}

// TestSubcommandHelp: every "commentd X help" that commentd help mentions prints X's usage.
func TestSubcommandHelp(t *testing.T) {
	for _, cmd := range []string{"moderator", "apikey", "model", "import"} {
		for _, h := range []string{"help", "-h", "--help"} {
			out, err := runCmd(t, map[string]string{}, cmd, h)
			if err != nil || !strings.HasPrefix(out, "usage: commentd "+cmd) {
				t.Errorf("commentd %s %s = %q, %v; want its usage", cmd, h, out, err)
			}
		}
	}
}

// TestExportImportJSON exports an installation that has seen visitors,
// moderators, an import and other sites, with webhook events waiting,
// restores it into an empty database of the other engine, and serves the
// copy, which delivers the events.
func TestExportImportJSON(t *testing.T) {
	onEngines(t, func(t *testing.T, env map[string]string) {
		hooks := newHookReceiver(t)
		maps.Copy(env, everyPending)
		maps.Copy(env, hookEnv(t, hooks, nil))
		ta := startApp(t, env) // no dispatcher: the events wait in the outbox
		var ids []int64
		for i, text := range []string{"Lovely crumb on that loaf, thanks for the tips.", "What hydration do you use for rye?",
			"Cheap replica watches casino bonus http://replica-deals.example/"} {
			ids = append(ids, idOf(t, ta.postJSON(t, comment("2026/rye", "text", text, "email", "reader"+itoa(int64(i))+"@example.org"))))
		}
		for _, step := range []string{"/comments/" + itoa(ids[1]) + "/approve", "/comments/" + itoa(ids[2]) + "/spam"} {
			if r := ta.mod(t, "POST", step); r.Status != 200 {
				t.Fatalf("%s: %d %s", step, r.Status, r.Body)
			}
		}
		if r := ta.do(t, "POST", "/api/v1/moderation/words", "application/json", []byte(`{"kind":"held","word":"casino"}`),
			"Authorization", "Bearer "+testToken); r.Status/100 != 2 {
			t.Fatalf("add word: %d %s", r.Status, r.Body)
		}
		var out bytes.Buffer
		if err := run(t.Context(), []string{"moderator", "add", "--name", "ann", "--role", "admin"}, getenvFrom(env),
			strings.NewReader("a long enough password\n"), &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		runOK(t, env, "import", "wordpress", wordpressSample)
		key, revoked := setUpSites(t, ta)

		file := filepath.Join(t.TempDir(), "commentd.jsonl")
		runOK(t, env, "export", "--format", "json", "--out", file)
		if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("export file: %v, %v; want mode 0600", fi, err)
		}

		// Into an empty database of the other engine, twice.
		other := hookEnv(t, hooks, nil)
		if !strings.HasPrefix(env["COMMENTD_DATABASE_URL"], "postgres") {
			other["COMMENTD_DATABASE_URL"] = postgresURL(t)
		}
		out1 := runOK(t, other, "import", "json", file)
		mustContain(t, out1, "restored 1 moderator, 1 listed word, 11 comments, 8 comment sources, 9 training events")
		mustContain(t, out1, "2 site API keys, 1 spam check, 8 webhook events")
		mustContain(t, out1, "set each moderator's with commentd moderator passwd")
		mustContain(t, runOK(t, other, "import", "json", file), "is imported already; nothing to do")
		if _, err := runCmd(t, env, "import", "json", file); err == nil || !strings.Contains(err.Error(), "restores into an empty installation") {
			t.Errorf("import json into the original: %v", err)
		}

		tb, _ := startHooked(t, other)
		hooks.wantEvents(t, 8) // created and queued for each of the 3 posts, the 2 decisions
		if got, want := tb.queueCounts(t), ta.queueCounts(t); !equalCounts(got, want) {
			t.Errorf("counts of the copy %v, want %v", got, want)
		}
		for _, post := range []string{"2026/rye", "2026/sourdough", "2026/focaccia"} {
			if got, want := tb.thread(t, post), ta.thread(t, post); !equalJSON(got, want) {
				t.Errorf("%s on the copy: %+v\nwant %+v", post, got, want)
			}
		}
		if got, want := tb.spamScore(t), ta.spamScore(t); got != want {
			t.Errorf("the copy scores the probe %.6f, the original %.6f", got, want)
		}
		mustContain(t, runOK(t, other, "moderator", "list"), "ann")
		mustContain(t, runOK(t, other, "import", "wordpress", wordpressSample), "imported 0 comments, skipped 8")
		if id := idOf(t, tb.postJSON(t, comment("2026/rye", "text", "A new comment on the copy."))); id <= ids[2] {
			t.Errorf("a new comment on the copy got id %d, want above %d", id, ids[2])
		}
		hooks.wantEvents(t, 10)
		checkSitesMoved(t, tb, key, revoked, "submit-ham")

		// A dump cut off restores nothing.
		data, _ := os.ReadFile(file)
		cut := filepath.Join(t.TempDir(), "cut.jsonl")
		os.WriteFile(cut, data[:bytes.LastIndex(data, []byte(`{"type":"training_event"`))], 0o600)
		empty := testEnv(t, nil)
		_, err := runCmd(t, empty, "import", "json", cut)
		if err == nil || !strings.HasPrefix(err.Error(), cut+":") || !strings.Contains(err.Error(), "it was cut off; nothing was imported") {
			t.Fatalf("import of a cut-off dump: %v", err)
		}
		if out, _ := runCmd(t, empty, "export", "--format", "json"); strings.Contains(out, `"type":"comment"`) {
			t.Errorf("a cut-off dump left rows behind:\n%.500s", out)
		}
	})
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
