package server

import "testing"

func TestServeProcs(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	cases := []struct {
		name    string
		dialect string
		env     func(string) (string, bool)
		want    int
	}{
		{"SQLite gets one more", "sqlite", noEnv, 3},
		{"GOMAXPROCS set wins", "sqlite", func(k string) (string, bool) {
			if k == "GOMAXPROCS" {
				return "2", true
			}
			return "", false
		}, 2},
		{"an empty GOMAXPROCS is not a setting", "sqlite", func(string) (string, bool) { return "", true }, 3},
		{"PostgreSQL keeps the default", "postgres", noEnv, 2},
	}
	for _, c := range cases {
		if got := serveProcs(c.dialect, c.env, 2); got != c.want {
			t.Errorf("%s: serveProcs(%q, 2) = %d, want %d", c.name, c.dialect, got, c.want)
		}
	}
}
