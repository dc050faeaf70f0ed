package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	osgo "github.com/opensearch-project/opensearch-go/v4"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvURL      = "NEWSARCHIVE_OPENSEARCH_URL"      // comma-separated node URLs
	EnvUser     = "NEWSARCHIVE_OPENSEARCH_USER"     // HTTP basic user
	EnvPassword = "NEWSARCHIVE_OPENSEARCH_PASSWORD" // HTTP basic password
)

// Config is how to reach a cluster.
type Config struct {
	// URLs are the nodes' HTTP URLs (http://127.0.0.1:9200, …). Requests
	// go round the nodes; a node that fails is set aside and tried again
	// later.
	URLs []string
	// Username and Password, if set, are sent as HTTP basic auth.
	Username, Password string
	// Alias is the name the archive reads (DefaultIndexName when empty);
	// its generations are the indexes Alias-gen-….
	Alias string
	// Logger receives the client's log lines (default slog.Default()).
	Logger *slog.Logger
	// Transport is the HTTP transport (default: Go's).
	Transport http.RoundTripper
}

// ConfigFromEnv returns the Config of the environment: EnvURL (also
// OPENSEARCH_URL, as scripts/opensearch-cluster env prints it), EnvUser,
// EnvPassword. URLs is empty when neither URL variable is set.
func ConfigFromEnv() Config {
	u := os.Getenv(EnvURL)
	if u == "" {
		u = os.Getenv("OPENSEARCH_URL")
	}
	var c Config
	for _, s := range strings.Split(u, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.URLs = append(c.URLs, s)
		}
	}
	c.Username, c.Password = os.Getenv(EnvUser), os.Getenv(EnvPassword)
	return c
}

// Client is a connection to a cluster holding one archive (the alias
// Config.Alias and its generations). It is safe for concurrent use.
type Client struct {
	os    *osgo.Client
	alias string
	log   *slog.Logger
}

// New returns a client of the cluster. It does not contact it.
//
// Requests go through opensearch-go's transport (node selection, retries
// on 502/503/504 and on connection errors to another node), with bodies
// and answers as the archive's own JSON types: the client's typed request
// structs carry a body as an io.Reader anyway, and its response types
// would have to be converted to ours.
func New(cfg Config) (*Client, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("opensearch: no node URL")
	}
	alias := cfg.Alias
	if alias == "" {
		alias = DefaultIndexName
	}
	if err := checkName(alias); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	c, err := osgo.NewClient(osgo.Config{
		Addresses:     cfg.URLs,
		Username:      cfg.Username,
		Password:      cfg.Password,
		Transport:     cfg.Transport,
		RetryOnStatus: []int{502, 503, 504},
		MaxRetries:    3,
		RetryBackoff:  func(attempt int) time.Duration { return time.Duration(attempt) * 200 * time.Millisecond },
	})
	if err != nil {
		return nil, fmt.Errorf("opensearch: client of %v: %w", cfg.URLs, err)
	}
	return &Client{os: c, alias: alias, log: log}, nil
}

// Alias is the name the archive reads.
func (c *Client) Alias() string { return c.alias }

// Close releases the client's connections.
func (c *Client) Close() error { return c.os.Close() }

// checkName rejects a name OpenSearch would refuse as an index or alias.
func checkName(s string) error {
	if s == "" || s != strings.ToLower(s) || strings.ContainsAny(s, `\/*?"<>| ,#:`) || strings.HasPrefix(s, "_") || strings.HasPrefix(s, "-") {
		return fmt.Errorf("opensearch: %q is not a valid index name (lower case, no \\/*?\"<>| ,#:)", s)
	}
	return nil
}

// StatusError is an answer of the cluster with an error status.
type StatusError struct {
	Method, Path string
	Status       int
	Type, Reason string // the error's type and reason, when the body has them
	Body         string // the body's start otherwise
}

func (e *StatusError) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("opensearch: %s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Type, e.Reason)
	}
	return fmt.Sprintf("opensearch: %s %s: %d %s", e.Method, e.Path, e.Status, e.Body)
}

// IsNotFound reports whether err is a 404 of the cluster.
func IsNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == http.StatusNotFound
}

// do sends a request with a JSON (or NDJSON) body and decodes a 2xx
// answer into out (when not nil). Any other status is a *StatusError.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	_, err := c.doStatus(ctx, method, path, body, out)
	return err
}

func (c *Client) doStatus(ctx context.Context, method, path string, body []byte, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return 0, fmt.Errorf("opensearch: %s %s: %w", method, path, err)
	}
	if body != nil {
		ct := "application/json"
		if strings.HasSuffix(path, "_bulk") || strings.Contains(path, "_bulk?") {
			ct = "application/x-ndjson"
		}
		req.Header = http.Header{"Content-Type": {ct}}
	}
	res, err := c.os.Stream(req)
	if err != nil {
		if res != nil && res.Body != nil {
			res.Body.Close()
		}
		return 0, fmt.Errorf("opensearch: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, fmt.Errorf("opensearch: %s %s: read answer: %w", method, path, err)
	}
	if res.StatusCode/100 != 2 {
		se := &StatusError{Method: method, Path: path, Status: res.StatusCode}
		var eb struct {
			Error struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &eb) == nil && eb.Error.Type != "" {
			se.Type, se.Reason = eb.Error.Type, eb.Error.Reason
		} else {
			se.Body = string(data[:min(len(data), 300)])
		}
		return res.StatusCode, se
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return res.StatusCode, fmt.Errorf("opensearch: %s %s: decode answer: %w", method, path, err)
		}
	}
	return res.StatusCode, nil
}

// Health returns the cluster's health status: green, yellow or red.
func (c *Client) Health(ctx context.Context) (string, error) {
	var h struct {
		Status string `json:"status"`
	}
	if err := c.do(ctx, http.MethodGet, "/_cluster/health", nil, &h); err != nil {
		return "", err
	}
	return h.Status, nil
}
