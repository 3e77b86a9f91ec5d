package spam

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// lowerShouting returns s in lower case and whether it is shouting; plain
// ASCII (ascii reports it) takes one pass, and its lowercase copy lives in
// z.lower until reset.
func (z *tokenizer) lowerShouting(s string, ascii bool) (string, bool) {
	if !ascii {
		return strings.ToLower(s), shouting(s)
	}
	var b []byte
	letters, upper, capsWords, wordLetters, wordUpper := 0, 0, 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			if b == nil {
				b = append(z.lower[:0], s...) // z.lower is written only here, until reset
			}
			b[i] = c + 'a' - 'A' // b is a copy of s: only capitals change
			letters, upper, wordLetters, wordUpper = letters+1, upper+1, wordLetters+1, wordUpper+1
		case 'a' <= c && c <= 'z':
			letters, wordLetters = letters+1, wordLetters+1
		default:
			if wordLetters >= 3 && wordUpper == wordLetters {
				capsWords++
			}
			wordLetters, wordUpper = 0, 0
		}
	}
	if wordLetters >= 3 && wordUpper == wordLetters {
		capsWords++
	}
	shout := capsWords >= 4 || (letters >= 20 && upper*2 > letters)
	if b == nil {
		return s, shout
	}
	z.lower = b
	return unsafe.String(unsafe.SliceData(b), len(b)), shout
}

// shouting reports text written mostly in capitals: four or more all-caps words
// of three letters or more, or more capitals than small letters in a long text.
func shouting(s string) bool {
	letters, upper, capsWords, wordLetters, wordUpper := 0, 0, 0, 0, 0
	for _, r := range s {
		isLetter, isUpper := false, false
		if r < utf8.RuneSelf {
			c := byte(r)
			isLetter, isUpper = isAlpha(c), 'A' <= c && c <= 'Z'
		} else {
			isLetter, isUpper = unicode.IsLetter(r), unicode.IsUpper(r)
		}
		if isLetter {
			letters, wordLetters = letters+1, wordLetters+1
			if isUpper {
				upper, wordUpper = upper+1, wordUpper+1
			}
			continue
		}
		if wordLetters >= 3 && wordUpper == wordLetters {
			capsWords++
		}
		wordLetters, wordUpper = 0, 0
	}
	if wordLetters >= 3 && wordUpper == wordLetters {
		capsWords++
	}
	return capsWords >= 4 || (letters >= 20 && upper*2 > letters)
}

// hasPhone reports a phone-like number: 9 to 15 digits, possibly grouped by
// spaces, dashes, dots or parentheses and led by '+'.
func hasPhone(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if (c != '+' && !isDigit(c)) || (i > 0 && isAlnum(t[i-1])) {
			continue
		}
		digits, last, j := 0, i, i
		for ; j < len(t); j++ {
			c := t[j]
			if isDigit(c) {
				digits, last = digits+1, j
			} else if !(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || (c == '+' && j == i)) {
				break
			}
		}
		if digits >= 9 && digits <= 15 && (last+1 == len(t) || !isAlpha(t[last+1])) {
			return true
		}
		i = j
	}
	return false
}

// hasMoney reports a currency sign; ascii reports plain ASCII t.
func hasMoney(t string, ascii bool) bool {
	if strings.IndexByte(t, '$') >= 0 {
		return true
	}
	if ascii {
		return false
	}
	for _, sign := range [...]string{"€", "£", "¥", "₹", "₦", "₽"} {
		if strings.Contains(t, sign) {
			return true
		}
	}
	return false
}
