package spam

import (
	"hash/maphash"
	"slices"
)

// distinct appends to d the distinct tokens in their first order, without ""
// and the probe, and returns it with room for one more (the probe). It finds
// repeats with a small open-addressing table of token hashes: one hash per
// token, no sort.
func (m *Model) distinct(d, tokens []string) []string {
	d = slices.Grow(d[:0], len(tokens)+1)
	size := 64
	for size < 2*len(tokens) {
		size <<= 1
	}
	var stack [256]int32
	table := stack[:0]
	if size <= len(stack) {
		table = stack[:size]
	} else {
		table = make([]int32, size)
	}
	mask := uint64(size - 1)
	for _, t := range tokens {
		if t == "" || t == probe {
			continue
		}
		i := maphash.String(m.seed, t) & mask
		for {
			k := table[i]
			if k == 0 {
				d = append(d, t)
				table[i] = int32(len(d)) // index+1 of the token in d
				break
			}
			if d[k-1] == t {
				break
			}
			i = (i + 1) & mask
		}
	}
	return d
}
