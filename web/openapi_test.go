package web_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"newsarchive/search"
	"newsarchive/web"
)

// TestOpenAPIDocumentsLimitsAndCodes checks that every operation of
// openapi.json documents 429 (with Retry-After and the RateLimit-*
// headers) and 503 (with Retry-After), its 200 the RateLimit-* headers,
// and that every error code the search package has is in the Error
// schema and in docs/api.md.
func TestOpenAPIDocumentsLimitsAndCodes(t *testing.T) {
	type header struct {
		Ref string `json:"$ref"`
	}
	type response struct {
		Ref     string            `json:"$ref"`
		Headers map[string]header `json:"headers"`
	}
	var spec struct {
		Paths      map[string]map[string]struct{ Responses map[string]response }
		Components struct {
			Responses map[string]response
			Schemas   struct {
				Error struct {
					Properties struct {
						Error struct {
							Properties struct {
								Code struct{ Enum []string }
							}
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(web.OpenAPI, &spec); err != nil {
		t.Fatal(err)
	}
	resolve := func(r response) response {
		if name, ok := strings.CutPrefix(r.Ref, "#/components/responses/"); ok {
			return spec.Components.Responses[name]
		}
		return r
	}
	rateHeaders := []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}
	for path, ops := range spec.Paths {
		for method, op := range ops {
			too, ok := op.Responses["429"]
			if too = resolve(too); !ok || too.Headers["Retry-After"] == (header{}) {
				t.Errorf("%s %s: no 429 with Retry-After", method, path)
			}
			for _, h := range rateHeaders {
				if too.Headers[h] == (header{}) {
					t.Errorf("%s %s: the 429 has no %s", method, path, h)
				}
				if ok := resolve(op.Responses["200"]); ok.Headers[h] == (header{}) {
					t.Errorf("%s %s: the 200 has no %s", method, path, h)
				}
			}
			if un, ok := op.Responses["503"]; !ok || resolve(un).Headers["Retry-After"] == (header{}) {
				t.Errorf("%s %s: no 503 with Retry-After", method, path)
			}
		}
	}
	doc, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	enum := spec.Components.Schemas.Error.Properties.Error.Properties.Code.Enum
	for _, c := range []string{search.CodeBadRequest, search.CodeUnclosedQuote, search.CodeUnbalancedParen, search.CodeEmptyQuery,
		search.CodeMisplacedOperator, search.CodeUnknownField, search.CodeMissingValue, search.CodeBadProximity, search.CodeUnknownTopic,
		search.CodeUnknownPlace, search.CodeAmbiguousPlace, search.CodeBadDate, search.CodeDateOutOfRange, search.CodeBadSort,
		search.CodeBadPage, search.CodeBadSize, search.CodeBadCursor, search.CodeTooMany, search.CodeUnknownParameter} {
		if !slices.Contains(enum, c) {
			t.Errorf("openapi.json's Error code has no %s", c)
		}
		if !strings.Contains(string(doc), "`"+c+"`") {
			t.Errorf("docs/api.md does not list %s", c)
		}
	}
}
