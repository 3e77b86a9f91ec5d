package embed

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"
)

// funcs are the helpers the page templates call.
var funcs = template.FuncMap{
	"countLabel": countLabel,
	"identicon":  Identicon,
	"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"utc":        func(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") },
	"ago":        func(t time.Time) string { return ago(t, time.Now()) },
}

func countLabel(n int) string {
	switch n {
	case 0:
		return "No comments yet"
	case 1:
		return "1 comment"
	}
	return strconv.Itoa(n) + " comments"
}

// Identicon draws the 5x5 mirrored pattern of an avatar hash as inline SVG, the
// same drawing the script makes: no request leaves for a third party. Anything
// but 64 hex digits draws nothing.
func Identicon(hash string) template.HTML {
	if len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
		return ""
	}
	nibble := func(i int) int {
		n, _ := strconv.ParseUint(hash[i:i+1], 16, 8)
		return int(n)
	}
	hue, _ := strconv.ParseUint(hash[:3], 16, 16)
	var d strings.Builder
	for y := range 5 {
		for x := range 3 {
			if nibble(3+y*3+x)%2 != 0 {
				continue
			}
			fmt.Fprintf(&d, "M%d %dh1v1h-1z", x, y)
			if x < 2 {
				fmt.Fprintf(&d, "M%d %dh1v1h-1z", 4-x, y)
			}
		}
	}
	h := hue % 360
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="-1 -1 7 7">`+
		`<rect x="-1" y="-1" width="7" height="7" fill="hsl(%d,45%%,90%%)"/><path d="%s" fill="hsl(%d,55%%,42%%)"/></svg>`, h, d.String(), h))
}

// ago says how long before now t was, in the largest whole unit, as the script does.
func ago(t, now time.Time) string {
	s := now.Sub(t).Seconds()
	units := []struct {
		name string
		secs float64
	}{{"year", 31536e3}, {"month", 2592e3}, {"week", 604800}, {"day", 86400}, {"hour", 3600}, {"minute", 60}}
	for _, u := range units {
		if s < u.secs {
			continue
		}
		n := int(s/u.secs + 0.5)
		switch {
		case n == 1 && u.name == "day":
			return "yesterday"
		case n == 1:
			return "1 " + u.name + " ago"
		}
		return strconv.Itoa(n) + " " + u.name + "s ago"
	}
	return "just now"
}
