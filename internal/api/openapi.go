package api

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/lazy"
	"github.com/csmm/csmm/internal/lazyregexp"
)

var pathParam = lazyregexp.New(`\{([a-z]+)\}`)

// paramDoc describes the path parameters the routes use.
var paramDoc = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"org":        "Organization ID or slug",
		"id":         "Assessment ID",
		"user":       "User ID",
		"objective":  "Objective ID, e.g. IAM-2.1",
		"scope":      "Scope ID, e.g. default",
		"exemption":  "Exemption ID",
		"model":      "builtin, or the ID of a custom model",
		"token":      "API token ID",
		"attachment": "ID of a link or file of an objective",
		"target":     "A category ID (IAM) or objective ID (IAM-2.1) of the assessment's model",
	}
}}

// errorResponses names and describes the error responses by status, in the
// document's components.
var errorResponses = lazy.Value[map[int]struct{ Name, Description string }]{New: func() map[int]struct{ Name, Description string } {
	return map[int]struct{ Name, Description string }{
		http.StatusBadRequest:            {"BadRequest", "invalid: the request is malformed or breaks a rule of the data; error.problems lists what is wrong with an uploaded file"},
		http.StatusUnauthorized:          {"Unauthorized", "unauthorized: no credentials, or wrong or expired ones"},
		http.StatusForbidden:             {"Forbidden", "forbidden: the caller's role (or API token) does not allow this"},
		http.StatusNotFound:              {"NotFound", "not_found: no such thing in an organization the caller belongs to (another organization's answers the same)"},
		http.StatusConflict:              {"Conflict", "conflict: a unique value is taken or the stored version changed; error.current holds a conflicting answer"},
		http.StatusRequestEntityTooLarge: {"TooLarge", "too_large: the request body is over the operation's limit"},
		http.StatusTooManyRequests:       {"RateLimited", "rate_limited: too many attempts; wait and try again"},
	}
}}

// errorStatuses lists the 4xx statuses a route answers: 400 for every route
// (a bad pretty parameter, at least), 401 for every route that needs
// credentials, 403 for every route a role restricts, 404 for every route
// with a path parameter, 413 for every route with a body (each has a
// limit), and the route's own.
func errorStatuses(rt route) []int {
	out := []int{http.StatusBadRequest}
	if !rt.Public {
		out = append(out, http.StatusUnauthorized)
	}
	if rt.Perm != "" {
		out = append(out, http.StatusForbidden)
	}
	if strings.Contains(rt.Path, "{") {
		out = append(out, http.StatusNotFound)
	}
	if rt.Body != "" {
		out = append(out, http.StatusRequestEntityTooLarge)
	}
	for _, s := range rt.Errors {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// prettyParam documents the pretty query parameter every route reads.
var prettyParam = lazy.Value[map[string]any]{New: func() map[string]any {
	return map[string]any{
		"name": "pretty", "in": "query", "required": false,
		"description": "true (or 1) for indented JSON; compact when absent",
		"schema":      map[string]any{"type": "boolean"},
	}
}}

// bodySchema is the schema of a body of a media type other than JSON.
func bodySchema(media string) map[string]any {
	if media == mediaYAML {
		// A YAML document is a mapping: an answers file or a model (formats.md).
		return map[string]any{"type": "object", "description": "A YAML document: an answers file or a model, as formats.md describes them"}
	}
	if strings.HasPrefix(media, "text/") {
		return map[string]any{"type": "string"}
	}
	return map[string]any{"type": "string", "format": "binary"}
}

// OpenAPI returns the OpenAPI 3.1 document of the API, generated from the
// same table that registers the routes; the schemas of the bodies are
// generated from the routes' Go types.
func (a *API) OpenAPI() map[string]any {
	roots := []reflect.Type{reflect.TypeFor[ErrorBody]()}
	for _, rt := range a.routes {
		roots = append(roots, rt.In, rt.Out)
	}
	schemas := newSchemaSet(roots)
	errRef := schemas.ref(reflect.TypeFor[ErrorBody]())
	usedErrors := map[int]bool{}

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
			"description": rt.Description,
			"tags":        []any{rt.Tag},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{
				"name": m[1], "in": "path", "required": true,
				"description": paramDoc.Get()[m[1]], "schema": map[string]any{"type": "string"},
			})
		}
		for _, q := range rt.Query {
			typ := q.Type
			if typ == "" {
				typ = "string"
			}
			schema := map[string]any{"type": typ}
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
				"name": q.Name, "in": "query", "required": q.Required,
				"description": q.Description, "schema": schema,
			})
		}
		params = append(params, map[string]any{"$ref": "#/components/parameters/pretty"})
		op["parameters"] = params
		if rt.Body != "" {
			schema := bodySchema(rt.Body)
			if rt.In != nil {
				schema = schemas.ref(rt.In)
			}
			op["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{rt.Body: map[string]any{"schema": schema}},
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
			for _, media := range produces {
				schema := bodySchema(media)
				if media == mediaJSON && rt.Out != nil {
					schema = schemas.ref(rt.Out)
				}
				content[media] = map[string]any{"schema": schema}
			}
			ok["content"] = content
		}
		responses := map[string]any{
			strconv.Itoa(status): ok,
			"default":            map[string]any{"$ref": "#/components/responses/Error"},
		}
		for _, s := range errorStatuses(rt) {
			usedErrors[s] = true
			responses[strconv.Itoa(s)] = map[string]any{"$ref": "#/components/responses/" + errorResponses.Get()[s].Name}
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

	errorContent := map[string]any{mediaJSON: map[string]any{"schema": errRef}}
	responses := map[string]any{
		"Error": map[string]any{
			"description": "An error the caller cannot fix by changing the request: internal 500, setup_required 503 (the server has no organization yet), unavailable 503 (a feature the operator must install, such as Chromium for PDF reports)",
			"content":     errorContent,
		},
	}
	for s, r := range errorResponses.Get() {
		if usedErrors[s] {
			responses[r.Name] = map[string]any{"description": r.Description, "content": errorContent}
		}
	}
	tagList := make([]any, len(tags))
	for i, t := range tags {
		tagList[i] = map[string]any{"name": t.Name, "description": t.Description}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "CSMM API",
			"version":     "1",
			"description": "The JSON API of the Cloud Security Maturity Model server. Every route under /orgs/{org} is scoped to an organization the caller belongs to; another organization's data answers 404. Errors answer one JSON shape (the Error responses) whose error.code a program acts on. JSON responses are compact; add ?pretty=1 to a request for indented JSON.",
			"contact":     map[string]any{"name": "CSMM"},
			"license":     map[string]any{"name": "Apache-2.0", "identifier": "Apache-2.0"},
		},
		"servers":  a.servers(),
		"tags":     tagList,
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "An API token (csmm_...)"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "csmm_session", "description": "A browser session, as the web pages sign in"},
			},
			"parameters": map[string]any{"pretty": prettyParam.Get()},
			"responses":  responses,
			"schemas":    schemas.schemas,
		},
	}
}

// servers is the document's base: the API under the server's public URL
// when it has one, else the API's path, which a client resolves against
// the address it fetched the document from.
func (a *API) servers() []any {
	if base := strings.TrimRight(a.o.BaseURL, "/"); base != "" {
		return []any{map[string]any{"url": base + Prefix, "description": "This server"}}
	}
	return []any{map[string]any{"url": Prefix, "description": "This server, relative to the address the document was fetched from"}}
}

func (a *API) getOpenAPI(c *call) error {
	writeJSON(c.w, c.r, http.StatusOK, a.OpenAPI())
	return nil
}
