package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/lazy"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// The OpenAPI schemas of the request and response bodies are generated from
// the Go types the handlers decode and encode, by reflection over their
// fields and json tags, as encoding/json reads them:
//
//   - a field is required unless its tag says omitempty or omitzero;
//   - a pointer, slice or map field may be null (encoding/json writes nil
//     as null) unless its tag says nonnull:"true", which the type's owner
//     guarantees (a list answered as [] rather than null, a field the
//     decoder requires to be present);
//   - a field's doc tag is its description;
//   - named struct types and enumerated string types become component
//     schemas named after the type (List[store.Assessment] becomes
//     AssessmentList; a name two packages share is prefixed with the
//     package's name, except for the api, service and store packages' own);
//   - time.Time is a date-time string, assess.Date a date string, and
//     json.RawMessage any JSON value.

// enumValues lists the values of the string types that are enumerations.
// It is built on first use: only the OpenAPI document needs it.
var enumValues = lazy.Value[map[reflect.Type][]string]{New: func() map[reflect.Type][]string {
	return map[reflect.Type][]string{
		reflect.TypeFor[csmm.Role]():           strs(csmm.Roles),
		reflect.TypeFor[assess.Answer]():       strs(assess.Answers),
		reflect.TypeFor[assess.Status]():       strs([]assess.Status{assess.StatusAnswered, assess.StatusUnanswered, assess.StatusStale, assess.StatusNA, assess.StatusExempt}),
		reflect.TypeFor[assess.Source]():       strs([]assess.Source{assess.SourceManual, assess.SourceAutomated, assess.SourceNone}),
		reflect.TypeFor[model.Mode]():          strs([]model.Mode{model.ModeManual, model.ModeAutomated, model.ModeEither}),
		reflect.TypeFor[ErrorCode]():           ErrorCodes,
		reflect.TypeFor[store.RoadmapStatus](): strs(store.RoadmapStatuses),
	}
}}

// enumDoc describes the enumerated types.
var enumDoc = map[reflect.Type]string{
	reflect.TypeFor[csmm.Role]():           "A member's role in an organization, highest first",
	reflect.TypeFor[assess.Answer]():       "An answer on the five-point coverage scale, or na (not applicable)",
	reflect.TypeFor[assess.Status]():       "How an objective's value was reached",
	reflect.TypeFor[assess.Source]():       "Where an objective's value came from",
	reflect.TypeFor[model.Mode]():          "How an objective is assessed",
	reflect.TypeFor[ErrorCode]():           "The code a program acts on: invalid 400, unauthorized 401, forbidden 403, not_found 404, conflict 409, too_large 413, rate_limited 429, internal 500, setup_required and unavailable 503",
	reflect.TypeFor[store.RoadmapStatus](): "How far the work on a roadmap objective is: planned, in_progress or done",
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[assess.Date]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// schemaSet generates the component schemas of a set of Go types.
type schemaSet struct {
	names   map[reflect.Type]string
	schemas map[string]any
}

// newSchemaSet names every component type reachable from roots.
func newSchemaSet(roots []reflect.Type) *schemaSet {
	s := &schemaSet{names: map[reflect.Type]string{}, schemas: map[string]any{}}
	seen := map[reflect.Type]bool{}
	var named []reflect.Type
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if seen[t] || special(t) != nil {
			return
		}
		seen[t] = true
		if isComponent(t) {
			named = append(named, t)
		}
		if t.Kind() == reflect.Struct {
			for _, f := range jsonFields(t) {
				walk(f.typ)
			}
		}
	}
	for _, t := range roots {
		if t != nil {
			walk(t)
		}
	}
	byBase := map[string][]reflect.Type{}
	for _, t := range named {
		byBase[baseName(t)] = append(byBase[baseName(t)], t)
	}
	for base, ts := range byBase {
		for _, t := range ts {
			if len(ts) == 1 || ownPackage(t) {
				s.names[t] = base
			} else {
				s.names[t] = pkgName(t) + base
			}
		}
	}
	for _, t := range named {
		s.schemas[s.names[t]] = s.define(t)
	}
	return s
}

// isComponent reports whether t gets a component schema of its own.
func isComponent(t reflect.Type) bool {
	if t.Name() == "" {
		return false
	}
	_, enum := enumValues.Get()[t]
	return t.Kind() == reflect.Struct || enum
}

// ownPackage reports whether t is of a package whose names win a clash.
func ownPackage(t reflect.Type) bool {
	switch pkgName(t) {
	case "Api", "Service", "Store":
		return true
	}
	return false
}

// pkgName is the capitalized last element of t's package path.
func pkgName(t reflect.Type) string {
	p := t.PkgPath()
	p = p[strings.LastIndexByte(p, '/')+1:]
	return strings.ToUpper(p[:1]) + p[1:]
}

// baseName is t's name; for an instance of a generic type, the type
// argument's name before the generic type's (List[store.Member] is
// MemberList).
func baseName(t reflect.Type) string {
	name := t.Name()
	generic, arg, ok := strings.Cut(name, "[")
	if !ok {
		return name
	}
	arg = strings.TrimSuffix(arg, "]")
	arg = arg[strings.LastIndexByte(arg, '.')+1:]
	return arg + generic
}

// special is the schema of a type encoding/json writes in its own way.
func special(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case dateType:
		return map[string]any{"type": "string", "format": "date", "description": "A calendar date, YYYY-MM-DD"}
	case rawType:
		return map[string]any{"description": "Any JSON value"}
	}
	return nil
}

// field is one JSON member of a struct.
type field struct {
	name     string
	typ      reflect.Type
	required bool
	nonnull  bool
	// nullable marks a field that a type's own MarshalJSON may write as
	// null (the score of a not-applicable category): tag nullable:"true".
	nullable bool
	doc      string
}

// jsonFields lists the members encoding/json writes for a struct type, the
// fields of embedded structs included, in declaration order.
func jsonFields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				out = append(out, jsonFields(et)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := false
		for o := range strings.SplitSeq(opts, ",") {
			optional = optional || o == "omitempty" || o == "omitzero"
		}
		out = append(out, field{name: name, typ: f.Type, required: !optional, nonnull: f.Tag.Get("nonnull") == "true",
			nullable: f.Tag.Get("nullable") == "true", doc: f.Tag.Get("doc")})
	}
	return out
}

// define returns the component schema of a named type.
func (s *schemaSet) define(t reflect.Type) map[string]any {
	if vs, ok := enumValues.Get()[t]; ok {
		enum := make([]any, len(vs))
		for i, v := range vs {
			enum[i] = v
		}
		out := map[string]any{"type": "string", "enum": enum}
		if d := enumDoc[t]; d != "" {
			out["description"] = d
		}
		return out
	}
	return s.object(t)
}

// object is the schema of a struct type's members.
func (s *schemaSet) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []any{}
	for _, f := range jsonFields(t) {
		// A field without omitempty is always written, so it is required,
		// and it may be null when its type can be nil.
		schema := s.of(f.typ, f.required && !f.nonnull)
		if f.nullable {
			schema = orNull(schema)
		}
		if f.doc != "" {
			schema = withDescription(schema, f.doc)
		}
		props[f.name] = schema
		if f.required {
			required = append(required, f.name)
		}
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// withDescription adds a description to a schema; a reference keeps its
// siblings, which OpenAPI 3.1 allows.
func withDescription(schema map[string]any, doc string) map[string]any {
	out := map[string]any{}
	for k, v := range schema {
		out[k] = v
	}
	out["description"] = doc
	return out
}

// ref is the schema of a type where it is used: a reference to its
// component, or the schema itself.
func (s *schemaSet) ref(t reflect.Type) map[string]any { return s.of(t, false) }

// of is the schema of a type where it is used; nullable says whether a
// nil pointer, slice or map may be written as null.
func (s *schemaSet) of(t reflect.Type, nullable bool) map[string]any {
	if sp := special(t); sp != nil {
		return sp
	}
	if name, ok := s.names[t]; ok {
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	var out map[string]any
	switch t.Kind() {
	case reflect.Pointer:
		out = s.of(t.Elem(), false)
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32:
		return map[string]any{"type": "number", "format": "float"}
	case reflect.Float64:
		return map[string]any{"type": "number", "format": "double"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		out = map[string]any{"type": "array", "items": s.of(t.Elem(), false)}
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			out = map[string]any{"type": "string", "contentEncoding": "base64"}
		}
	case reflect.Map:
		out = map[string]any{"type": "object", "additionalProperties": s.of(t.Elem(), false)}
	case reflect.Struct:
		out = s.object(t)
	case reflect.Interface:
		return map[string]any{"description": "Any JSON value"}
	default:
		panic(fmt.Sprintf("api: no JSON schema for Go type %s", t))
	}
	if !nullable || t.Kind() == reflect.Struct || t.Kind() == reflect.Array {
		return out
	}
	return orNull(out)
}

// orNull returns the schema that also allows null.
func orNull(schema map[string]any) map[string]any {
	if typ, ok := schema["type"].(string); ok {
		out := map[string]any{}
		for k, v := range schema {
			out[k] = v
		}
		out["type"] = []any{typ, "null"}
		return out
	}
	return map[string]any{"oneOf": []any{schema, map[string]any{"type": "null"}}}
}
