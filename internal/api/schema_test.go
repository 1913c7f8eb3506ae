package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

type schemaInner struct {
	N int `json:"n"`
}

type schemaOuter struct {
	Name     string            `json:"name" doc:"The name"`
	Note     string            `json:"note,omitempty"`
	When     time.Time         `json:"when,omitzero"`
	Day      assess.Date       `json:"day"`
	Role     csmm.Role         `json:"role"`
	Score    *float64          `json:"score"`
	Count    *int              `json:"count" nonnull:"true"`
	Tags     []string          `json:"tags"`
	Always   []string          `json:"always" nonnull:"true"`
	Levels   map[string]int    `json:"levels,omitempty"`
	Inner    *schemaInner      `json:"inner"`
	Items    List[schemaInner] `json:"items"`
	Raw      json.RawMessage   `json:"raw,omitempty"`
	Hidden   string            `json:"-"`
	internal string
	schemaInner
}

// TestSchemaFromGoType checks the rules by which Go types become schemas:
// required unless omitempty/omitzero, nullable pointers, slices and maps
// unless nonnull, enums and formats, embedded fields, component names.
func TestSchemaFromGoType(t *testing.T) {
	s := newSchemaSet([]reflect.Type{reflect.TypeFor[schemaOuter]()})
	want := map[string]any{
		"type":     "object",
		"required": []any{"name", "day", "role", "score", "count", "tags", "always", "inner", "items", "n"},
		"properties": map[string]any{
			"name":   map[string]any{"type": "string", "description": "The name"},
			"note":   map[string]any{"type": "string"},
			"when":   map[string]any{"type": "string", "format": "date-time"},
			"day":    map[string]any{"type": "string", "format": "date", "description": "A calendar date, YYYY-MM-DD"},
			"role":   map[string]any{"$ref": "#/components/schemas/Role"},
			"score":  map[string]any{"type": []any{"number", "null"}, "format": "double"},
			"count":  map[string]any{"type": "integer"},
			"tags":   map[string]any{"type": []any{"array", "null"}, "items": map[string]any{"type": "string"}},
			"always": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
			"levels": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "integer"}},
			"inner":  map[string]any{"oneOf": []any{map[string]any{"$ref": "#/components/schemas/schemaInner"}, map[string]any{"type": "null"}}},
			"items":  map[string]any{"$ref": "#/components/schemas/schemaInnerList"},
			"raw":    map[string]any{"description": "Any JSON value"},
			"n":      map[string]any{"type": "integer"},
		},
	}
	if diff := cmp.Diff(want, s.schemas["schemaOuter"]); diff != "" {
		t.Errorf("schemaOuter (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"type": "string", "enum": []any{"owner", "admin", "assessor", "viewer"}, "description": enumDoc[reflect.TypeFor[csmm.Role]()]}, s.schemas["Role"]); diff != "" {
		t.Errorf("Role (-want +got):\n%s", diff)
	}
	list, _ := s.schemas["schemaInnerList"].(map[string]any)
	if diff := cmp.Diff([]any{"items"}, list["required"]); diff != "" {
		t.Errorf("schemaInnerList required (-want +got):\n%s", diff)
	}
}

// TestSchemaNameClash checks that types two packages share a name for are
// told apart, the store's keeping the plain name.
func TestSchemaNameClash(t *testing.T) {
	s := newSchemaSet([]reflect.Type{reflect.TypeFor[ErrorBody](), reflect.TypeFor[assess.Result](), reflect.TypeFor[store.Evidence](), reflect.TypeFor[store.Exemption]()})
	for _, name := range []string{"Answer", "AssessAnswer", "Evidence", "AssessEvidence", "Exemption", "AssessExemption", "Result", "ErrorBody", "ErrorCode", "Problem"} {
		if _, ok := s.schemas[name]; !ok {
			t.Errorf("no component %s among %v", name, keysOf(s.schemas))
		}
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestOpenAPIOperations checks what every operation of the document has:
// a summary, a description, a tag the document defines, its 4xx answers,
// a schema for every JSON body, and the base a client finds the API at.
func TestOpenAPIOperations(t *testing.T) {
	doc := New(Options{}).OpenAPI()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Servers []struct{ URL string }  `json:"servers"`
		Tags    []struct{ Name string } `json:"tags"`
		Paths   map[string]map[string]struct {
			OperationID string   `json:"operationId"`
			Summary     string   `json:"summary"`
			Description string   `json:"description"`
			Tags        []string `json:"tags"`
			RequestBody *struct {
				Content map[string]struct {
					Schema map[string]any `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
			Responses map[string]struct {
				Ref     string `json:"$ref"`
				Content map[string]struct {
					Schema map[string]any `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Servers) != 1 || d.Servers[0].URL != Prefix {
		t.Errorf("servers %+v, want one at %s", d.Servers, Prefix)
	}
	defined := map[string]bool{}
	for _, tag := range d.Tags {
		defined[tag.Name] = true
	}
	for path, methods := range d.Paths {
		for method, op := range methods {
			where := strings.ToUpper(method) + " " + path + " (" + op.OperationID + ")"
			if op.Summary == "" || op.Description == "" {
				t.Errorf("%s: no summary or description", where)
			}
			if len(op.Tags) != 1 || !defined[op.Tags[0]] {
				t.Errorf("%s: tags %v, want one the document defines", where, op.Tags)
			}
			if op.RequestBody != nil {
				for media, c := range op.RequestBody.Content {
					if len(c.Schema) == 0 {
						t.Errorf("%s: the %s request body has no schema", where, media)
					}
				}
			}
			has4xx := false
			for status, r := range op.Responses {
				n, _ := strconv.Atoi(status)
				has4xx = has4xx || n >= 400 && n < 500
				if r.Ref != "" {
					continue
				}
				for media, c := range r.Content {
					if len(c.Schema) == 0 {
						t.Errorf("%s: the %s %s response has no schema", where, status, media)
					}
				}
			}
			if !has4xx {
				t.Errorf("%s: no 4xx response", where)
			}
		}
	}
	// putAnswer requires version.
	put := d.Paths["/orgs/{org}/assessments/{id}/answers/{objective}/{scope}"]["put"]
	if ref := put.RequestBody.Content[mediaJSON].Schema["$ref"]; ref != "#/components/schemas/AnswerPut" {
		t.Fatalf("putAnswer body: %v", ref)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	required := schemas["AnswerPut"].(map[string]any)["required"]
	if diff := cmp.Diff([]any{"answer", "version"}, required); diff != "" {
		t.Errorf("AnswerPut required (-want +got):\n%s", diff)
	}
	if _, ok := put.Responses[strconv.Itoa(http.StatusConflict)]; !ok {
		t.Error("putAnswer does not document 409")
	}

	// With a public URL, the server is absolute.
	abs := New(Options{BaseURL: "https://csmm.example.com/"}).OpenAPI()["servers"].([]any)
	if got := abs[0].(map[string]any)["url"]; got != "https://csmm.example.com/api/v1" {
		t.Errorf("servers with a base URL: %v", got)
	}
}
