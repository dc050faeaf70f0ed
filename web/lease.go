package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"newsarchive/search"
	"newsarchive/serving"
)

// leaseKey is the gin context key of a request's lease.
const leaseKey = "newsarchive/lease"

// releaseLease ends the request's lease on its index generation, if it
// took one, once the whole response is written (a download's included).
func (srv *Server) releaseLease(c *gin.Context) {
	defer func() {
		if l, ok := c.Get(leaseKey); ok {
			l.(*serving.Lease).Release()
		}
	}()
	c.Next()
}

// errUnavailable is returned by searcher when no generation is served.
var errUnavailable = errors.New("no index generation is being served")

// searcher returns the searcher of the generation this request reads. The
// first call takes the request's lease; later calls in the same request
// return the same generation, so one page never mixes two.
func (srv *Server) searcher(c *gin.Context) (*search.Searcher, error) {
	if l, ok := c.Get(leaseKey); ok {
		return l.(*serving.Lease).Searcher, nil
	}
	l, err := srv.source.Acquire()
	if err != nil {
		return nil, errors.Join(errUnavailable, err)
	}
	c.Set(leaseKey, l)
	return l.Searcher, nil
}

// redirectMoved answers a request for an article id that now belongs to
// another article with a 301 to the same URL with the new id; it reports
// whether it did.
func (srv *Server) redirectMoved(c *gin.Context, err error) bool {
	m, ok := errors.AsType[*search.MovedError](err)
	if !ok {
		return false
	}
	u := *c.Request.URL
	u.Path = replaceSegment(u.Path, m.ID, m.To)
	u.RawPath = ""
	c.Redirect(http.StatusMovedPermanently, u.RequestURI())
	c.Abort()
	return true
}

// replaceSegment replaces the path segment old by new.
func replaceSegment(path, old, new string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if s == old {
			segs[i] = new
		}
	}
	return strings.Join(segs, "/")
}
