package opensearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// KeepGenerations is the number of complete generations Prune keeps by
// default, as the Bleve index keeps (index.KeepGenerations).
const KeepGenerations = 3

// ErrNoGeneration is returned when the alias has no generation to read
// or to roll back to.
var ErrNoGeneration = errors.New("opensearch: no generation")

// Generation is one concrete index of the archive, NAME-gen-….
type Generation struct {
	Name string
	// Created is when the load began (from the name).
	Created time.Time
	// Docs is the number of documents the engine counts in it.
	Docs int64
	// Complete reports whether a load committed it (all its articles
	// written and refreshed); only complete generations become current.
	Complete bool
	// Articles is the number of articles the load committed.
	Articles int64
	// Current reports whether the alias points at it.
	Current bool
}

// genPrefix is the prefix of the generations of the client's alias.
func (c *Client) genPrefix() string { return c.alias + "-gen-" }

// newGenerationName is the index name of a load begun at now: the time
// in UTC, as the Bleve index names its generations, in lower case (index
// names must be): NAME-gen-20261202t193400.123456789z.
func (c *Client) newGenerationName(now time.Time) string {
	return c.genPrefix() + strings.ToLower(now.UTC().Format("20060102T150405.000000000Z"))
}

func parseGenerationTime(s string) time.Time {
	t, err := time.Parse("20060102T150405.000000000Z", strings.ToUpper(s))
	if err != nil {
		return time.Time{}
	}
	return t
}

// genMeta is the _meta of a generation's mapping, written at commit.
type genMeta struct {
	Complete  bool   `json:"complete"`
	Articles  int64  `json:"articles"`
	Committed string `json:"committed"`
}

// Current returns the name of the generation the alias points at, or ""
// when there is none.
func (c *Client) Current(ctx context.Context) (string, error) {
	names, err := c.aliasTargets(ctx)
	if err != nil {
		return "", err
	}
	if len(names) > 1 {
		return "", fmt.Errorf("opensearch: alias %s points at %d indexes %v", c.alias, len(names), names)
	}
	if len(names) == 0 {
		return "", nil
	}
	return names[0], nil
}

// aliasTargets returns the indexes the alias points at.
func (c *Client) aliasTargets(ctx context.Context) ([]string, error) {
	var res map[string]json.RawMessage
	err := c.do(ctx, http.MethodGet, "/_alias/"+url.PathEscape(c.alias), nil, &res)
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("opensearch: alias %s: %w", c.alias, err)
	}
	names := make([]string, 0, len(res))
	for n := range res {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// Generations lists the archive's generations, oldest first.
func (c *Client) Generations(ctx context.Context) ([]Generation, error) {
	pattern := url.PathEscape(c.genPrefix() + "*")
	var cat []struct {
		Index string `json:"index"`
		Docs  string `json:"docs.count"`
	}
	if err := c.do(ctx, http.MethodGet, "/_cat/indices/"+pattern+"?format=json&h=index,docs.count&expand_wildcards=all", nil, &cat); err != nil {
		return nil, fmt.Errorf("opensearch: list generations of %s: %w", c.alias, err)
	}
	if len(cat) == 0 {
		return nil, nil
	}
	var maps map[string]struct {
		Mappings struct {
			Meta genMeta `json:"_meta"`
		} `json:"mappings"`
	}
	if err := c.do(ctx, http.MethodGet, "/"+pattern+"/_mapping?expand_wildcards=all", nil, &maps); err != nil {
		return nil, fmt.Errorf("opensearch: list generations of %s: %w", c.alias, err)
	}
	cur, err := c.aliasTargets(ctx)
	if err != nil {
		return nil, err
	}
	var gens []Generation
	for _, e := range cat {
		g := Generation{Name: e.Index, Created: parseGenerationTime(strings.TrimPrefix(e.Index, c.genPrefix()))}
		g.Docs, _ = strconv.ParseInt(e.Docs, 10, 64)
		m := maps[e.Index].Mappings.Meta
		g.Complete, g.Articles = m.Complete, m.Articles
		for _, n := range cur {
			g.Current = g.Current || n == e.Index
		}
		gens = append(gens, g)
	}
	sort.Slice(gens, func(i, j int) bool { return gens[i].Name < gens[j].Name })
	return gens, nil
}

// switchTo points the alias at gen, away from every index it points at
// now, with one _aliases request: a reader sees the old generation or
// the new one, never both or neither.
func (c *Client) switchTo(ctx context.Context, gen string) error {
	cur, err := c.aliasTargets(ctx)
	if err != nil {
		return err
	}
	type target struct {
		Index string `json:"index"`
		Alias string `json:"alias"`
	}
	var actions []map[string]target
	for _, n := range cur {
		if n != gen {
			actions = append(actions, map[string]target{"remove": {n, c.alias}})
		}
	}
	actions = append(actions, map[string]target{"add": {gen, c.alias}})
	body, _ := json.Marshal(map[string]any{"actions": actions})
	if err := c.do(ctx, http.MethodPost, "/_aliases", body, nil); err != nil {
		return fmt.Errorf("opensearch: switch %s to %s: %w", c.alias, gen, err)
	}
	c.log.Info("opensearch: alias switched", "alias", c.alias, "to", gen, "from", strings.Join(cur, ","))
	return nil
}

// Rollback points the alias at another complete generation: to names
// it, or when empty, the newest complete generation older than the
// current one. It returns the generation now current.
func (c *Client) Rollback(ctx context.Context, to string) (string, error) {
	gens, err := c.Generations(ctx)
	if err != nil {
		return "", err
	}
	cur := ""
	for _, g := range gens {
		if g.Current {
			cur = g.Name
		}
	}
	var target *Generation
	for i := range gens {
		g := &gens[i]
		switch {
		case to != "" && g.Name == to:
			target = g
		case to == "" && g.Complete && !g.Current && (cur == "" || g.Name < cur):
			target = g // the newest such, since gens are oldest first
		}
	}
	if target == nil {
		if to != "" {
			return "", fmt.Errorf("opensearch: roll back %s to %s: %w", c.alias, to, ErrNoGeneration)
		}
		return "", fmt.Errorf("opensearch: roll back %s: no complete generation before %q: %w", c.alias, cur, ErrNoGeneration)
	}
	if !target.Complete {
		return "", fmt.Errorf("opensearch: roll back %s to %s: the generation is incomplete (its load never committed)", c.alias, target.Name)
	}
	if err := c.switchTo(ctx, target.Name); err != nil {
		return "", err
	}
	return target.Name, nil
}

// Prune deletes the generations beyond keep (KeepGenerations when 0 or
// less): it keeps the newest keep complete generations, always the
// current one and the complete one before it (the rollback point), and
// any incomplete generation newer than the current one (a load that may
// still be running). It returns the names deleted.
func (c *Client) Prune(ctx context.Context, keep int) ([]string, error) {
	if keep <= 0 {
		keep = KeepGenerations
	}
	gens, err := c.Generations(ctx)
	if err != nil {
		return nil, err
	}
	cur := -1
	for i, g := range gens {
		if g.Current {
			cur = i
		}
	}
	keepSet := map[string]bool{}
	n := 0
	for i := len(gens) - 1; i >= 0; i-- {
		g := gens[i]
		switch {
		case g.Current:
			keepSet[g.Name] = true
		case !g.Complete && (cur < 0 || i > cur):
			keepSet[g.Name] = true
		case g.Complete && n < keep:
			keepSet[g.Name] = true
		}
		if g.Complete {
			n++
		}
	}
	if cur >= 0 {
		for i := cur - 1; i >= 0; i-- {
			if gens[i].Complete {
				keepSet[gens[i].Name] = true
				break
			}
		}
	}
	var deleted []string
	for _, g := range gens {
		if keepSet[g.Name] {
			continue
		}
		if err := c.deleteIndex(ctx, g.Name); err != nil {
			return deleted, err
		}
		deleted = append(deleted, g.Name)
	}
	if len(deleted) > 0 {
		c.log.Info("opensearch: generations deleted", "alias", c.alias, "names", strings.Join(deleted, ","))
	}
	return deleted, nil
}

func (c *Client) deleteIndex(ctx context.Context, name string) error {
	if !strings.HasPrefix(name, c.genPrefix()) {
		return fmt.Errorf("opensearch: delete %s: not a generation of %s", name, c.alias)
	}
	err := c.do(ctx, http.MethodDelete, "/"+url.PathEscape(name), nil, nil)
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("opensearch: delete %s: %w", name, err)
	}
	return nil
}
