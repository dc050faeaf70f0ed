package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// ErrClone wraps the failure of _clone in NewCloneLoad: the caller may
// load the generation another way (NewLoad and Copy).
var ErrClone = errors.New("opensearch: clone refused")

// NewCloneLoad creates a new generation as a clone of generation from
// (_clone: the shards' segments are hard-linked or copied as files, no
// document is indexed again), marked incomplete, refreshing disabled. Add
// then writes articles over the clone's (same ids: replaced), Delete
// removes the ids that must go, Expect gives the count Commit checks.
//
// The source gets the write block _clone needs (index.blocks.write) for
// the time of the clone; it is lifted again afterwards. The clone's
// mapping comes from the source, so its _meta (complete) is reset at
// once; a process killed in between leaves a clone that says it is
// complete and holds the source's articles exactly.
func (c *Client) NewCloneLoad(ctx context.Context, from string, opts LoadOptions) (*Load, error) {
	l := c.newLoad(opts)
	src := "/" + url.PathEscape(from)
	if err := c.do(ctx, http.MethodPut, src+"/_settings", []byte(`{"index.blocks.write":true}`), nil); err != nil {
		return nil, fmt.Errorf("%w: block writes to %s: %w", ErrClone, from, err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := c.do(uctx, http.MethodPut, src+"/_settings", []byte(`{"index.blocks.write":null}`), nil); err != nil {
			c.log.Warn("opensearch: write block of the cloned generation not lifted (it is read only anyway)", "generation", from, "err", err)
		}
	}()
	settings := map[string]any{"index.blocks.write": nil, "index.refresh_interval": "-1"}
	switch {
	case opts.Replicas > 0:
		settings["index.number_of_replicas"] = opts.Replicas
	case opts.Replicas < 0:
		settings["index.number_of_replicas"] = 0
	}
	body, _ := json.Marshal(obj("settings", settings))
	if err := c.do(ctx, http.MethodPost, src+"/_clone/"+url.PathEscape(l.name)+"?wait_for_active_shards=1", body, nil); err != nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if derr := c.deleteIndex(dctx, l.name); derr != nil {
			c.log.Warn("opensearch: delete the failed clone", "generation", l.name, "err", derr)
		}
		return nil, fmt.Errorf("%w: clone %s to %s: %w", ErrClone, from, l.name, err)
	}
	meta, _ := json.Marshal(obj("_meta", map[string]any{"complete": false, "clone_of": from}))
	if err := c.do(ctx, http.MethodPut, "/"+url.PathEscape(l.name)+"/_mapping", meta, nil); err != nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if derr := c.deleteIndex(dctx, l.name); derr != nil {
			c.log.Warn("opensearch: delete the clone", "generation", l.name, "err", derr)
		}
		return nil, fmt.Errorf("opensearch: mark the clone %s incomplete: %w", l.name, err)
	}
	c.log.Info("opensearch: generation cloned", "generation", l.name, "from", from)
	return l, nil
}

// Delete sends what is queued, waits for every batch in flight, then
// deletes the documents of ids (a missing one is no error), so that no
// article added before is deleted by a request that overtakes it.
func (l *Load) Delete(ctx context.Context, ids []string) error {
	if err := l.failed(); err != nil {
		return err
	}
	if l.done {
		return fmt.Errorf("opensearch: load %s: delete after commit or abort", l.name)
	}
	err := l.flush(ctx)
	l.wg.Wait()
	if err == nil {
		err = l.failed()
	}
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), 5000)
		var body bytes.Buffer
		ends := make([]int, 0, n)
		for _, id := range ids[:n] {
			b, _ := json.Marshal(obj("delete", map[string]string{"_index": l.name, "_id": id}))
			body.Write(b)
			body.WriteByte('\n')
			ends = append(ends, body.Len())
		}
		if err := l.sendDeletes(ctx, body.Bytes(), ends, ids[:n]); err != nil {
			return l.fail(err)
		}
		ids = ids[n:]
	}
	return nil
}

// sendDeletes sends a batch of deletes (send's retries); a 404 item (the
// document was not there) is no failure.
func (l *Load) sendDeletes(ctx context.Context, body []byte, ends []int, ids []string) error {
	err := l.send(ctx, body, ends, ids)
	var be *BulkError
	if errors.As(err, &be) {
		for _, it := range be.Items {
			if it.Status != http.StatusNotFound {
				return err
			}
		}
		return nil
	}
	return err
}

// Expect sets the number of documents Commit checks the generation holds
// (for a clone, whose documents Add does not count).
func (l *Load) Expect(n int64) { l.expect = n }
