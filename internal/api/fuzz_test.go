package api_test

import (
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

// body has the field types of the API's request bodies.
type body struct {
	Name     string         `json:"name"`
	Version  *int           `json:"version"`
	Approve  bool           `json:"approve"`
	Weight   float64        `json:"weight"`
	Scopes   []store.Scope  `json:"scopes"`
	Targets  map[string]int `json:"targets"`
	Until    string         `json:"until"`
	Anything any            `json:"anything"`
}

// FuzzDecodeJSON checks that every body the API decodes is either accepted
// or refused as invalid with a message, never a panic or another error, and
// that nothing nested deeper than api.MaxJSONDepth is accepted.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"name":"a","version":0,"scopes":[{"id":"p","weight":2}],"targets":{"IAM":3}}`,
		`{"anything":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`,
		`{"name":"\u0000"}`, `{"unknown":1}`, `{} {}`, `[`, `"str"`, `{"name":"\"[[["}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v body
		err := api.DecodeJSON(data, &v)
		if err == nil {
			depth, max, inString, escaped := 0, 0, false, false
			for _, c := range data {
				switch {
				case inString && escaped:
					escaped = false
				case inString && c == '\\':
					escaped = true
				case inString && c == '"':
					inString = false
				case inString:
				case c == '"':
					inString = true
				case c == '[' || c == '{':
					depth++
					max = maxInt(max, depth)
				case c == ']' || c == '}':
					depth--
				}
			}
			if max > api.MaxJSONDepth {
				t.Fatalf("accepted a body nested %d deep", max)
			}
			return
		}
		if csmm.ErrorCode(err) != csmm.EINVALID || csmm.ErrorMessage(err) == "" {
			t.Fatalf("error %v (code %s), want invalid with a message", err, csmm.ErrorCode(err))
		}
	})
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
