package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestOpenAPICommand(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		server string
	}{
		{"relative", []string{"openapi"}, "/api/v1"},
		{"absolute", []string{"openapi", "--base-url", "https://csmm.example.com"}, "https://csmm.example.com/api/v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", tt.args...).wantCode(t, 0)
			var doc struct {
				OpenAPI string                     `json:"openapi"`
				Servers []struct{ URL string }     `json:"servers"`
				Paths   map[string]json.RawMessage `json:"paths"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("the output is not JSON: %v\n%.300s", err, r.stdout)
			}
			if doc.OpenAPI != "3.1.0" || len(doc.Paths) == 0 {
				t.Errorf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
			}
			if len(doc.Servers) != 1 || doc.Servers[0].URL != tt.server {
				t.Errorf("servers %+v, want %s", doc.Servers, tt.server)
			}
		})
	}
	r := run(t, "", "openapi", "extra").wantCode(t, 2)
	if !strings.Contains(r.stderr, `unexpected argument "extra"`) {
		t.Errorf("stderr: %s", r.stderr)
	}
}
