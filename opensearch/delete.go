package opensearch

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// DeleteAll deletes every generation of the alias, and so the alias, and
// the generations' manifests (ALIAS-manifest): the archive is gone from
// the cluster. For tests, and for a maintainer
// moving an archive off a cluster.
func (c *Client) DeleteAll(ctx context.Context) error {
	err := c.do(ctx, http.MethodDelete, "/"+url.PathEscape(c.genPrefix())+"*?expand_wildcards=all", nil, nil)
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("opensearch: delete the generations of %s: %w", c.alias, err)
	}
	err = c.do(ctx, http.MethodDelete, "/"+url.PathEscape(c.manifestIndex()), nil, nil)
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("opensearch: delete the manifests of %s: %w", c.alias, err)
	}
	return nil
}
