package api

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// paramDoc describes the path parameters the routes use.
var paramDoc = map[string]string{
	"org":       "Organization ID or slug",
	"id":        "Assessment ID",
	"user":      "User ID",
	"objective": "Objective ID, e.g. IAM-2.1",
	"scope":     "Scope ID, e.g. default",
	"exemption": "Exemption ID",
	"model":     "builtin, or the ID of a custom model",
	"token":     "API token ID",
}

// OpenAPI returns the OpenAPI 3.1 document of the API, generated from the
// same table that registers the routes.
func (a *API) OpenAPI() map[string]any {
	paths := map[string]any{}
	for _, rt := range a.routes {
		p, _ := paths[rt.Path].(map[string]any)
		if p == nil {
			p = map[string]any{}
			paths[rt.Path] = p
		}
		op := map[string]any{
			"operationId": rt.OperationID,
			"summary":     rt.Summary,
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{
				"name": m[1], "in": "path", "required": true,
				"description": paramDoc[m[1]], "schema": map[string]any{"type": "string"},
			})
		}
		for _, q := range rt.Query {
			schema := map[string]any{"type": "string"}
			if q.Enum != nil {
				enum := make([]any, len(q.Enum))
				for i, v := range q.Enum {
					enum[i] = v
				}
				schema["enum"] = enum
			}
			if q.Format != "" {
				schema["format"] = q.Format
			}
			params = append(params, map[string]any{
				"name": q.Name, "in": "query", "required": false,
				"description": q.Description, "schema": schema,
			})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Body != "" {
			op["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{rt.Body: map[string]any{}},
			}
		}
		status := rt.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		if status != http.StatusNoContent {
			produces := rt.Produces
			if len(produces) == 0 {
				produces = []string{mediaJSON}
			}
			content := map[string]any{}
			for _, p := range produces {
				content[p] = map[string]any{}
			}
			ok["content"] = content
		}
		responses := map[string]any{
			strconv.Itoa(status): ok,
			"default": map[string]any{
				"description": "An error: invalid 400, unauthorized 401, forbidden 403, not_found 404, conflict 409, too_large 413, rate_limited 429, internal 500, setup_required 503, unavailable 503",
				"content": map[string]any{mediaJSON: map[string]any{
					"schema": map[string]any{"$ref": "#/components/schemas/Error"},
				}},
			},
		}
		op["responses"] = responses
		if rt.Public {
			op["security"] = []any{}
		}
		if rt.Perm != "" {
			op["x-csmm-permission"] = string(rt.Perm)
		}
		p[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "CSMM API",
			"version":     "1",
			"description": "The JSON API of the Cloud Security Maturity Model server. Every route under /orgs/{org} is scoped to an organization the caller belongs to; another organization's data answers 404. JSON responses are compact; add ?pretty=1 to a request for indented JSON.",
		},
		"servers":  []any{map[string]any{"url": Prefix}},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "An API token (csmm_...)"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "csmm_session"},
			},
			"schemas": map[string]any{
				"Error": map[string]any{
					"type":     "object",
					"required": []any{"error"},
					"properties": map[string]any{
						"error": map[string]any{
							"type":     "object",
							"required": []any{"code", "message"},
							"properties": map[string]any{
								"code": map[string]any{"type": "string", "enum": []any{
									"invalid", "unauthorized", "forbidden", "not_found", "conflict", "too_large", "rate_limited", "internal", "setup_required", "unavailable",
								}},
								"message":  map[string]any{"type": "string"},
								"problems": map[string]any{"type": "array", "description": "What is wrong with an uploaded file: file, line, key or path, message"},
								"current":  map[string]any{"description": "The stored value an update conflicted with"},
							},
						},
					},
				},
			},
		},
	}
}

func (a *API) getOpenAPI(c *call) error {
	writeJSON(c.w, c.r, http.StatusOK, a.OpenAPI())
	return nil
}
