package opensearch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"newsarchive/corpus"
)

// SchemaVersion names the version of what a generation's documents are
// made of beyond the mapping: Document's fields and the archive's
// analysis (ExactTokens, WordTokens). Bump it in the same commit as such a
// change; a change of mapping.json needs no bump (the schema a generation
// records, Schema(), includes the mapping's digest). An incremental run
// on a generation of another schema rebuilds it, saying so.
const SchemaVersion = "1"

// Schema returns the schema a generation records in its manifest:
// SchemaVersion and the first 12 hex digits of mapping.json's SHA-256,
// "1/3fa9…".
func Schema() string {
	sum := sha256.Sum256(mapping)
	return SchemaVersion + "/" + hex.EncodeToString(sum[:6])
}

// The manifest of a generation says what it was made from, so that the
// next run reads only what changed. It is in two parts:
//
//   - manifestMeta, in the generation's own _meta (beside genMeta's
//     complete, articles, committed), written by the commit: the schema,
//     the tagging data, the parsing rules and the number of files. It is
//     small, and it goes with the generation: a generation without it
//     (loaded before runs were incremental) is rebuilt.
//   - one fileRow per file of the generation in the index ALIAS-manifest,
//     written before the commit: its path, content hash, size and time,
//     manifest.csv row and article ids. These grow with the corpus
//     (an id per article), so they are documents, not cluster state
//     (a mapping's _meta is in the cluster state every node holds).
//
// Rows of generations that no longer exist are deleted by the next run.

// manifestMeta is the "manifest" entry of a generation's _meta.
type manifestMeta struct {
	Schema   string `json:"schema"`
	Tagging  string `json:"tagging"` // corpus.Tagger.Fingerprint
	Rules    string `json:"rules"`   // corpus.RulesVersion
	Files    int    `json:"files"`   // rows in ALIAS-manifest
	Articles int64  `json:"articles"`
}

// fileRow is one file of a generation, as ALIAS-manifest holds it.
type fileRow struct {
	Generation string `json:"generation"`
	Source     string `json:"source"`
	Hash       string `json:"hash"` // SHA-256 of the bytes read, hex (corpus.FileResult.Hash)
	Size       int64  `json:"size"` // as listed before the read
	// ModTime is the modification time (Unix ns) as listed before the
	// read, 0 when too close to the listing to be trusted: then the next
	// run compares the hash.
	ModTime int64        `json:"mtime"`
	Row     *corpus.Meta `json:"manifest,omitempty"` // the file's manifest.csv row; nil: none
	IDs     []string     `json:"ids"`
}

// genManifest is what a run knows of the current generation.
type genManifest struct {
	gen   string
	meta  manifestMeta
	files map[string]fileRow
}

// manifestMapping is the body that creates ALIAS-manifest: rows are
// looked up by generation and sorted by source; the rest is _source only.
const manifestMapping = `{"settings":{"index":{"number_of_shards":1,"auto_expand_replicas":"0-1"}},
"mappings":{"dynamic":false,"properties":{"generation":{"type":"keyword"},"source":{"type":"keyword"}}}}`

// manifestIndex is the index of the manifests' rows, ALIAS-manifest.
func (c *Client) manifestIndex() string { return c.alias + "-manifest" }

// readManifest reads the manifest of generation gen. A generation that
// cannot be updated (no manifest, another schema, rows missing) gives a
// nil manifest and why, for the log and the summary.
func (c *Client) readManifest(ctx context.Context, gen string) (*genManifest, string, error) {
	var maps map[string]struct {
		Mappings struct {
			Meta struct {
				Manifest *manifestMeta `json:"manifest"`
			} `json:"_meta"`
		} `json:"mappings"`
	}
	if err := c.do(ctx, http.MethodGet, "/"+url.PathEscape(gen)+"/_mapping", nil, &maps); err != nil {
		return nil, "", fmt.Errorf("opensearch: read the manifest of %s: %w", gen, err)
	}
	mm := maps[gen].Mappings.Meta.Manifest
	if mm == nil {
		return nil, fmt.Sprintf("no manifest in %s (loaded before runs were incremental)", gen), nil
	}
	if mm.Schema != Schema() {
		return nil, fmt.Sprintf("schema changed (%q → %q)", mm.Schema, Schema()), nil
	}
	m := &genManifest{gen: gen, meta: *mm, files: make(map[string]fileRow, mm.Files)}
	var after []any
	var articles int64
	for {
		body := map[string]any{
			"size": 500, "query": obj("term", obj("generation", gen)),
			"sort": []any{obj("source", "asc")}, "track_total_hits": false,
		}
		if after != nil {
			body["search_after"] = after
		}
		b, _ := json.Marshal(body)
		var ans struct {
			Hits struct {
				Hits []struct {
					Source fileRow `json:"_source"`
					Sort   []any   `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		err := c.do(ctx, http.MethodPost, "/"+url.PathEscape(c.manifestIndex())+"/_search", b, &ans)
		if IsNotFound(err) {
			return nil, fmt.Sprintf("manifest of %s missing (no index %s)", gen, c.manifestIndex()), nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("opensearch: read the manifest of %s: %w", gen, err)
		}
		for _, h := range ans.Hits.Hits {
			m.files[h.Source.Source] = h.Source
			articles += int64(len(h.Source.IDs))
		}
		if len(ans.Hits.Hits) < 500 {
			break
		}
		after = ans.Hits.Hits[len(ans.Hits.Hits)-1].Sort
	}
	if len(m.files) != mm.Files || articles != mm.Articles {
		return nil, fmt.Sprintf("manifest of %s incomplete (%d of %d files, %d of %d articles)", gen, len(m.files), mm.Files, articles, mm.Articles), nil
	}
	return m, "", nil
}

// writeManifest writes the rows of generation gen into ALIAS-manifest
// (creating it if need be) and refreshes it.
func (c *Client) writeManifest(ctx context.Context, gen string, rows []fileRow) error {
	idx := url.PathEscape(c.manifestIndex())
	err := c.do(ctx, http.MethodPut, "/"+idx, []byte(manifestMapping), nil)
	var se *StatusError
	if err != nil && !(errors.As(err, &se) && se.Type == "resource_already_exists_exception") {
		return fmt.Errorf("opensearch: create %s: %w", c.manifestIndex(), err)
	}
	var buf bytes.Buffer
	send := func() error {
		if buf.Len() == 0 {
			return nil
		}
		var ans bulkAnswer
		if err := c.do(ctx, http.MethodPost, "/_bulk", buf.Bytes(), &ans); err != nil {
			return fmt.Errorf("opensearch: write the manifest of %s: %w", gen, err)
		}
		if ans.Errors {
			for _, m := range ans.Items {
				for _, it := range m {
					if it.Error != nil {
						return fmt.Errorf("opensearch: write the manifest of %s: row %s: %d %s: %s", gen, it.ID, it.Status, it.Error.Type, it.Error.Reason)
					}
				}
			}
		}
		buf.Reset()
		return nil
	}
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range rows {
		r := &rows[i]
		r.Generation = gen
		var act Action
		act.Index.Index, act.Index.ID = c.manifestIndex(), rowID(gen, r.Source)
		if err := enc.Encode(act); err != nil {
			return fmt.Errorf("opensearch: manifest row %s: %w", r.Source, err)
		}
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("opensearch: manifest row %s: %w", r.Source, err)
		}
		if buf.Len() >= 2<<20 {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if err := send(); err != nil {
		return err
	}
	if err := c.do(ctx, http.MethodPost, "/"+idx+"/_refresh", nil, nil); err != nil {
		return fmt.Errorf("opensearch: write the manifest of %s: refresh: %w", gen, err)
	}
	return nil
}

// rowID is the document id of a file's row: the generation and a digest
// of the path (an id is at most 512 bytes; a path may be longer).
func rowID(gen, source string) string {
	sum := sha256.Sum256([]byte(source))
	return gen + ":" + hex.EncodeToString(sum[:16])
}

// deleteRows deletes the rows of generation gen for the sources named.
func (c *Client) deleteRows(ctx context.Context, gen string, sources []string) error {
	ids := make([]string, len(sources))
	for i, s := range sources {
		ids[i] = rowID(gen, s)
	}
	return c.deleteRowIDs(ctx, ids)
}

// deleteRowIDs deletes rows of ALIAS-manifest by id, and refreshes it.
func (c *Client) deleteRowIDs(ctx context.Context, ids []string) error {
	idx := c.manifestIndex()
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		var buf bytes.Buffer
		for _, id := range ids[:n] {
			b, _ := json.Marshal(obj("delete", map[string]string{"_index": idx, "_id": id}))
			buf.Write(b)
			buf.WriteByte('\n')
		}
		ids = ids[n:]
		var ans bulkAnswer
		if err := c.do(ctx, http.MethodPost, "/_bulk", buf.Bytes(), &ans); err != nil {
			return fmt.Errorf("opensearch: delete manifest rows of %s: %w", c.alias, err)
		}
		for _, m := range ans.Items {
			for _, it := range m {
				if it.Error != nil && it.Status != http.StatusNotFound {
					return fmt.Errorf("opensearch: delete manifest row %s: %d %s: %s", it.ID, it.Status, it.Error.Type, it.Error.Reason)
				}
			}
		}
	}
	err := c.do(ctx, http.MethodPost, "/"+url.PathEscape(idx)+"/_refresh", nil, nil)
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("opensearch: refresh %s: %w", idx, err)
	}
	return nil
}

// pruneManifest deletes the rows of every generation that no longer
// exists and is older than the newest one that does (a newer one may be
// a load that began after the listing). It needs no _delete_by_query
// (the reindex module): it looks the rows up and deletes them by id.
func (c *Client) pruneManifest(ctx context.Context) error {
	all, err := c.Generations(ctx)
	if err != nil || len(all) == 0 {
		return err
	}
	names := make([]string, len(all))
	for i, g := range all {
		names[i] = g.Name
	}
	b, _ := json.Marshal(map[string]any{
		"size": 1000, "_source": false, "track_total_hits": false,
		"query": obj("bool", map[string]any{
			"must_not": obj("terms", obj("generation", names)),
			"filter":   obj("range", obj("generation", obj("lt", names[len(names)-1]))),
		}),
	})
	for range 1000 { // at most a million rows a run; the next run goes on
		var ans struct {
			Hits struct {
				Hits []struct {
					ID string `json:"_id"`
				} `json:"hits"`
			} `json:"hits"`
		}
		err := c.do(ctx, http.MethodPost, "/"+url.PathEscape(c.manifestIndex())+"/_search", b, &ans)
		if IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("opensearch: prune the manifests of %s: %w", c.alias, err)
		}
		if len(ans.Hits.Hits) == 0 {
			return nil
		}
		ids := make([]string, len(ans.Hits.Hits))
		for i, h := range ans.Hits.Hits {
			ids[i] = h.ID
		}
		if err := c.deleteRowIDs(ctx, ids); err != nil {
			return err
		}
	}
	return nil
}

// sameRow tells whether two manifest.csv rows are the same (nil: none).
func sameRow(a, b *corpus.Meta) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
