package server

import (
	"runtime"
	"testing"
)

func TestServeProcs(t *testing.T) {
	orig := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(orig) })
	noEnv := func(string) (string, bool) { return "", false }
	cases := []struct {
		name    string
		dialect string
		env     func(string) (string, bool)
		more    int
	}{
		{"SQLite gets one more", "sqlite", noEnv, 1},
		{"GOMAXPROCS set wins", "sqlite", func(k string) (string, bool) {
			if k == "GOMAXPROCS" {
				return "3", true
			}
			return "", false
		}, 0},
		{"an empty GOMAXPROCS is not a setting", "sqlite", func(string) (string, bool) { return "", true }, 1},
		{"PostgreSQL keeps the default", "postgres", noEnv, 0},
	}
	for _, c := range cases {
		runtime.GOMAXPROCS(orig)
		before, after := serveProcs(c.dialect, c.env)
		if before != orig || after != orig+c.more {
			t.Errorf("%s: serveProcs = %d, %d; want %d, %d", c.name, before, after, orig, orig+c.more)
		}
		if got := runtime.GOMAXPROCS(0); got != orig+c.more {
			t.Errorf("%s: GOMAXPROCS is %d after it, want %d", c.name, got, orig+c.more)
		}
	}
}
