package main

import (
	"encoding/json"
	"strconv"
)

// hamTexts are reader comments of the kind a blog gets; none is in the starter corpus.
var hamTexts = []string{
	"I tried this recipe with whole wheat flour and it came out a little dense. Would adding more water help, or should I let it rise longer?",
	"Thanks for the clear write-up. The part about connection pooling finally made sense to me after reading it twice.",
	"We visited the museum you mentioned last spring and the guided tour was worth every minute. The kids loved the old maps.",
	"Small correction: the second example is missing a closing bracket, so it will not compile as written. Otherwise great post!",
	"My grandmother made something very similar but she always added a pinch of nutmeg. Might try your version this weekend.",
	"Has anyone tried this on a Raspberry Pi 4? I get a timeout on the first step and I am not sure whether it is the power supply.",
	"Lovely photos. The light in the third one is beautiful, what time of day did you take it?",
	"I disagree a little with the conclusion. Caching helps, but only after you measure where the time actually goes.",
	"This is the third time I come back to this article. Bookmarked it now so I stop searching for it every month.",
	"The trail was muddier than your description suggested, but the view from the ridge made up for it. Bring proper boots!",
	"Could you share which version of the library you used? The API changed in the last release and the snippet fails for me.",
	"Beautifully written. Reading about your father's workshop reminded me of my own and the smell of sawdust on Saturdays.",
	"We switched our team to this workflow last quarter and code review got noticeably faster. Thanks for writing it up.",
	"Is there a vegetarian alternative for the stock? I would love to make this for my sister who does not eat meat.",
	"Great explanation of the trade-offs. A follow-up on how this behaves under heavy write load would be very welcome.",
	"I read this on the train this morning and missed my stop. Worth it, though my boss may not agree.",
}

// spamTexts are the kind of comments the filter should catch.
var spamTexts = []string{
	"Buy cheap viagra online now!!! Best prices guaranteed, no prescription needed, fast worldwide shipping http://pills.example/buy",
	"Make $5000 a week working from home! Click here to start earning today http://money.example/start limited offer",
	"Hot singles in your area are waiting for you. Visit http://dating.example/now and chat for free tonight",
	"Best casino bonus 2026, free spins, instant withdrawal, play now at http://casino.example/bonus win big jackpot",
	"Cheap replica watches, rolex omega, 90% off, order today http://watches.example discount code SALE",
	"Get rich quick with crypto trading bot, guaranteed 300% profit, join now http://crypto.example/bot",
	"SEO services: rank #1 on Google in 7 days, buy backlinks cheap http://seo.example/backlinks best price",
	"Lose 20 pounds in 10 days with this one weird trick doctors hate, order pills now http://diet.example",
}

var authors = []string{"Maria", "Tom", "Aisha", "Kenji", "Olga", "Pedro", "Grace", "Liam", "Noor", "Sven", "Chloe", "Ravi"}

// commentBody is the JSON a widget posts. n makes the text and the email, and
// so the duplicate check, unique.
func commentBody(post string, n uint64, runID string, spam bool) []byte {
	var text string
	if spam {
		text = spamTexts[n%uint64(len(spamTexts))]
	} else {
		text = hamTexts[n%uint64(len(hamTexts))]
	}
	b, _ := json.Marshal(map[string]string{
		"post":   post,
		"author": authors[n%uint64(len(authors))],
		"email":  "reader" + strconv.FormatUint(n, 10) + "." + runID + "@example.org",
		"text":   text + " (" + strconv.FormatUint(n, 36) + ")",
	})
	return b
}

// clientIP is the n-th visitor's address, sent in X-Forwarded-For: each
// request comes from another visitor, so the per-IP limits are not what is measured.
func clientIP(n uint64) string {
	n %= 1 << 24
	return "10." + strconv.FormatUint(n>>16, 10) + "." + strconv.FormatUint(n>>8&255, 10) + "." + strconv.FormatUint(n&255, 10)
}
