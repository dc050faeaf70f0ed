package web

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// OpenAPI is the OpenAPI 3 description of the API; a test checks it
// against the server's routes.
//
//go:embed openapi.json
var OpenAPI []byte

func (srv *Server) apiOpenAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", OpenAPI)
}
