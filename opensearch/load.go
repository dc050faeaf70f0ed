package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"newsarchive/corpus"
)

// LoadOptions controls a load.
type LoadOptions struct {
	// BatchBytes is the size of a bulk request (default 4 MiB): the load
	// holds at most one batch in memory.
	BatchBytes int
	// Shards and Replicas of the new index (0: the mapping's, 2 and 1;
	// Replicas -1 for none, on a one-node cluster).
	Shards, Replicas int
	// MaxRetries is how often a batch, or the items of it the cluster
	// rejected with 429 (its queues full) or a 5xx (a shard unavailable),
	// is sent again, with a growing
	// pause, before the load fails (default 8).
	MaxRetries int
	// Keep is passed to Prune after a commit (0: KeepGenerations; -1: no
	// pruning).
	Keep int
	// Concurrency is the number of bulk requests in flight (default 2):
	// the load holds at most Concurrency+1 batches in memory.
	Concurrency int
}

// ItemError is an article the cluster refused.
type ItemError struct {
	ID     string
	Status int
	Type   string
	Reason string
}

// BulkError is a batch with articles the cluster refused for good (a 4xx
// other than 429: the article does not fit the mapping).
type BulkError struct {
	Index string
	Items []ItemError
}

func (e *BulkError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "opensearch: load %s: %d articles refused", e.Index, len(e.Items))
	for i, it := range e.Items {
		if i == 5 {
			fmt.Fprintf(&b, "; …")
			break
		}
		fmt.Fprintf(&b, "; %s: %d %s: %s", it.ID, it.Status, it.Type, it.Reason)
	}
	return b.String()
}

// LoadSummary is what a committed load did.
type LoadSummary struct {
	Generation string
	Previous   string // the generation current before, "" if none
	Articles   int64  // articles added and documents copied
	Copied     int64  // documents copied from another generation (Copy)
	Bytes      int64  // bulk bytes sent (the first time)
	Batches    int
	Retries    int // batches or 429'd items sent again
	Pruned     []string
	Duration   time.Duration
}

// Load writes one new generation. Add articles, then Commit to make it
// current, or Abort to delete it. Until Commit switches the alias, the
// readers see the generation current before: a load that fails, or a
// process killed midway, leaves the alias where it was (the half-written
// index stays, incomplete, until Prune or Abort deletes it).
//
// A Load is used by one goroutine.
type Load struct {
	c     *Client
	name  string
	opts  LoadOptions
	buf   bytes.Buffer
	ends  []int    // end offset in buf of each item (action and source lines)
	ids   []string // the id of each item in buf
	n     int64
	sum   LoadSummary
	start time.Time
	done  bool

	slots   chan struct{} // one per batch in flight
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error // the first failure; guarded by mu
	retries atomic.Int64

	meta map[string]any // more _meta entries written at commit (SetMeta)
	// expect is the number of documents Commit checks the generation
	// holds, -1 for l.n (a clone's documents are not counted by Add).
	expect int64
	// afterCopyStart, if set, is called with the task of each copy once
	// the cluster runs it (tests cancel there).
	afterCopyStart func(task string)
}

// NewLoad creates a new generation (an empty index with the mapping,
// refreshing disabled while it loads).
func (c *Client) NewLoad(ctx context.Context, opts LoadOptions) (*Load, error) {
	l := c.newLoad(opts)
	opts = l.opts
	var body map[string]any
	if err := json.Unmarshal(mapping, &body); err != nil {
		return nil, fmt.Errorf("opensearch: mapping: %w", err)
	}
	idx := body["settings"].(map[string]any)["index"].(map[string]any)
	idx["refresh_interval"] = "-1"
	if opts.Shards > 0 {
		idx["number_of_shards"] = opts.Shards
	}
	switch {
	case opts.Replicas > 0:
		idx["number_of_replicas"] = opts.Replicas
	case opts.Replicas < 0:
		idx["number_of_replicas"] = 0
	}
	b, _ := json.Marshal(body)
	if err := c.do(ctx, http.MethodPut, "/"+url.PathEscape(l.name)+"?wait_for_active_shards=1", b, nil); err != nil {
		return nil, fmt.Errorf("opensearch: create generation %s: %w", l.name, err)
	}
	c.log.Info("opensearch: generation created", "generation", l.name)
	return l, nil
}

// newLoad returns a Load of a new generation name, with the options'
// defaults.
func (c *Client) newLoad(opts LoadOptions) *Load {
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = 4 << 20
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 8
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 2
	}
	return &Load{c: c, name: c.newGenerationName(time.Now()), opts: opts, start: time.Now(), slots: make(chan struct{}, opts.Concurrency), expect: -1}
}

// Name is the generation's index name.
func (l *Load) Name() string { return l.name }

// SetMeta sets an entry of the generation's _meta, written by Commit with
// its own (complete, articles, committed, which it cannot replace).
func (l *Load) SetMeta(key string, value any) {
	if l.meta == nil {
		l.meta = map[string]any{}
	}
	l.meta[key] = value
}

// Add queues an article; a full batch is sent (in the background, while
// the next fills, up to LoadOptions.Concurrency at once). It returns the
// first failure of any batch so far.
func (l *Load) Add(ctx context.Context, a *corpus.Article) error {
	if err := l.failed(); err != nil {
		return err
	}
	if l.done {
		return fmt.Errorf("opensearch: load %s: add after commit or abort", l.name)
	}
	if a.ID == "" {
		return fmt.Errorf("opensearch: load %s: article without id (%s #%d)", l.name, a.Source, a.Ordinal)
	}
	var act Action
	act.Index.Index, act.Index.ID = l.name, a.ID
	enc := json.NewEncoder(&l.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(act); err != nil {
		return fmt.Errorf("opensearch: load %s: article %s: %w", l.name, a.ID, err)
	}
	if err := enc.Encode(NewDocument(a)); err != nil {
		return fmt.Errorf("opensearch: load %s: article %s: %w", l.name, a.ID, err)
	}
	l.ends = append(l.ends, l.buf.Len())
	l.ids = append(l.ids, a.ID)
	l.n++
	if l.buf.Len() >= l.opts.BatchBytes {
		return l.flush(ctx)
	}
	return nil
}

// bulkAnswer is the answer of POST /_bulk.
type bulkAnswer struct {
	Errors bool `json:"errors"`
	Items  []map[string]struct {
		ID     string `json:"_id"`
		Status int    `json:"status"`
		Error  *struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"error"`
	} `json:"items"`
}

// flush hands the queued batch to a sender, waiting for a free slot.
func (l *Load) flush(ctx context.Context) error {
	if len(l.ids) == 0 {
		return nil
	}
	body := bytes.Clone(l.buf.Bytes())
	ends, ids := slices.Clone(l.ends), slices.Clone(l.ids)
	l.buf.Reset()
	l.ends, l.ids = l.ends[:0], l.ids[:0]
	l.sum.Bytes += int64(len(body))
	l.sum.Batches++
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return l.fail(fmt.Errorf("opensearch: load %s: %w", l.name, ctx.Err()))
	}
	if err := l.failed(); err != nil {
		<-l.slots
		return err
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer func() { <-l.slots }()
		if err := l.send(ctx, body, ends, ids); err != nil {
			l.fail(err)
		}
	}()
	return nil
}

// send sends a batch; items refused with 429 or a 5xx are sent again,
// and so is a whole batch that failed with 429, a 5xx or a connection
// error (the ids are explicit, so sending an item twice writes it once).
func (l *Load) send(ctx context.Context, body []byte, ends []int, ids []string) error {
	lastItem := ""
	for attempt := 0; ; attempt++ {
		var ans bulkAnswer
		err := l.c.do(ctx, http.MethodPost, "/_bulk", body, &ans)
		if err == nil && !ans.Errors {
			break
		}
		var retry []int // item indexes to send again
		var refused []ItemError
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("opensearch: load %s: %w", l.name, ctx.Err())
		}
		if err != nil {
			var se *StatusError
			if errors.As(err, &se) && se.Status != http.StatusTooManyRequests && se.Status < 500 {
				return fmt.Errorf("opensearch: load %s: batch of %d articles (%s…): %w", l.name, len(ids), ids[0], err)
			}
			for i := range ids {
				retry = append(retry, i)
			}
		} else {
			if len(ans.Items) != len(ids) {
				return fmt.Errorf("opensearch: load %s: bulk answered %d items for %d", l.name, len(ans.Items), len(ids))
			}
			for i, m := range ans.Items {
				for _, it := range m {
					switch {
					case it.Error == nil && it.Status/100 == 2:
					case it.Status == http.StatusTooManyRequests || it.Status >= 500:
						// Queues full, or a shard unavailable while a
						// node leaves and a replica takes over.
						retry = append(retry, i)
						lastItem = fmt.Sprintf("%s: %d", ids[i], it.Status)
						if it.Error != nil {
							lastItem += " " + it.Error.Type + ": " + it.Error.Reason
						}
					default:
						e := ItemError{ID: ids[i], Status: it.Status}
						if it.Error != nil {
							e.Type, e.Reason = it.Error.Type, it.Error.Reason
						}
						refused = append(refused, e)
					}
				}
			}
		}
		if len(refused) > 0 {
			return &BulkError{Index: l.name, Items: refused}
		}
		if len(retry) == 0 {
			break
		}
		if attempt >= l.opts.MaxRetries {
			cause := lastItem
			if err != nil {
				cause = err.Error()
			}
			return fmt.Errorf("opensearch: load %s: %d articles (%s…) still not written after %d retries: %s", l.name, len(retry), ids[retry[0]], attempt, cause)
		}
		pause := time.Duration(1<<min(attempt, 5)) * 250 * time.Millisecond
		cause := errString(err)
		if cause == "" {
			cause = lastItem
		}
		l.c.log.Warn("opensearch: bulk retry", "generation", l.name, "articles", len(retry), "attempt", attempt+1, "pause", pause, "cause", cause)
		l.retries.Add(1)
		select {
		case <-ctx.Done():
			return fmt.Errorf("opensearch: load %s: %w", l.name, ctx.Err())
		case <-time.After(pause):
		}
		// The items to send again, in order.
		var nb bytes.Buffer
		var ne []int
		var ni []string
		for _, i := range retry {
			from := 0
			if i > 0 {
				from = ends[i-1]
			}
			nb.Write(body[from:ends[i]])
			ne = append(ne, nb.Len())
			ni = append(ni, ids[i])
		}
		body, ends, ids = nb.Bytes(), ne, ni
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fail records the load's first failure and returns it.
func (l *Load) fail(err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = err
	}
	return l.err
}

func (l *Load) failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Commit sends what is queued, refreshes the index, checks that it holds
// every article added, marks it complete and switches the alias to it
// with one _aliases request; then prunes old generations (LoadOptions.Keep).
func (l *Load) Commit(ctx context.Context) (LoadSummary, error) {
	if l.done {
		return l.sum, fmt.Errorf("opensearch: load %s: commit after commit or abort", l.name)
	}
	err := l.flush(ctx)
	l.wg.Wait()
	l.sum.Retries = int(l.retries.Load())
	if err == nil {
		err = l.failed()
	}
	if err != nil {
		return l.sum, err
	}
	c, name := l.c, url.PathEscape(l.name)
	if err := c.do(ctx, http.MethodPut, "/"+name+"/_settings", []byte(`{"index":{"refresh_interval":"1s"}}`), nil); err != nil {
		return l.sum, l.fail(fmt.Errorf("opensearch: load %s: settings: %w", l.name, err))
	}
	if err := c.do(ctx, http.MethodPost, "/"+name+"/_refresh", nil, nil); err != nil {
		return l.sum, l.fail(fmt.Errorf("opensearch: load %s: refresh: %w", l.name, err))
	}
	var cnt struct {
		Count int64 `json:"count"`
	}
	if err := c.do(ctx, http.MethodGet, "/"+name+"/_count", nil, &cnt); err != nil {
		return l.sum, l.fail(fmt.Errorf("opensearch: load %s: count: %w", l.name, err))
	}
	if l.expect >= 0 && cnt.Count != l.expect || l.expect < 0 && cnt.Count != l.n {
		if l.expect >= 0 {
			return l.sum, l.fail(fmt.Errorf("opensearch: load %s: the index holds %d documents, %d expected", l.name, cnt.Count, l.expect))
		}
		return l.sum, l.fail(fmt.Errorf("opensearch: load %s: the index holds %d documents, %d articles were added or copied (an id twice?)", l.name, cnt.Count, l.n))
	}
	// Every primary must be active before readers go there (replicas may
	// be missing while a node is down: yellow).
	if err := c.do(ctx, http.MethodGet, "/_cluster/health/"+name+"?wait_for_status=yellow&timeout=60s", nil, nil); err != nil {
		return l.sum, l.fail(fmt.Errorf("opensearch: load %s: health: %w", l.name, err))
	}
	m := map[string]any{}
	for k, v := range l.meta {
		m[k] = v
	}
	articles := l.n
	if l.expect >= 0 {
		articles = l.expect
	}
	m["complete"], m["articles"], m["committed"] = true, articles, time.Now().UTC().Format(time.RFC3339)
	meta, _ := json.Marshal(map[string]any{"_meta": m})
	if err := c.do(ctx, http.MethodPut, "/"+name+"/_mapping", meta, nil); err != nil {
		return l.sum, l.fail(fmt.Errorf("opensearch: load %s: mark complete: %w", l.name, err))
	}
	prev, err := c.Current(ctx)
	if err != nil {
		return l.sum, l.fail(err)
	}
	if err := c.switchTo(ctx, l.name); err != nil {
		return l.sum, l.fail(err)
	}
	l.done = true
	l.sum.Generation, l.sum.Previous, l.sum.Articles = l.name, prev, articles
	if l.opts.Keep >= 0 {
		pruned, err := c.Prune(ctx, l.opts.Keep)
		l.sum.Pruned = pruned
		if err != nil {
			l.sum.Duration = time.Since(l.start)
			return l.sum, fmt.Errorf("opensearch: load %s committed, but pruning failed: %w", l.name, err)
		}
	}
	l.sum.Duration = time.Since(l.start)
	c.log.Info("opensearch: load committed", "generation", l.name, "articles", articles, "batches", l.sum.Batches,
		"retries", l.sum.Retries, "bytes", l.sum.Bytes, "duration", l.sum.Duration.Round(time.Millisecond))
	return l.sum, nil
}

// Abort deletes the generation, unless it was committed.
func (l *Load) Abort(ctx context.Context) error {
	if l.done {
		return nil
	}
	l.done = true
	l.wg.Wait()
	l.buf.Reset()
	return l.c.deleteIndex(ctx, l.name)
}
