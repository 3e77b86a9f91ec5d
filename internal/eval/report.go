package eval

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/commentd/commentd/internal/moderation"
	"github.com/commentd/commentd/models"
)

// sweepThresholds are the spam thresholds the sweep tries besides the shipped one.
var sweepThresholds = []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99}

// WriteTable writes m as a readable table, then a sweep of the spam
// threshold over results (re-judged with p at each threshold).
func WriteTable(w io.Writer, m Metrics, results []Result, p *moderation.Policy) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "%d comments: %d spam, %d ham; %d malformed lines skipped\n", m.N, m.Spam, m.Ham, m.Skipped)
	fmt.Fprintf(w, "ROC AUC %.4f\n\n", m.AUC)
	fmt.Fprintf(w, "verdicts (approved below %.2f, spam from %.2f, queued between or by a rule):\n", m.HamThreshold, m.SpamThreshold)
	fmt.Fprintln(tw, "\tapproved\tqueued\tspam\t")
	fmt.Fprintf(tw, "ham (%d)\t%s\t%s\t%s\t\n", m.Ham, pct(m.HamApproved), pct(m.HamQueued), pct(m.HamSpam))
	fmt.Fprintf(tw, "spam (%d)\t%s\t%s\t%s\t\n", m.Spam, pct(m.SpamApproved), pct(m.SpamQueued), pct(m.SpamCaught))
	fmt.Fprintf(tw, "all (%d)\t\t%s\t\t\n", m.N, pct(m.Queued))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nspam verdicts: precision %.3f, recall %.3f, F1 %.3f, FPR %.3f, MCC %.3f\n\n",
		m.Precision, m.Recall, m.F1, m.FPR, m.MCC)
	fmt.Fprintln(w, "spam threshold sweep (ham threshold min(shipped, t)):")
	fmt.Fprintln(tw, "t\tprecision\trecall\tF1\tFPR\tMCC\tqueued\t")
	ts := append(slices.Clone(sweepThresholds), m.SpamThreshold)
	slices.Sort(ts)
	for _, t := range slices.Compact(ts) {
		q := *p
		q.SpamThreshold, q.HamThreshold = t, min(p.HamThreshold, t)
		s := Compute(Rejudge(results, &q), q.HamThreshold, t)
		mark := ""
		if t == m.SpamThreshold {
			mark = " (shipped)"
		}
		fmt.Fprintf(tw, "%.2f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%s\n", t, s.Precision, s.Recall, s.F1, s.FPR, s.MCC, pct(s.Queued), mark)
	}
	return tw.Flush()
}

// RowHeader is the header of the Markdown table WriteRow writes rows of.
const RowHeader = `| run | n | AUC | precision | recall | F1 | FPR | MCC | ham: approved / queued / spam | spam: approved / queued / caught | queued |
|---|---|---|---|---|---|---|---|---|---|---|
`

// WriteRow writes m as one Markdown table row labelled label (see RowHeader).
func WriteRow(w io.Writer, label string, m Metrics) error {
	_, err := fmt.Fprintf(w, "| %s | %d | %.4f | %.3f | %.3f | %.3f | %.4f | %.3f | %s / %s / %s | %s / %s / %s | %s |\n",
		label, m.N, m.AUC, m.Precision, m.Recall, m.F1, m.FPR, m.MCC,
		pct(m.HamApproved), pct(m.HamQueued), pct(m.HamSpam), pct(m.SpamApproved), pct(m.SpamQueued), pct(m.SpamCaught), pct(m.Queued))
	return err
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// Mistakes returns up to n of the worst errors of each kind: ham not
// approved, highest score first, and spam not caught, lowest score first.
func Mistakes(results []Result, n int) (ham, spam []Result) {
	for _, r := range results {
		switch {
		case r.Record.Class == models.ClassHam && r.Status != models.StatusApproved:
			ham = append(ham, r)
		case r.Record.Class == models.ClassSpam && r.Status != models.StatusSpam:
			spam = append(spam, r)
		}
	}
	slices.SortStableFunc(ham, func(a, b Result) int { return cmp.Compare(b.Score, a.Score) })
	slices.SortStableFunc(spam, func(a, b Result) int { return cmp.Compare(a.Score, b.Score) })
	return ham[:min(n, len(ham))], spam[:min(n, len(spam))]
}

// WriteMistakes writes the worst n mistakes of each kind with their reasons.
func WriteMistakes(w io.Writer, results []Result, n int) error {
	ham, spam := Mistakes(results, n)
	fmt.Fprintf(w, "\nworst ham not approved (%d shown):\n", len(ham))
	for _, r := range ham {
		if err := WriteExplanation(w, r); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nworst spam not caught (%d shown):\n", len(spam))
	for _, r := range spam {
		if err := WriteExplanation(w, r); err != nil {
			return err
		}
	}
	return nil
}

// WriteExplanation writes one verdict: the record, its score and status,
// the rules hit and the tokens that weighed most (+ toward spam, - toward ham).
func WriteExplanation(w io.Writer, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "- %s  %s -> %s  score %.3f\n", r.Record.ID, r.Record.Class, r.Status, r.Score)
	if r.Record.Author != "" || r.Record.Email != "" || r.Record.URL != "" {
		fmt.Fprintf(&b, "    from   %q %q %q\n", r.Record.Author, r.Record.Email, r.Record.URL)
	}
	fmt.Fprintf(&b, "    text   %q\n", clip(r.Record.Text, 200))
	if len(r.Reasons.Rules) > 0 {
		fmt.Fprintf(&b, "    rules  %s\n", strings.Join(r.Reasons.Rules, ", "))
	}
	if len(r.Reasons.Tokens) > 0 {
		b.WriteString("    tokens")
		for _, t := range r.Reasons.Tokens {
			fmt.Fprintf(&b, " %s %+.2f", t.Token, t.Weight)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
