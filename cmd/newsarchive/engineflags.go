package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"newsarchive/archive"
	"newsarchive/opensearch"
)

// engineFlags are the flags that choose the engine holding the index, on
// every command that reads or writes it: the embedded Bleve index in
// --index (the default) or an OpenSearch cluster. Credentials come from
// the environment only (opensearch.EnvUser, EnvPassword), never a flag.
type engineFlags struct {
	name, urls, alias string
}

func (f *engineFlags) register(cmd *cobra.Command) {
	env := archive.EngineFromEnv()
	fl := cmd.Flags()
	fl.StringVar(&f.name, "engine", strings.TrimSpace(env.Name), "`ENGINE` holding the index: bleve (the --index directory) or opensearch (a cluster; default: $"+archive.EnvEngine+", else bleve)")
	fl.StringVar(&f.urls, "opensearch-url", strings.Join(env.OpenSearch.URLs, ","), "the cluster's node `URLS`, comma-separated (default: $"+opensearch.EnvURL+"; credentials from $"+opensearch.EnvUser+" and $"+opensearch.EnvPassword+")")
	fl.StringVar(&f.alias, "opensearch-index", env.OpenSearch.Alias, "the `ALIAS` the archive is read through on the cluster; its generations are ALIAS-gen-… (default: $"+archive.EnvOpenSearchIndex+", else "+opensearch.DefaultIndexName+")")
}

// engine returns the engine the flags choose, or a usage error.
func (f *engineFlags) engine() (archive.Engine, error) {
	e := archive.EngineFromEnv()
	e.Name = f.name
	e.OpenSearch.URLs = nil
	for _, u := range strings.Split(f.urls, ",") {
		if u = strings.TrimSpace(u); u != "" {
			e.OpenSearch.URLs = append(e.OpenSearch.URLs, u)
		}
	}
	e.OpenSearch.Alias = f.alias
	if err := e.Check(); err != nil {
		return e, usageError(err)
	}
	return e, nil
}

// needIndex is the error of a command given neither --index nor a
// cluster.
func needIndex(e archive.Engine, indexDir string) error {
	if indexDir == "" && !e.Cluster() {
		return usageError(errors.New("--index is required (or --engine opensearch)"))
	}
	return nil
}
