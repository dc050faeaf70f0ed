package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// copyChunk is the number of sources one _reindex request names (a terms
// query; the cluster's index.max_terms_count is 65,536 by default).
const copyChunk = 10000

// errNoReindex: the cluster has no _reindex endpoint (a node built
// without the reindex module, as the test cluster's launcher was before
// it loaded it).
var errNoReindex = errors.New("no _reindex on the cluster")

// Copy is a server-side copy of documents into a load's generation
// (Load.Copy), running on the cluster as _reindex tasks.
type Copy struct {
	done chan struct{}
	n    int64
	err  error
}

// Copy starts copying into the load's generation the documents of index
// from whose source is one of sources, on the cluster (_reindex, sliced
// per shard, as tasks polled until they end, one chunk of copyChunk
// sources at a time), while the caller goes on adding articles. The
// copies are created, never overwritten: an id that the load already
// holds fails the copy. Wait returns the documents copied; until then,
// the load must not be committed. Cancelling ctx cancels the task on the
// cluster.
func (l *Load) Copy(ctx context.Context, from string, sources []string) *Copy {
	cp := &Copy{done: make(chan struct{})}
	go func() {
		defer close(cp.done)
		reindex := true
		for i := 0; i < len(sources); i += copyChunk {
			chunk := sources[i:min(i+copyChunk, len(sources))]
			var n int64
			var err error
			if reindex {
				n, err = l.copyChunk(ctx, from, chunk)
				if errors.Is(err, errNoReindex) {
					l.c.log.Info("opensearch: the cluster has no _reindex (the reindex module); the unchanged files' documents go through the client", "err", err)
					reindex = false
				}
			}
			if !reindex {
				n, err = l.copyThrough(ctx, from, chunk)
			}
			cp.n += n
			if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("opensearch: copy into %s: %w (%v)", l.name, ctx.Err(), err)
			}
			if err != nil {
				cp.err = err
				return
			}
		}
	}()
	return cp
}

// Wait waits for the copy to end and returns the documents it copied.
func (cp *Copy) Wait(ctx context.Context) (int64, error) {
	select {
	case <-cp.done:
		return cp.n, cp.err
	case <-ctx.Done():
		<-cp.done // the copy sees ctx too, and cancels its task
		return cp.n, cp.err
	}
}

// taskAnswer is the answer of GET /_tasks/ID for a _reindex task.
type taskAnswer struct {
	Completed bool `json:"completed"`
	Response  *struct {
		Total            int64             `json:"total"`
		Created          int64             `json:"created"`
		Updated          int64             `json:"updated"`
		VersionConflicts int64             `json:"version_conflicts"`
		Failures         []json.RawMessage `json:"failures"`
		Canceled         string            `json:"canceled"`
	} `json:"response"`
	Error *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

// copyChunk runs one _reindex task and polls it until it ends.
func (l *Load) copyChunk(ctx context.Context, from string, sources []string) (int64, error) {
	body, _ := json.Marshal(map[string]any{
		"source":    map[string]any{"index": from, "size": 1000, "query": obj("terms", obj("source", sources))},
		"dest":      map[string]any{"index": l.name, "op_type": "create"},
		"conflicts": "abort",
	})
	var started struct {
		Task string `json:"task"`
	}
	err := l.c.do(ctx, http.MethodPost, "/_reindex?wait_for_completion=false&slices=auto", body, &started)
	var se *StatusError
	if errors.As(err, &se) && (se.Status == http.StatusMethodNotAllowed || se.Status == http.StatusBadRequest && strings.Contains(se.Body, "no handler found")) {
		return 0, fmt.Errorf("%w: %v", errNoReindex, err)
	}
	if err != nil {
		return 0, fmt.Errorf("opensearch: copy %d files' documents from %s to %s: %w", len(sources), from, l.name, err)
	}
	if started.Task == "" {
		return 0, fmt.Errorf("opensearch: copy from %s to %s: the cluster gave no task", from, l.name)
	}
	l.c.log.Info("opensearch: copying unchanged files' documents", "from", from, "to", l.name, "files", len(sources), "task", started.Task)
	if l.afterCopyStart != nil {
		l.afterCopyStart(started.Task)
	}
	path := "/_tasks/" + url.PathEscape(started.Task)
	pause := 100 * time.Millisecond
	for {
		var t taskAnswer
		err := l.c.do(ctx, http.MethodGet, path, nil, &t)
		if ctx.Err() != nil {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			if cerr := l.c.do(cctx, http.MethodPost, path+"/_cancel", nil, nil); cerr != nil {
				l.c.log.Warn("opensearch: cancel the copy task", "task", started.Task, "err", cerr)
			}
			cancel()
			return 0, fmt.Errorf("opensearch: copy from %s to %s: %w", from, l.name, ctx.Err())
		}
		if err != nil {
			return 0, fmt.Errorf("opensearch: copy from %s to %s: task %s: %w", from, l.name, started.Task, err)
		}
		if t.Completed {
			switch r := t.Response; {
			case t.Error != nil:
				return 0, fmt.Errorf("opensearch: copy from %s to %s failed: %s: %s", from, l.name, t.Error.Type, t.Error.Reason)
			case r == nil:
				return 0, fmt.Errorf("opensearch: copy from %s to %s: task %s ended with no answer", from, l.name, started.Task)
			case len(r.Failures) > 0 || r.VersionConflicts > 0 || r.Canceled != "":
				first := ""
				if len(r.Failures) > 0 {
					first = ": " + strings.TrimSpace(string(r.Failures[0]))
					first = first[:min(len(first), 400)]
				}
				return r.Created, fmt.Errorf("opensearch: copy from %s to %s failed: %d of %d documents copied, %d failures, %d version conflicts%s%s",
					from, l.name, r.Created, r.Total, len(r.Failures), r.VersionConflicts, cancelled(r.Canceled), first)
			case r.Updated > 0 || r.Created != r.Total:
				return r.Created, fmt.Errorf("opensearch: copy from %s to %s: %d of %d documents created, %d overwritten", from, l.name, r.Created, r.Total, r.Updated)
			}
			return t.Response.Created, nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(pause*2, time.Second)
	}
}

func cancelled(reason string) string {
	if reason == "" {
		return ""
	}
	return ", cancelled: " + reason
}

// AddCopied counts n documents copied into the load (Copy.Wait's), so
// that Commit checks the generation holds them with the articles added.
func (l *Load) AddCopied(n int64) {
	l.n += n
	l.sum.Copied += n
}

// copyThrough copies as copyChunk does, through the client, for a
// cluster without _reindex: pages of the documents (whole _source, the
// derived fields too, sorted by id, search_after) are sent back as bulk
// create requests, one page in memory at a time. Nothing is parsed or
// analysed again.
func (l *Load) copyThrough(ctx context.Context, from string, sources []string) (int64, error) {
	const page = 500
	var n int64
	var after []any
	for first := true; ; first = false {
		q := map[string]any{"size": page, "query": obj("terms", obj("source", sources)), "sort": []any{obj("id", "asc")}, "track_total_hits": false}
		if after != nil {
			q["search_after"] = after
		}
		b, _ := json.Marshal(q)
		var ans struct {
			Hits struct {
				Hits []struct {
					ID     string          `json:"_id"`
					Source json.RawMessage `json:"_source"`
					Sort   []any           `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		if err := l.c.do(ctx, http.MethodPost, "/"+url.PathEscape(from)+"/_search", b, &ans); err != nil {
			return n, fmt.Errorf("opensearch: copy from %s to %s: %w", from, l.name, err)
		}
		hits := ans.Hits.Hits
		if first && l.afterCopyStart != nil {
			l.afterCopyStart("client")
		}
		if len(hits) == 0 {
			return n, nil
		}
		var body bytes.Buffer
		ends := make([]int, 0, len(hits))
		ids := make([]string, 0, len(hits))
		for _, h := range hits {
			act, _ := json.Marshal(obj("create", map[string]string{"_index": l.name, "_id": h.ID}))
			body.Write(act)
			body.WriteByte('\n')
			if err := json.Compact(&body, h.Source); err != nil {
				return n, fmt.Errorf("opensearch: copy %s from %s: %w", h.ID, from, err)
			}
			body.WriteByte('\n')
			ends = append(ends, body.Len())
			ids = append(ids, h.ID)
		}
		if err := l.send(ctx, body.Bytes(), ends, ids); err != nil {
			return n, fmt.Errorf("opensearch: copy from %s: %w", from, err)
		}
		n += int64(len(hits))
		if len(hits) < page {
			return n, nil
		}
		after = hits[len(hits)-1].Sort
	}
}
