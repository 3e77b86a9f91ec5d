package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one load's result against its floor.
type row struct {
	load, floor     string
	max, floorMax   sample // the median closed-loop attack of each
	half, floorHalf sample // at half the highest rate
	errors          int    // on the server, over every attack
}

// goals are the targets: the real server's share of its floor per
// load (POST: 40% on SQLite, 25% on PostgreSQL), and p99 at half the highest
// rate.
type goals struct {
	ratio  map[string]float64
	halfMS float64 // p99 at half the highest rate, in milliseconds
}

func defaultGoals(postGoal float64) goals {
	return goals{ratio: map[string]float64{"post": postGoal, "list": 0.70, "list304": 0.90}, halfMS: 10}
}

// printTable writes one line per row under label: aligned, or with tsv
// tab-separated for a caller that aligns several runs together.
func printTable(w io.Writer, label string, rows []row, services []string, g goals, header, tsv bool) {
	var tw interface {
		io.Writer
		Flush() error
	} = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if tsv {
		tw = plain{w}
	}
	if header {
		fmt.Fprintln(tw, "server\tload\tmax/s\tfloor\tfloor max/s\tratio\tgoal\tcpu/req\tservices cpu/req\tfloor cpu/req\t½max/s\tp50\tp99\tp99.9\tfloor p99\terrors\tcodes\t")
	}
	for _, r := range rows {
		ratio := r.max.rate / r.floorMax.rate
		goal := "-"
		if t, ok := g.ratio[r.load]; ok {
			mark := "ok"
			if ratio < t {
				mark = "MISS"
			}
			goal = fmt.Sprintf("%.0f%% %s", t*100, mark)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%.0f\t%.2f\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%d\t%s\t\n",
			label, r.load, r.max.rate, r.floor, r.floorMax.rate, ratio, goal, us(r.max.cpu), perService(services, r.max.services), us(r.floorMax.cpu), r.half.rate,
			ms(r.half.quantile(0.5)), p99(r.half.quantile(0.99), g.halfMS), ms(r.half.quantile(0.999)), ms(r.floorHalf.quantile(0.99)),
			r.errors, codes(r.half))
	}
	tw.Flush()
}

// p99 formats the p99 latency at half rate, marked when it is over the goal.
func p99(d time.Duration, goalMS float64) string {
	if float64(d)/float64(time.Millisecond) > goalMS {
		return ms(d) + " MISS"
	}
	return ms(d)
}

// plain writes through, cells separated by the tabs as written.
type plain struct{ io.Writer }

func (plain) Flush() error { return nil }

// us formats a CPU time per request in microseconds, "-" when unknown.
func us(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
}

// perService formats the CPU time per request of each named service, e.g.
// "redis-server 55µs postgres 109µs", or "-" when none is measured.
func perService(names []string, cpu []time.Duration) string {
	var out []string
	for i, d := range cpu {
		out = append(out, names[i]+" "+us(d))
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, " ")
}

// ms formats a latency in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// codes lists the statuses of an attack, e.g. "201×5000".
func codes(s sample) string {
	var out []string
	for c, n := range s.codes {
		out = append(out, fmt.Sprintf("%d×%d", c, n))
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}
