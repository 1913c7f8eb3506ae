package spreadsheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// maxSheetColumn is the last column of a worksheet (XFD).
const maxSheetColumn = 16384

// errUnzipped is a part read past what is left of MaxUnzippedBytes.
var errUnzipped = errors.New("the workbook unpacks to more than the limit")

func unzippedLimit(name string) error {
	return &LimitError{File: name, Limit: "MaxUnzippedBytes",
		Message: fmt.Sprintf("the workbook unpacks to more than the limit of %d MiB", MaxUnzippedBytes>>20)}
}

// workbook is an .xlsx archive being read. Every part read counts against
// one budget of MaxUnzippedBytes, whatever the sizes the archive declares.
type workbook struct {
	name   string
	parts  map[string]*zip.File // by lower-case name: part names ignore case
	budget int64
}

// readXLSX reads the rows of the sheet sheetName (the first when "") of the
// workbook data: the sheets are found through the workbook and its
// relationships, text through the shared strings, and the worksheet is
// read token by token, one row at a time, without building a tree.
func readXLSX(name string, data []byte, sheetName string) (*Sheet, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("read spreadsheet %s: %w", name, err)
	}
	wb := &workbook{name: name, parts: map[string]*zip.File{}, budget: MaxUnzippedBytes}
	var declared uint64
	for _, f := range zr.File {
		// What the archive says its parts unpack to is refused before
		// anything is unpacked; the budget holds the parts to what they
		// really unpack to.
		if f.UncompressedSize64 > MaxUnzippedBytes-declared {
			return nil, unzippedLimit(name)
		}
		declared += f.UncompressedSize64
		wb.parts[strings.ToLower(f.Name)] = f
	}
	sh, err := wb.read(sheetName)
	if errors.Is(err, errUnzipped) {
		return nil, unzippedLimit(name)
	}
	return sh, err
}

func (wb *workbook) read(sheetName string) (*Sheet, error) {
	bookPath := "xl/workbook.xml"
	if rels, err := wb.rels("_rels/.rels"); err != nil {
		return nil, err
	} else if p := rels.ofType("officeDocument"); p != "" {
		bookPath = p
	}
	sheets, err := wb.sheets(bookPath)
	if err != nil {
		return nil, err
	}
	rels, err := wb.rels(relsOf(bookPath))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range sheets {
		names = append(names, s.name)
	}
	if sheetName == "" && len(sheets) > 0 {
		sheetName = sheets[0].name
	}
	var target string
	for _, s := range sheets {
		if strings.EqualFold(s.name, sheetName) {
			target = rels.byID[s.rid]
			if target == "" {
				return nil, fmt.Errorf("%s: %s: sheet %s: no part for the relationship %q", wb.name, bookPath, s.name, s.rid)
			}
			break
		}
	}
	if target == "" {
		return nil, fmt.Errorf("%s: no sheet named %q; the sheets are %s", wb.name, sheetName, strings.Join(names, ", "))
	}
	var sst []string
	if p := rels.ofType("sharedStrings"); p != "" || wb.parts["xl/sharedstrings.xml"] != nil {
		if p == "" {
			p = "xl/sharedStrings.xml"
		}
		if sst, err = wb.sharedStrings(p); err != nil {
			return nil, err
		}
	}
	return wb.sheet(target, sst, &Sheet{Name: fmt.Sprintf("%s (sheet %s)", wb.name, sheetName)})
}

// open opens the part p, reading within the budget; a missing part is
// nil, nil.
func (wb *workbook) open(p string) (io.ReadCloser, error) {
	f := wb.parts[strings.ToLower(strings.TrimPrefix(p, "/"))]
	if f == nil {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", wb.name, p, err)
	}
	return &budgetReader{rc: rc, wb: wb}, nil
}

// budgetReader counts what a part unpacks to against the workbook's budget.
type budgetReader struct {
	rc io.ReadCloser
	wb *workbook
}

func (r *budgetReader) Read(p []byte) (int, error) {
	if r.wb.budget <= 0 {
		return 0, errUnzipped
	}
	if int64(len(p)) > r.wb.budget+1 {
		p = p[:r.wb.budget+1]
	}
	n, err := r.rc.Read(p)
	r.wb.budget -= int64(n)
	if r.wb.budget < 0 {
		return n, errUnzipped
	}
	return n, err
}

func (r *budgetReader) Close() error { return r.rc.Close() }

// relationships are the targets of a part's relationships, as part names.
type relationships struct {
	byID   map[string]string
	byType map[string]string // by the last segment of the type URI
}

func (r relationships) ofType(t string) string { return r.byType[t] }

// relsOf is the relationships part of the part p.
func relsOf(p string) string {
	dir, file := path.Split(p)
	return dir + "_rels/" + file + ".rels"
}

// rels reads the relationships part p; a missing part has none.
func (wb *workbook) rels(p string) (relationships, error) {
	out := relationships{byID: map[string]string{}, byType: map[string]string{}}
	rc, err := wb.open(p)
	if rc == nil || err != nil {
		return out, err
	}
	defer rc.Close()
	// The targets are relative to the folder of the part the
	// relationships are of: xl/ for xl/_rels/workbook.xml.rels.
	base := path.Dir(path.Dir(p))
	err = wb.elements(p, rc, "Relationship", "", func(_ *xml.Decoder, se xml.StartElement) error {
		if attr(se, "TargetMode") == "External" {
			return nil
		}
		target := attr(se, "Target")
		if strings.HasPrefix(target, "/") {
			target = path.Clean(target)[1:]
		} else {
			target = path.Join(base, target)
		}
		out.byID[attr(se, "Id")] = target
		typ := attr(se, "Type")
		if _, seen := out.byType[path.Base(typ)]; !seen {
			out.byType[path.Base(typ)] = target
		}
		return nil
	})
	return out, err
}

// elements calls fn with each start element named local in the XML of
// part p, read from r, up to the end of the part or, when until is not
// "", the end of the element named until. An error of fn is returned
// unchanged; one of the XML names the part.
func (wb *workbook) elements(p string, r io.Reader, local, until string, fn func(d *xml.Decoder, se xml.StartElement) error) error {
	d := xml.NewDecoder(r)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return wb.xmlError(p, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == local {
				if err := fn(d, t); err != nil {
					return err
				}
			}
		case xml.EndElement:
			if until != "" && t.Name.Local == until {
				return nil
			}
		}
	}
}

func (wb *workbook) xmlError(p string, err error) error {
	if errors.Is(err, errUnzipped) {
		return err
	}
	return fmt.Errorf("%s: %s: %w", wb.name, p, err)
}

// attr is the value of the attribute local (in any namespace) of se.
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

type sheetRef struct{ name, rid string }

// sheets reads the names and relationship ids of the sheets of the
// workbook part p, in order.
func (wb *workbook) sheets(p string) ([]sheetRef, error) {
	rc, err := wb.open(p)
	if err != nil {
		return nil, err
	}
	if rc == nil {
		return nil, fmt.Errorf("%s: the workbook has no part %s; expected an .xlsx or .xlsm workbook", wb.name, p)
	}
	defer rc.Close()
	var out []sheetRef
	err = wb.elements(p, rc, "sheet", "", func(_ *xml.Decoder, se xml.StartElement) error {
		ref := sheetRef{name: attr(se, "name")}
		for _, a := range se.Attr {
			// r:id, whatever the prefix of the relationships namespace.
			if a.Name.Local == "id" && a.Name.Space != "" {
				ref.rid = a.Value
			}
		}
		out = append(out, ref)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sharedStrings reads the shared strings part p: each string item is its
// text, plain or the runs of rich text, without phonetic runs.
func (wb *workbook) sharedStrings(p string) ([]string, error) {
	rc, err := wb.open(p)
	if rc == nil || err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []string
	err = wb.elements(p, rc, "si", "", func(d *xml.Decoder, se xml.StartElement) error {
		s, err := stringItem(d, se)
		if err != nil {
			return wb.xmlError(p, err)
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// stringItem reads the text of the string item (si or is) begun by start:
// the t elements in it but those of phonetic runs (rPh).
func stringItem(d *xml.Decoder, start xml.StartElement) (string, error) {
	var b strings.Builder
	inT, phonetic := 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inT++
			case "rPh":
				phonetic++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inT--
			case "rPh":
				phonetic--
			case start.Name.Local:
				if inT == 0 && phonetic == 0 {
					return unescapeXstring(b.String()), nil
				}
			}
		case xml.CharData:
			if inT > 0 && phonetic == 0 {
				b.Write(t)
			}
		}
	}
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// sheet reads the rows of the worksheet part p into sh, row by row: rows
// left out (by their r numbers) are blank, cells left out (by their
// references) empty, and empty cells at the end of a row are dropped, as
// are blank rows at the end.
func (wb *workbook) sheet(p string, sst []string, sh *Sheet) (*Sheet, error) {
	rc, err := wb.open(p)
	if err != nil {
		return nil, err
	}
	if rc == nil {
		return nil, fmt.Errorf("%s: the workbook has no part %s", sh.Name, p)
	}
	defer rc.Close()
	err = wb.elements(p, rc, "row", "sheetData", func(d *xml.Decoder, se xml.StartElement) error {
		n := len(sh.Rows) + 1
		if r, err := strconv.Atoi(attr(se, "r")); err == nil {
			if r < n {
				return fmt.Errorf("%s: row %d comes after row %d; expected rows in ascending order", sh.Name, r, n-1)
			}
			// Rows left out are blank; add refuses them past MaxRows.
			for ; n < r; n++ {
				if err := sh.add(nil); err != nil {
					return err
				}
			}
		}
		row, err := readRow(d, se, sst)
		if err != nil {
			if errors.Is(err, errUnzipped) {
				return err
			}
			return fmt.Errorf("%s: row %d: %w", sh.Name, n, err)
		}
		return sh.add(row)
	})
	if err != nil {
		return nil, err
	}
	for len(sh.Rows) > 0 && len(sh.Rows[len(sh.Rows)-1]) == 0 {
		sh.Rows = sh.Rows[:len(sh.Rows)-1]
	}
	return sh, nil
}

// cell is one c element being read.
type cell struct {
	ref, typ   string
	v, inline  string
	hasInline  bool
	hasFormula bool
}

// readRow reads the cells of the row begun by start. A cell without a
// reference follows the one before it; a cell is kept when it has a value
// or a formula, and cells left out before it are empty.
func readRow(d *xml.Decoder, start xml.StartElement, sst []string) ([]string, error) {
	var row []string
	col := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == start.Name.Local {
				return row, nil
			}
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := d.Skip(); err != nil {
					return nil, unexpectedEOF(err)
				}
				continue
			}
			c, err := readCell(d, t)
			if err != nil {
				return nil, err
			}
			col++
			if c.ref != "" {
				if col, err = columnOf(c.ref); err != nil {
					return nil, err
				}
			}
			val, err := c.value(sst)
			if err != nil {
				return nil, fmt.Errorf("cell %s: %w", cellRef(c.ref, col), err)
			}
			if val == "" && !c.hasFormula {
				continue
			}
			if col <= len(row) {
				return nil, fmt.Errorf("cell %s comes after column %d; expected cells in column order", cellRef(c.ref, col), len(row))
			}
			if col > maxSheetColumn {
				return nil, fmt.Errorf("cell %s is past the last column of a sheet, %d", cellRef(c.ref, col), maxSheetColumn)
			}
			for len(row) < col-1 {
				row = append(row, "")
			}
			row = append(row, val)
		}
	}
}

func cellRef(ref string, col int) string {
	if ref != "" {
		return strconv.Quote(ref)
	}
	return "in column " + strconv.Itoa(col)
}

// readCell reads the c element begun by start: its reference, type, value,
// inline string and whether it has a formula.
func readCell(d *xml.Decoder, start xml.StartElement) (cell, error) {
	c := cell{ref: attr(start, "r"), typ: attr(start, "t")}
	for {
		tok, err := d.Token()
		if err != nil {
			return c, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == "c" {
				return c, nil
			}
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				if c.v, err = text(d); err != nil {
					return c, err
				}
			case "f":
				c.hasFormula = true
				err = d.Skip()
			case "is":
				c.hasInline = true
				c.inline, err = stringItem(d, t)
			default:
				err = d.Skip()
			}
			if err != nil {
				return c, unexpectedEOF(err)
			}
		}
	}
}

// text reads the character data of the element just begun, to its end.
func text(d *xml.Decoder) (string, error) {
	var b strings.Builder
	depth := 1
	for depth > 0 {
		tok, err := d.Token()
		if err != nil {
			return "", unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 1 {
				b.Write(t)
			}
		}
	}
	return b.String(), nil
}

// columnOf is the column (from 1) of a cell reference such as B7 or $B$7.
func columnOf(ref string) (int, error) {
	s := strings.ReplaceAll(ref, "$", "")
	col, i := 0, 0
	for ; i < len(s); i++ {
		c := s[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > maxSheetColumn {
			return 0, fmt.Errorf("cell %q is past the last column of a sheet, %d", ref, maxSheetColumn)
		}
	}
	if i == 0 || i == len(s) {
		return 0, fmt.Errorf("cell reference %q: expected column letters and a row number, such as B7", ref)
	}
	if _, err := strconv.ParseUint(s[i:], 10, 32); err != nil {
		return 0, fmt.Errorf("cell reference %q: expected column letters and a row number, such as B7", ref)
	}
	return col, nil
}

// value is the cell's text: shared and inline strings as written, booleans
// as TRUE and FALSE, dates of type d as Excel's day numbers, and numbers in
// the General format (up to 15 significant digits), whatever the number
// format of the cell's style.
func (c cell) value(sst []string) (string, error) {
	switch c.typ {
	case "s":
		if c.v == "" {
			return "", nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(c.v))
		if err != nil || i < 0 || i >= len(sst) {
			return "", fmt.Errorf("shared string %q: the workbook has %d shared strings", c.v, len(sst))
		}
		return sst[i], nil
	case "inlineStr":
		if c.hasInline {
			return c.inline, nil
		}
		return c.v, nil
	case "str":
		return c.v, nil
	case "b":
		switch c.v {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
		return c.v, nil
	case "d":
		return dateSerial(c.v), nil
	}
	return general(c.v), nil
}

// general is the number s as Excel's General format shows it: plain digits
// without an exponent, rounded to 15 significant digits when it has more.
// Text that is not a number is kept.
func general(s string) string {
	if strings.Contains(s, "_") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	plain := strconv.FormatFloat(f, 'f', -1, 64)
	digits := len(plain) - strings.Count(plain, ".")
	if digits > 15 && !zeroFilledInteger(s) {
		return strconv.FormatFloat(f, 'G', 15, 64)
	}
	return plain
}

// zeroFilledInteger reports whether s is an integer of at most 15
// significant digits followed by zeros.
func zeroFilledInteger(s string) bool {
	if strings.ContainsAny(s, ".Ee") {
		return false
	}
	s = strings.TrimLeft(s, "+-0")
	return len(strings.TrimRight(s, "0")) <= 15
}

// dateSerial is the ISO 8601 date s as Excel's day number (1900 date
// system); text that is not such a date is kept.
func dateSerial(s string) string {
	layout := "20060102T150405.999"
	if strings.HasSuffix(s, "Z") {
		layout = "20060102T150405Z"
		if strings.Contains(s, "-") {
			layout = "2006-01-02T15:04:05Z"
		}
	} else if strings.Contains(s, "-") {
		layout = "2006-01-02 15:04:05Z"
	}
	t, err := time.Parse(layout, strings.ReplaceAll(s, ",", "."))
	if err != nil {
		return s
	}
	// Excel counts a 1900-02-29 that did not exist: from 1900-03-01 day
	// numbers count from 1899-12-30, before it from 1899-12-31.
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
		epoch = epoch.AddDate(0, 0, 1)
	}
	days := t.Sub(epoch).Hours() / 24
	if days < 0 || math.IsInf(days, 0) {
		return s
	}
	return strconv.FormatFloat(days, 'G', 15, 64)
}

// unescapeXstring undoes the escapes of the workbook format in text:
// _xHHHH_ is the character U+HHHH and _x005F_ a literal underscore, so
// that _x005F_x0041_ reads as _x0041_.
func unescapeXstring(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '_' && i+7 <= len(s) && s[i+1] == 'x' && s[i+6] == '_' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
				if v == 0x5F {
					b.WriteByte('_')
				} else if r := rune(v); r < 0xD800 || r > 0xDFFF {
					b.WriteRune(r)
				}
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
