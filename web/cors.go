package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
)

// corsExposed are the response headers a page on another origin may read
// from an API answer.
var corsExposed = []string{
	"X-Total-Count", "X-Export-Status", "Retry-After", "Location",
	"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
}

// CheckCORSOrigins checks the origins of Options.CORSOrigins: "*", or
// scheme://host[:port] each.
func CheckCORSOrigins(origins []string) error {
	for _, o := range origins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return fmt.Errorf("CORS origin %q is not * or scheme://host[:port]", o)
		}
	}
	return nil
}

// corsMiddleware lets pages on the given origins read the API's answers
// (GET and HEAD, no credentials): a journalist's notebook or a newsroom
// dashboard in a browser. It answers their preflight requests itself. It
// is off unless origins are configured: the API is public and read-only,
// but which sites may script it is the operator's choice. It never applies
// to the web UI or /admin.
func corsMiddleware(origins []string) gin.HandlerFunc {
	if len(origins) == 0 {
		return nil
	}
	cfg := cors.Config{
		AllowMethods:     []string{http.MethodGet, http.MethodHead},
		AllowHeaders:     []string{"Accept", "Accept-Language"},
		ExposeHeaders:    corsExposed,
		AllowCredentials: false,
		MaxAge:           12 * time.Hour,
	}
	for _, o := range origins {
		if o == "*" {
			cfg.AllowAllOrigins = true
		}
	}
	if !cfg.AllowAllOrigins {
		cfg.AllowOrigins = origins
	}
	h := cors.New(cfg)
	return func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			h(c)
			return
		}
		c.Next()
	}
}
