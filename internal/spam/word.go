package spam

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// words adds the word tokens of the lowercase text t[i:end].
func (z *tokenizer) words(t string, i, end int) {
	for i < end && !z.full() {
		c := t[i]
		if c < utf8.RuneSelf {
			if !isAlnum(c) {
				i++
				continue
			}
		} else if r, n := utf8.DecodeRuneInString(t[i:end]); !isWordRune(r) {
			i += n
			continue
		}
		i = z.word(t, i, end)
	}
}

// word adds the token(s) of the word starting at t[start] and returns where it ends.
//
// A word is a run of letters, digits and marks; '@', '$', '!' and '|' between
// two letters stay inside it ("v@lium"). Besides the word itself it yields:
// its leet-folded form ("v1agra" -> "viagra") and "tok:leet"; its Latin form
// when Cyrillic or Greek look-alikes hide among Latin letters, and
// "tok:mixedscript"; a domain for "name.tld"; a run of single letters joined
// ("v i a g r a" -> "viagra", "tok:spaced"). Han and kana characters are
// words of one character each. Numbers longer than four digits become
// "tok:longnum", words over 40 bytes "tok:longword". Words are counted as
// terms (see term) and joined with the word before them into bigrams.
func (z *tokenizer) word(t string, start, end int) int {
	j, letters, digits := start, 0, 0
	latin, lookalike, leetSeen := false, false, false
	for j < end {
		c := t[j]
		if c < utf8.RuneSelf {
			switch {
			case isAlpha(c):
				letters++
				latin = true
			case isDigit(c):
				digits++
			case leetJoin(c) && j > start && j+1 < end && isAlpha(t[j-1]) && isAlpha(t[j+1]):
				leetSeen = true
			default:
				goto done
			}
			j++
			continue
		}
		r, n := utf8.DecodeRuneInString(t[j:end])
		switch {
		case ideograph(r):
			if j == start {
				z.flushRun()
				z.addWord(t[j : j+n])
				return j + n
			}
			goto done
		case unicode.IsLetter(r):
			letters++
			lookalike = lookalike || latinLookalike(r) != 0
		case unicode.IsDigit(r) || unicode.IsMark(r):
		default:
			goto done
		}
		j += n
	}
done:
	w := t[start:j]
	if letters > 0 && j+1 < end && t[j] == '.' && isAlnum(t[j+1]) && start >= z.noDomainUntil {
		if k := z.domain(t, start, j, end); k > 0 {
			return k
		}
	}
	if letters > 2 && j+4 < end && (t[j] == '.' && t[j+1] == ' ' || t[j] == ' ' && t[j+1] == '.') {
		if k := z.spacedDomain(t, start, j, end); k > 0 {
			return k
		}
	}
	if len(w) <= utf8.UTFMax && utf8.RuneCountInString(w) == 1 {
		z.single(w, start, j, letters > 0)
		return skipContraction(t, j, end)
	}
	z.flushRun()
	switch {
	case len(w) > maxWordBytes:
		z.addMarker("tok:longword")
	case letters == 0 && len(w) > 4:
		z.addMarker("tok:longnum")
	default:
		z.addWord(w)
	}
	if letters > 1 && (leetSeen || digits > 0 && leetInside(w)) && len(w) <= maxWordBytes {
		z.addTerm(foldLeet(w))
		z.add("tok:leet")
	}
	if latin && lookalike && len(w) <= maxWordBytes {
		z.addTerm(foldLeet(foldLookalikes(w)))
		z.add("tok:mixedscript")
	}
	return skipContraction(t, j, end)
}

// domain adds the tokens of a bare "name.tld" starting at t[start] whose
// first label ends at t[dot], and returns where it ends, or 0 if it is not one.
func (z *tokenizer) domain(t string, start, dot, end int) int {
	k := dot
	for k < end && (isAlnum(t[k]) || t[k] == '.' || t[k] == '-') {
		k++
	}
	for t[k-1] == '.' || t[k-1] == '-' {
		k--
	}
	host := hostOf(t[start:k])
	if host == "" || !plausibleDomain(host) {
		z.noDomainUntil = k // no later word of this dotted run is a domain either
		return 0
	}
	z.flushRun()
	z.links++
	z.breakBigrams()
	z.hostTokens("url:", "tld:", host)
	z.add("tok:domain")
	return k
}

// plausibleDomain reports a host that text can name without a scheme: one
// with a known top-level domain, a shortener, or a two-letter country code
// under a name with a hyphen or several labels ("celeb-news.eu.pn").
func plausibleDomain(host string) bool {
	tld := host[strings.LastIndexByte(host, '.')+1:]
	return knownTLD(tld) || shortener(registrable(host)) ||
		len(tld) == 2 && isAlpha(tld[0]) && isAlpha(tld[1]) && (strings.IndexByte(host, '-') >= 0 || strings.Count(host, ".") >= 2)
}

// spacedDomain adds the tokens of a domain hidden by spaces, "name. com" or
// "name .com", where the word t[start:end0] is the name, and returns where it
// ends, or 0 if there is none. Only .com, .net and .org are tried.
func (z *tokenizer) spacedDomain(t string, start, end0, end int) int {
	i, dots := end0, 0
	for i < end && (t[i] == ' ' || t[i] == '.') && i-end0 < 4 {
		if t[i] == '.' {
			dots++
		}
		i++
	}
	if dots != 1 || i == end0+1 || i+3 > end || (i+3 < end && isAlnum(t[i+3])) {
		return 0
	}
	switch tld := t[i : i+3]; tld {
	case "com", "net", "org":
		z.flushRun()
		z.links++
		z.breakBigrams()
		z.hostTokens("url:", "tld:", t[start:end0]+"."+tld)
		z.add("tok:domain")
		z.add("tok:spaceddomain")
		return i + 3
	}
	return 0
}

// single collects one-character words into a run, which flushRun turns into a token.
func (z *tokenizer) single(w string, start, end int, letter bool) {
	if z.runN == 0 || start-z.runEnd > 2 {
		z.flushRun()
	}
	z.run = append(z.run, w...)
	z.runN++
	if letter {
		z.runLetters++
	}
	z.runEnd = end
}

// flushRun adds the word spelled by a run of four or more single characters,
// at least half of them letters.
func (z *tokenizer) flushRun() {
	if z.runN >= 4 && z.runLetters*2 >= z.runN && len(z.run) <= maxWordBytes {
		z.addWord(foldLeet(string(z.run)))
		z.add("tok:spaced")
	}
	z.run, z.runN, z.runLetters = z.run[:0], 0, 0
}

// skipContraction skips an apostrophe and a short suffix ("'s", "n't", "'ll")
// after a word, so that the suffix is neither a token nor part of a spaced run.
func skipContraction(t string, j, end int) int {
	k := j
	switch {
	case k < end && t[k] == '\'':
		k++
	case strings.HasPrefix(t[k:end], "’"):
		k += len("’")
	default:
		return j
	}
	e := k
	for e < end && isAlpha(t[e]) {
		e++
	}
	if e == k || e-k > 2 {
		return j
	}
	return e
}

// isWordRune reports the runes words are made of: letters, digits and marks.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isAlnum(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// leetJoin reports symbols used for letters inside words.
func leetJoin(c byte) bool { return c == '@' || c == '$' || c == '!' || c == '|' }

// leetInside reports leetspeak in a word of letters and digits: a digit that
// stands for a letter between two letters ("v1agra"), or two or more ending
// the word ("fr33").
func leetInside(w string) bool {
	for i := 1; i+1 < len(w); i++ {
		if leetByte(w[i]) != 0 && isAlpha(w[i-1]) && isAlpha(w[i+1]) {
			return true
		}
	}
	n := len(w)
	return n >= 4 && leetByte(w[n-1]) != 0 && leetByte(w[n-2]) != 0 && isAlpha(w[n-3])
}

// leetByte is the letter a digit or symbol stands for in leetspeak, or 0.
func leetByte(c byte) byte {
	switch c {
	case '0':
		return 'o'
	case '1', '!':
		return 'i'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	case '8':
		return 'b'
	case '|':
		return 'l'
	}
	return 0
}

// foldLeet replaces leetspeak digits and symbols with letters; w itself when none.
func foldLeet(w string) string {
	i := 0
	for i < len(w) && leetByte(w[i]) == 0 {
		i++
	}
	if i == len(w) {
		return w
	}
	b := []byte(w)
	for ; i < len(b); i++ {
		if l := leetByte(b[i]); l != 0 {
			b[i] = l
		}
	}
	return string(b)
}

// foldLookalikes replaces Cyrillic and Greek letters that look Latin.
func foldLookalikes(w string) string {
	return strings.Map(func(r rune) rune {
		if l := latinLookalike(r); l != 0 {
			return l
		}
		return r
	}, w)
}

// latinLookalike is the Latin letter a lowercase Cyrillic or Greek letter looks like, or 0.
func latinLookalike(r rune) rune {
	switch r {
	case 'а', 'α':
		return 'a'
	case 'с':
		return 'c'
	case 'ԁ':
		return 'd'
	case 'е', 'ε':
		return 'e'
	case 'һ':
		return 'h'
	case 'і', 'ι':
		return 'i'
	case 'ј':
		return 'j'
	case 'κ':
		return 'k'
	case 'о', 'ο':
		return 'o'
	case 'р', 'ρ':
		return 'p'
	case 'ѕ':
		return 's'
	case 'τ':
		return 't'
	case 'υ':
		return 'u'
	case 'ν':
		return 'v'
	case 'х':
		return 'x'
	case 'у':
		return 'y'
	}
	return 0
}

// ideograph reports Han, Hiragana and Katakana characters, which are written
// without spaces and so become one token each.
func ideograph(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
