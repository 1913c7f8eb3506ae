package xlsx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/lazy"
)

// StyleID names a cell style of a workbook; 0 is the default style.
type StyleID int

// Style is the look of a cell: its font, background and number format.
type Style struct {
	// Bold sets a bold font.
	Bold bool
	// Size is the font size in points (0 for the default, 11).
	Size float64
	// Color is the font color as six hex digits RRGGBB ("" for the default).
	Color string
	// Fill is the solid background color as RRGGBB ("" for none).
	Fill string
	// NumFmt is the number format, such as "0.0" or "0%" ("" for General).
	// Excel's built-in formats are referred to by their number, others are
	// added to the workbook.
	NumFmt string
}

// builtinNumFmts are the format codes of Excel's built-in number formats.
var builtinNumFmts = lazy.Value[map[string]int]{New: func() map[string]int {
	return map[string]int{
		"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "0.00E+00": 11,
		"# ?/?": 12, "# ??/??": 13, "mm-dd-yy": 14, "d-mmm-yy": 15, "d-mmm": 16, "mmm-yy": 17,
		"h:mm AM/PM": 18, "h:mm:ss AM/PM": 19, "h:mm": 20, "h:mm:ss": 21, "m/d/yy h:mm": 22, "@": 49,
	}
}}

// firstCustomNumFmt is the number of the first number format a workbook
// defines itself.
const firstCustomNumFmt = 164

type font struct {
	bold  bool
	size  float64
	color string
}

// styleTable holds the styles of a workbook and writes xl/styles.xml.
type styleTable struct {
	list    []Style // StyleID i+1 is list[i]
	fonts   []font  // font 0 is the default
	fills   []string
	numFmts []string // custom formats, numbered from firstCustomNumFmt
}

// AddStyle returns the id of the style s, adding it to the workbook unless
// an identical style was added before.
func (w *Writer) AddStyle(s Style) (StyleID, error) {
	if w.err != nil {
		return 0, w.err
	}
	for _, c := range []struct{ what, v string }{{"font color", s.Color}, {"fill", s.Fill}} {
		if c.v != "" && !isRGB(c.v) {
			return 0, w.fail(fmt.Errorf("xlsx: style %s %q: expected six hex digits RRGGBB", c.what, c.v))
		}
	}
	if s.Size < 0 || s.Size > 409 || s.Size != s.Size {
		return 0, w.fail(fmt.Errorf("xlsx: font size %g: expected 1 to 409 points", s.Size))
	}
	if strings.ContainsFunc(s.NumFmt, func(r rune) bool { return !validXMLChar(r) }) {
		return 0, w.fail(fmt.Errorf("xlsx: number format %q holds a character XML cannot hold", s.NumFmt))
	}
	if s.NumFmt == "General" {
		s.NumFmt = ""
	}
	s.Color, s.Fill = strings.ToUpper(s.Color), strings.ToUpper(s.Fill)
	for i, o := range w.styles.list {
		if o == s {
			return StyleID(i + 1), nil
		}
	}
	w.styles.list = append(w.styles.list, s)
	return StyleID(len(w.styles.list)), nil
}

func isRGB(s string) bool {
	if len(s) != 6 {
		return false
	}
	_, err := strconv.ParseUint(s, 16, 32)
	return err == nil
}

func (t *styleTable) fontID(f font) int {
	if f == (font{}) {
		return 0
	}
	for i, o := range t.fonts {
		if o == f {
			return i + 1
		}
	}
	t.fonts = append(t.fonts, f)
	return len(t.fonts)
}

// fillID numbers fills from 2: 0 and 1 are the none and gray125 fills
// every workbook begins with.
func (t *styleTable) fillID(rgb string) int {
	if rgb == "" {
		return 0
	}
	for i, o := range t.fills {
		if o == rgb {
			return i + 2
		}
	}
	t.fills = append(t.fills, rgb)
	return len(t.fills) + 1
}

func (t *styleTable) numFmtID(code string) int {
	if code == "" {
		return 0
	}
	if id, ok := builtinNumFmts.Get()[code]; ok {
		return id
	}
	for i, o := range t.numFmts {
		if o == code {
			return firstCustomNumFmt + i
		}
	}
	t.numFmts = append(t.numFmts, code)
	return firstCustomNumFmt + len(t.numFmts) - 1
}

func appendFont(b []byte, f font) []byte {
	b = append(b, `<font>`...)
	if f.bold {
		b = append(b, `<b/>`...)
	}
	size := f.size
	if size == 0 {
		size = 11
	}
	b = append(b, `<sz val="`...)
	b = strconv.AppendFloat(b, size, 'f', -1, 64)
	b = append(b, `"/>`...)
	if f.color != "" {
		b = append(b, `<color rgb="FF`+f.color+`"/>`...)
	}
	return append(b, `<name val="Calibri"/><family val="2"/></font>`...)
}

// xml is the styles part: fonts, fills, number formats and one cell format
// per style after the default.
func (t *styleTable) xml() []byte {
	type xf struct{ font, fill, numFmt int }
	xfs := make([]xf, len(t.list))
	for i, s := range t.list {
		xfs[i] = xf{t.fontID(font{s.Bold, s.Size, s.Color}), t.fillID(s.Fill), t.numFmtID(s.NumFmt)}
	}
	b := []byte(xmlHeader + `<styleSheet xmlns="` + nsMain + `">`)
	if len(t.numFmts) > 0 {
		b = append(b, `<numFmts count="`+strconv.Itoa(len(t.numFmts))+`">`...)
		for i, code := range t.numFmts {
			b = append(b, `<numFmt numFmtId="`+strconv.Itoa(firstCustomNumFmt+i)+`" formatCode="`...)
			b = appendAttr(b, code)
			b = append(b, `"/>`...)
		}
		b = append(b, `</numFmts>`...)
	}
	b = append(b, `<fonts count="`+strconv.Itoa(len(t.fonts)+1)+`">`...)
	b = appendFont(b, font{})
	for _, f := range t.fonts {
		b = appendFont(b, f)
	}
	b = append(b, `</fonts><fills count="`+strconv.Itoa(len(t.fills)+2)+`"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>`...)
	for _, rgb := range t.fills {
		b = append(b, `<fill><patternFill patternType="solid"><fgColor rgb="FF`+rgb+`"/><bgColor indexed="64"/></patternFill></fill>`...)
	}
	b = append(b, `</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>`+
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`+
		`<cellXfs count="`+strconv.Itoa(len(xfs)+1)+`"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`...)
	for _, x := range xfs {
		b = append(b, `<xf numFmtId="`+strconv.Itoa(x.numFmt)+`" fontId="`+strconv.Itoa(x.font)+`" fillId="`+strconv.Itoa(x.fill)+`" borderId="0" xfId="0"`...)
		if x.numFmt != 0 {
			b = append(b, ` applyNumberFormat="1"`...)
		}
		if x.font != 0 {
			b = append(b, ` applyFont="1"`...)
		}
		if x.fill != 0 {
			b = append(b, ` applyFill="1"`...)
		}
		b = append(b, `/>`...)
	}
	return append(b, `</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0"/></styleSheet>`...)
}
