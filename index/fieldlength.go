package index

import "math/bits"

// lucenePrecision maps a field length (in tokens) to the length Lucene
// reads back from its one-byte norm (SmallFloat.intToByte4, then
// byte4ToInt): exact below 24, then kept to four significant bits of
// length − 24, rounded down. The word path's BM25 uses it, so that the
// embedded engine and an OpenSearch cluster (whose similarity only sees
// the decoded norm) normalize a document's length alike: a 270-word body
// is read as 264 on both.
func lucenePrecision(n int) int {
	const free = 24 // SmallFloat's NUM_FREE_VALUES: 255 − intToInt4(MaxInt32)
	if n < free {
		return max(n, 0)
	}
	i := uint64(n - free)
	width := 64 - bits.LeadingZeros64(i)
	if width < 4 {
		return n
	}
	shift := width - 4
	return free + int((i>>shift)<<shift)
}

// lengthCodes is the number of distinct lengths lucenePrecision gives
// (luceneCode's values).
const lengthCodes = 24 + 8*61 + 16

// luceneCode numbers the lengths lucenePrecision gives: two lengths have
// one code when they are read back alike.
func luceneCode(n int) int {
	const free = 24
	if n < free {
		return max(n, 0)
	}
	i := uint64(n - free)
	width := 64 - bits.LeadingZeros64(i)
	if width < 4 {
		return free + int(i)
	}
	shift := width - 4
	return free + 8*shift + int(i>>shift)
}

// codeLength is the length luceneCode code stands for: lucenePrecision's
// value for every length of that code.
func codeLength(code int) int {
	const free = 24
	if code < free+8 {
		return max(code, 0)
	}
	c := code - free
	shift := c/8 - 1
	return free + (c-8*shift)<<shift
}
