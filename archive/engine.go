package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"newsarchive/opensearch"
	"newsarchive/serving"
)

// The engines an archive can be held in.
const (
	EngineBleve      = "bleve"      // the embedded index, a directory on this machine (default)
	EngineOpenSearch = "opensearch" // an OpenSearch cluster, behind an alias
)

// Environment variables of the engine's configuration (the cluster's URL
// and credentials are opensearch.EnvURL, EnvUser and EnvPassword).
const (
	EnvEngine          = "NEWSARCHIVE_ENGINE"           // bleve or opensearch
	EnvOpenSearchIndex = "NEWSARCHIVE_OPENSEARCH_INDEX" // the alias on the cluster
)

// Engine selects where an archive's index is held.
type Engine struct {
	// Name is EngineBleve ("" too) or EngineOpenSearch.
	Name string
	// OpenSearch is how to reach the cluster, for EngineOpenSearch: its
	// node URLs, credentials and alias.
	OpenSearch opensearch.Config
}

// EngineFromEnv returns the engine the environment names: EnvEngine, the
// cluster's URL, credentials (opensearch.ConfigFromEnv) and alias
// (EnvOpenSearchIndex).
func EngineFromEnv() Engine {
	e := Engine{Name: os.Getenv(EnvEngine), OpenSearch: opensearch.ConfigFromEnv()}
	e.OpenSearch.Alias = os.Getenv(EnvOpenSearchIndex)
	return e
}

// Cluster reports whether the index is on a cluster.
func (e Engine) Cluster() bool { return e.Name == EngineOpenSearch }

// Check says what is wrong with the configuration: an unknown engine, a
// cluster without a URL.
func (e Engine) Check() error {
	switch e.Name {
	case "", EngineBleve:
		return nil
	case EngineOpenSearch:
		if len(e.OpenSearch.URLs) == 0 {
			return fmt.Errorf("%w: the opensearch engine needs the cluster's URL (--opensearch-url or $%s)", ErrConfig, opensearch.EnvURL)
		}
		return nil
	}
	return fmt.Errorf("%w: engine %q: want %s or %s", ErrConfig, e.Name, EngineBleve, EngineOpenSearch)
}

// Where names the index for messages: the directory, or the alias and
// the cluster's nodes.
func (e Engine) Where(indexDir string) string {
	if !e.Cluster() {
		return indexDir
	}
	alias := e.OpenSearch.Alias
	if alias == "" {
		alias = opensearch.DefaultIndexName
	}
	return fmt.Sprintf("%s on %s", alias, strings.Join(e.OpenSearch.URLs, ","))
}

// ErrNoIndex is returned by OpenSource when there is no index to serve
// yet: no generation in the directory, or none behind the alias.
var ErrNoIndex = errors.New("no index")

// OpenSource opens a Source serving e's index: for the embedded engine
// the generations of opts.Dir (serving.Open), for a cluster its alias,
// followed across swaps. A cluster that does not answer is an error
// wrapping engine.ErrUnavailable; an alias without a generation, ErrNoIndex.
func OpenSource(ctx context.Context, e Engine, opts serving.Options) (*serving.Source, error) {
	if err := e.Check(); err != nil {
		return nil, err
	}
	if !e.Cluster() {
		return serving.Open(ctx, opts)
	}
	cfg := e.OpenSearch
	if cfg.Logger == nil {
		cfg.Logger = opts.Logger
	}
	eng, err := opensearch.OpenEngine(ctx, cfg)
	if errors.Is(err, opensearch.ErrNoGeneration) {
		return nil, fmt.Errorf("%w: %w", ErrNoIndex, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open the cluster's index %s: %w", e.Where(""), err)
	}
	return serving.FixedWith(eng, opts), nil
}
