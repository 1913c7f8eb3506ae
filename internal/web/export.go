package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/lazy"
	"github.com/csmm/csmm/internal/lazyregexp"
	"github.com/csmm/csmm/internal/report"
)

// exportTypes are the media types of the export formats.
var exportTypes = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"html": "text/html; charset=utf-8",
		"pdf":  "application/pdf",
		"md":   "text/markdown; charset=utf-8",
		"json": "application/json",
		"csv":  "text/csv; charset=utf-8",
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	}
}}

var styleBlock = lazyregexp.New(`(?s)<style>(.*?)</style>`)

// export downloads the report (roll-up, or ?scope=) in one format, rendered
// by package report exactly as the API's getReport renders it.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	format := r.PathValue("format")
	ctype, ok := exportTypes.Get()[format]
	if !ok {
		return csmm.Errorf(csmm.ENOTFOUND, "no export format %q: expected html, pdf, md, json, csv or xlsx", format)
	}
	scope := r.URL.Query().Get("scope")
	rep, err := h.buildReport(r.Context(), c, s, scope)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch format {
	case "html":
		err = rep.WriteHTML(&buf)
	case "pdf":
		err = h.writePDF(r, &buf, rep)
	case "md":
		err = rep.WriteMarkdown(&buf)
	case "json":
		err = rep.WriteJSON(&buf)
	case "csv":
		err = rep.WriteCSV(&buf)
	case "xlsx":
		err = rep.WriteXLSX(&buf)
	}
	if err != nil {
		return fmt.Errorf("export %s report: %w", format, err)
	}
	hd := w.Header()
	if format == "html" {
		// The export is one self-contained page with its style inline: allow
		// exactly that style by its hash, and nothing else.
		csp := "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; style-src"
		for _, m := range styleBlock.FindAllSubmatch(buf.Bytes(), -1) {
			sum := sha256.Sum256(m[1])
			csp += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		}
		hd.Set("Content-Security-Policy", csp)
	}
	hd.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, exportName(s.A.Name, scope, format)))
	hd.Set("Content-Type", ctype)
	hd.Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// writePDF prints the HTML report with headless Chromium: in a new tab of
// the shared printer's browser, or in a browser of its own without one.
func (h *Handler) writePDF(r *http.Request, buf *bytes.Buffer, rep *report.Report) error {
	html, err := rep.HTML()
	if err != nil {
		return err
	}
	if h.printer != nil {
		return h.printer.Print(r.Context(), buf, html)
	}
	return report.WritePDF(r.Context(), buf, html)
}

// exportName is a safe file name for a download: letters, digits and dashes.
func exportName(name, scope, format string) string {
	base := name
	if scope != "" {
		base += "-" + scope
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		out = "report"
	}
	if len(out) > 80 {
		out = out[:80]
	}
	return out + "." + format
}
