package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"sync"
)

//go:embed templates/report.html.tmpl templates/revision2.html.tmpl templates/trend.html.tmpl templates/review.html.tmpl
var templateFS embed.FS

// htmlTemplate is parsed on first use, once; it is never modified after.
// The report template names the blocks of the revision-2 and trend
// sections, defined in their own files.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(templateFS, "templates/report.html.tmpl", "templates/revision2.html.tmpl", "templates/trend.html.tmpl", "templates/review.html.tmpl"))
})

// WriteHTML writes the report as one self-contained HTML file: inline CSS
// with a print stylesheet, inline SVG charts, no script and no external
// resource. html/template escapes every text from the user or the model.
func (r *Report) WriteHTML(w io.Writer) error {
	var buf bytes.Buffer
	if err := htmlTemplate().Execute(&buf, r); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

// HTML renders the report as HTML into memory, for WritePDF.
func (r *Report) HTML() ([]byte, error) {
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// revision2Sections are the blocks of the revision-2 sections, in the order
// the HTML report shows them.
var revision2Sections = []string{"ladders", "investment", "contradictions", "stale-evidence", "crosswalk"}

// Revision2HTML renders the sections of model revision 2 as the HTML report
// shows them (category ladders, investment, contradictions, stale evidence,
// CCM crosswalk), for a page that shows the report in its own layout.
func (r *Report) Revision2HTML() (template.HTML, error) {
	var buf bytes.Buffer
	for _, name := range revision2Sections {
		if err := htmlTemplate().ExecuteTemplate(&buf, name, r); err != nil {
			return "", fmt.Errorf("render %s section: %w", name, err)
		}
	}
	// The blocks are html/template output: escaped in their context.
	return template.HTML(buf.String()), nil
}
