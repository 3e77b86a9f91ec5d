package spam

import (
	"unicode/utf8"
)

// stemRunes is how many characters of a word the model keeps: prefix
// stemming, which joins inflections and misspellings ("subscribe",
// "subscribed", "subscribers", "subscribee" -> "subscr") in any language
// without a dictionary. On short comments it ranks better than whole words.
const stemRunes = 6

// term is the form of word w the model counts: runs of three or more of the
// same letter squeezed to two ("gooood" -> "good", "channnnel" ->
// "channel"), then cut to stemRunes characters. elongated reports a squeezed run.
func term(w string) (t string, elongated bool) {
	t, elongated = squeeze(w)
	if len(t) <= stemRunes {
		return t, elongated
	}
	n, i := 0, 0
	for i < len(t) && n < stemRunes {
		if t[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRuneInString(t[i:])
			i += size
		}
		n++
	}
	return t[:i], elongated
}

// squeeze cuts runs of three or more of the same letter to two; w itself
// when there are none. Digits stay: "1000" is not an elongated "100".
func squeeze(w string) (string, bool) {
	if !hasRun3(w) {
		return w, false
	}
	b := make([]byte, 0, len(w))
	run, last := 0, rune(-1)
	for _, r := range w {
		if r == last && !('0' <= r && r <= '9') {
			run++
		} else {
			last, run = r, 1
		}
		if run < 3 {
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b), true
}

// hasRun3 reports three equal letters in a row.
func hasRun3(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return hasRuneRun3(w)
		}
		if i >= 2 && w[i] == w[i-1] && w[i] == w[i-2] && !isDigit(w[i]) {
			return true
		}
	}
	return false
}

// hasRuneRun3 is hasRun3 for any UTF-8.
func hasRuneRun3(w string) bool {
	run, last := 0, rune(-1)
	for _, r := range w {
		if r != last || ('0' <= r && r <= '9') {
			last, run = r, 1
		} else if run++; run == 3 {
			return true
		}
	}
	return false
}

// addWord adds the term of a word of the running text, unless it is a stop
// word, and the bigram of it and the word before ("check_out", "my_channe"),
// stop words included: "to you" says more than "to" and "you" apart.
func (z *tokenizer) addWord(w string) {
	t, elongated := term(w)
	z.elongated = z.elongated || elongated
	z.nwords++
	if !stopWord(t) {
		z.add(t)
	}
	if z.prev != "" {
		z.addJoin(z.prev, "_", t)
	}
	z.prev = t
}

// addMarker adds a marker that stands for a word ("tok:longnum"); it joins no bigram.
func (z *tokenizer) addMarker(tok string) {
	z.nwords++
	z.add(tok)
	z.breakBigrams()
}

// addTerm adds the term of another form of the last word (folded leetspeak or look-alikes).
func (z *tokenizer) addTerm(w string) {
	t, _ := term(w)
	z.add(t)
}

// breakBigrams starts a new run of words: no bigram spans a link or an address.
func (z *tokenizer) breakBigrams() { z.prev = "" }

// lengthToken is the bucket of a text's word count.
func lengthToken(words int) string {
	switch {
	case words <= 2:
		return "words:0-2"
	case words <= 5:
		return "words:3-5"
	case words <= 10:
		return "words:6-10"
	case words <= 20:
		return "words:11-20"
	case words <= 40:
		return "words:21-40"
	}
	return "words:41+"
}

// stopWord reports the commonest English function words. Alone they only add
// noise to a score, so they count only inside bigrams.
func stopWord(t string) bool {
	switch t {
	case "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with",
		"by", "from", "as", "is", "are", "was", "were", "be", "been", "am", "i", "me", "my", "you",
		"your", "he", "she", "it", "we", "they", "them", "his", "her", "its", "our", "their", "this",
		"that", "these", "those", "do", "does", "did", "will", "would", "can", "could", "should",
		"have", "has", "had", "not", "no", "so", "just":
		return true
	}
	return false
}
