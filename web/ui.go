package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// uiRoutes registers the researchers' pages.
func (srv *Server) uiRoutes() {
	srv.engine.GET("/", func(c *gin.Context) {
		c.Redirect(http.StatusFound, "/api/v1/openapi.json")
	})
}

func (srv *Server) notFoundPage(c *gin.Context) {
	c.String(http.StatusNotFound, "404 page not found")
}
