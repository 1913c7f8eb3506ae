package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"unicode"
	"unicode/utf8"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the server's own HTML pages, parsed once at start.
type pages struct {
	setup, login *template.Template
}

// pageData is what every page shows: its title and an error, if any.
type pageData struct {
	Title string
	Error string
}

// setupData is the first-run form, refilled after an error.
type setupData struct {
	pageData
	Organization, Name, Email string
	MinPassword               int
}

// loginData is the sign-in form, refilled after an error.
type loginData struct {
	pageData
	Email string
	OIDC  bool
	// Next is the page of this site to go to after signing in ("" for home).
	Next string
	// MinPassword is the shortest password the site accepts, stated on
	// the form.
	MinPassword int
}

// sentence starts a message with a capital letter.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func parsePages() (*pages, error) {
	parse := func(name string) (*template.Template, error) {
		t, err := template.New(name).Funcs(template.FuncMap{"sentence": sentence}).ParseFS(templateFS, "templates/layout.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		return t, nil
	}
	var p pages
	var err error
	if p.setup, err = parse("setup.html"); err != nil {
		return nil, err
	}
	if p.login, err = parse("login.html"); err != nil {
		return nil, err
	}
	return &p, nil
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func render(w http.ResponseWriter, status int, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return fmt.Errorf("render %s: %w", t.Name(), err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// page adapts a handler that returns an error; the error is rendered by fail.
func (s *Server) page(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory exists at build time
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
