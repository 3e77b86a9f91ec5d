package main

import "testing"

// TestStarterModelVerdicts checks the shipped model and default thresholds on
// comments that are not in its corpus.
func TestStarterModelVerdicts(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_MAX_LINKS": "5"}))
	cases := []struct {
		name, author, email, url, text, want string
	}{
		{"genuine question", "Helen", "helen.m@gmail.com", "",
			"I made this soup last night with chickpeas instead of lentils and my kids loved it. Do you think it would freeze well for a week?", "approved"},
		{"genuine disagreement", "Tom Baker", "tom@fastmail.com", "",
			"I'm not sure I agree about pruning the roses this early; in our garden a late frost killed the new shoots twice.", "approved"},
		{"pharma spam", "Cheap Meds", "sales@pharma-discount.biz", "http://cheap-meds-online.biz",
			"Buy viagra cialis online without prescription! Best prices, fast worldwide shipping, visit http://cheap-meds-online.biz now!!!", "spam"},
		{"crypto spam", "Crypto King", "invest@fastprofit.xyz", "https://fastprofit.xyz",
			"I earned $5000 in one week with this bitcoin investment platform, contact my broker on WhatsApp +1 555 0100 to double your money", "spam"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := comment("v-"+tc.name, "author", tc.author, "email", tc.email, "text", tc.text)
			if tc.url != "" {
				body["url"] = tc.url
			}
			r := ta.postJSON(t, body)
			if got := r.json(t)["status"]; got != tc.want {
				t.Fatalf("status %v, want %s: %s", got, tc.want, r.Body)
			}
		})
	}
}
