package corpus

import (
	"strings"
)

// RulesVersion names the version of the parsing and tagging rules: the
// code that turns bytes into articles and tags them (decoding, page
// structure, column cuts, bylines, photos, metadata, the scoring of
// counties and topics). An index records it with every file it read, and
// an index run re-reads every file whose records were made under another
// version.
//
// Bump it in the same commit as any change to those rules that changes a
// record (a field, a tag, a split, an id), so that existing indexes are
// brought up to date by the next incremental run. A change of the data
// files (gazetteer, taxonomy) needs no bump: Tagger.Fingerprint covers it.
const RulesVersion = "2"

// Fingerprint identifies the tagging data the tagger was loaded from: one
// "name=digest" component per data file, separated by spaces, where digest
// is the first 16 hex digits of the file's SHA-256, or "none" when the
// tagger has no such data (for example "gazetteer=1a2b… taxonomy=none").
// Two taggers with equal fingerprints tag alike (at one RulesVersion); a
// nil tagger's fingerprint is "gazetteer=none taxonomy=none places=none
// papers=none" (places: the national gazetteer's data files; papers: the
// papers' home areas). A new data file adds a component.
// ChangedData names the components in which two fingerprints differ.
func (t *Tagger) Fingerprint() string {
	gaz, tax := "none", "none"
	if t != nil && t.Gazetteer != nil {
		gaz = short(t.Gazetteer.digest)
	}
	if t != nil && t.Taxonomy != nil {
		tax = short(t.Taxonomy.digest)
	}
	pl, pa := "none", "none"
	if t != nil && t.Places != nil {
		pl = short(t.Places.Digest())
	}
	if t != nil && t.Papers != nil {
		pa = short(t.Papers.Digest())
	}
	return "gazetteer=" + gaz + " taxonomy=" + tax + " places=" + pl + " papers=" + pa
}

func short(digest string) string {
	if digest == "" {
		return "unknown" // a Gazetteer or Taxonomy not built by its loader
	}
	return digest[:min(16, len(digest))]
}

// ChangedData returns the names of the data files whose digests differ
// between two fingerprints (of Fingerprint), in the order of b: for
// example ["gazetteer"]. A component present in only one of them counts as
// changed; so does everything when either fingerprint is empty or
// malformed ("tagging data").
func ChangedData(a, b string) []string {
	pa, oka := parseFingerprint(a)
	pb, okb := parseFingerprint(b)
	if !oka || !okb {
		if a == b {
			return nil
		}
		return []string{"tagging data"}
	}
	var changed []string
	for _, c := range pb {
		if d, ok := lookup(pa, c[0]); !ok || d != c[1] {
			changed = append(changed, c[0])
		}
	}
	for _, c := range pa {
		if _, ok := lookup(pb, c[0]); !ok {
			changed = append(changed, c[0])
		}
	}
	return changed
}

func parseFingerprint(s string) ([][2]string, bool) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil, false
	}
	out := make([][2]string, 0, len(fields))
	for _, f := range fields {
		name, digest, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return nil, false
		}
		out = append(out, [2]string{name, digest})
	}
	return out, true
}

func lookup(cs [][2]string, name string) (string, bool) {
	for _, c := range cs {
		if c[0] == name {
			return c[1], true
		}
	}
	return "", false
}
