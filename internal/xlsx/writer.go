// Package xlsx writes Office Open XML workbooks (.xlsx) one row at a time.
//
// A Writer sends every row to the zip archive as it is written, so the
// memory of a workbook does not grow with its rows: a sheet is begun with
// its column widths and frozen panes, takes rows in ascending order and is
// finished when the next sheet begins or the workbook is closed. Text is
// stored as inline strings (never as a formula, whatever its first
// character), numbers and booleans as such, and the workbook, styles,
// relationships and document properties are written by Close.
package xlsx

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The limits of a worksheet in Excel.
const (
	// MaxRows is the last row number of a sheet.
	MaxRows = 1 << 20
	// MaxColumns is the last column number of a sheet (XFD).
	MaxColumns = 1 << 14
	// MaxCellChars is the length of the longest text of a cell, in UTF-16
	// code units; longer text is cut there.
	MaxCellChars = 32767
	// MaxSheetNameChars is the length of the longest sheet name.
	MaxSheetNameChars = 31
)

// Properties are the document properties of a workbook (docProps/core.xml).
type Properties struct {
	// Title is the document's title.
	Title string
	// Creator names the author or the application.
	Creator string
	// Created is when the document was made; the zero time leaves it out,
	// so that the same rows always give the same file.
	Created time.Time
}

// Writer writes one workbook. Its methods are not safe for concurrent use.
// After the first error every method returns that error.
type Writer struct {
	zw     *zip.Writer
	props  Properties
	styles styleTable
	sheets []*Sheet
	cur    *Sheet
	active int
	err    error
	closed bool
}

// NewWriter returns a Writer of a workbook to w. Close writes the last parts
// and the zip directory; it does not close w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{zw: zip.NewWriter(w)}
}

// SetProperties sets the document properties written by Close.
func (w *Writer) SetProperties(p Properties) { w.props = p }

// SetActiveSheet makes the sheet of the given index (from 0, in the order
// the sheets are added) the one shown when the workbook opens; by default
// it is the first. It must be called before that sheet is added.
func (w *Writer) SetActiveSheet(index int) error {
	if w.err != nil {
		return w.err
	}
	if index < 0 || index < len(w.sheets) && index != w.active {
		return w.fail(fmt.Errorf("xlsx: active sheet %d: it must be set before the sheet is added", index))
	}
	w.active = index
	return nil
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

// SheetOptions are the settings of a sheet written before its first row.
type SheetOptions struct {
	// ColWidths are the widths of the columns from A, in characters; a
	// width of 0 keeps the default.
	ColWidths []float64
	// FreezeRows is the number of rows at the top kept in view when
	// scrolling (0 for none).
	FreezeRows int
	// FreezeCols is the number of columns at the left kept in view.
	FreezeCols int
}

// Sheet is a worksheet being written. Rows go to the archive as they come.
type Sheet struct {
	w      *Writer
	index  int
	name   string
	bw     *bufio.Writer
	last   int // the last row written
	buf    []byte
	filter string // the autofilter range, such as A1:Q51
	done   bool
}

// NewSheet finishes the sheet being written, if any, and begins a sheet
// named name. Names have 1 to 31 characters, none of []:*?/\, do not begin
// or end with an apostrophe and differ from the other sheets' names
// whatever the case.
func (w *Writer) NewSheet(name string, opts SheetOptions) (*Sheet, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.closed {
		return nil, w.fail(errors.New("xlsx: new sheet after Close"))
	}
	if err := checkSheetName(name); err != nil {
		return nil, w.fail(err)
	}
	for _, s := range w.sheets {
		if strings.EqualFold(s.name, name) {
			return nil, w.fail(fmt.Errorf("xlsx: sheet name %q: the workbook already has a sheet %q", name, s.name))
		}
	}
	if opts.FreezeRows < 0 || opts.FreezeRows >= MaxRows || opts.FreezeCols < 0 || opts.FreezeCols >= MaxColumns {
		return nil, w.fail(fmt.Errorf("xlsx: sheet %q: cannot freeze %d rows and %d columns", name, opts.FreezeRows, opts.FreezeCols))
	}
	if len(opts.ColWidths) > MaxColumns {
		return nil, w.fail(fmt.Errorf("xlsx: sheet %q: %d column widths; a sheet has %d columns", name, len(opts.ColWidths), MaxColumns))
	}
	if err := w.finishSheet(); err != nil {
		return nil, err
	}
	s := &Sheet{w: w, index: len(w.sheets), name: name}
	zf, err := w.zw.CreateHeader(&zip.FileHeader{Name: s.part(), Method: zip.Deflate})
	if err != nil {
		return nil, w.fail(fmt.Errorf("xlsx: sheet %q: %w", name, err))
	}
	s.bw = bufio.NewWriterSize(zf, 64<<10)
	w.sheets = append(w.sheets, s)
	w.cur = s

	b := append(s.buf[:0], xmlHeader...)
	b = append(b, `<worksheet xmlns="`+nsMain+`" xmlns:r="`+nsRel+`"><sheetViews><sheetView workbookViewId="0"`...)
	if s.index == w.active {
		b = append(b, ` tabSelected="1"`...)
	}
	b = append(b, '>')
	if opts.FreezeRows > 0 || opts.FreezeCols > 0 {
		pane := "bottomRight"
		switch {
		case opts.FreezeCols == 0:
			pane = "bottomLeft"
		case opts.FreezeRows == 0:
			pane = "topRight"
		}
		top := CellName(opts.FreezeCols+1, opts.FreezeRows+1)
		b = append(b, `<pane`...)
		if opts.FreezeCols > 0 {
			b = append(b, ` xSplit="`...)
			b = strconv.AppendInt(b, int64(opts.FreezeCols), 10)
			b = append(b, '"')
		}
		if opts.FreezeRows > 0 {
			b = append(b, ` ySplit="`...)
			b = strconv.AppendInt(b, int64(opts.FreezeRows), 10)
			b = append(b, '"')
		}
		b = append(b, ` topLeftCell="`+top+`" activePane="`+pane+`" state="frozen"/><selection pane="`+pane+`" activeCell="`+top+`" sqref="`+top+`"/>`...)
	}
	b = append(b, `</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>`...)
	wrote := false
	for i, wd := range opts.ColWidths {
		if wd == 0 {
			continue
		}
		if wd < 0 || wd > 255 || wd != wd {
			return nil, w.fail(fmt.Errorf("xlsx: sheet %q: column %s width %g; expected 0 to 255", name, ColumnName(i+1), wd))
		}
		if !wrote {
			b = append(b, `<cols>`...)
			wrote = true
		}
		b = append(b, `<col min="`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `" max="`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `" width="`...)
		b = strconv.AppendFloat(b, wd, 'f', -1, 64)
		b = append(b, `" customWidth="1"/>`...)
	}
	if wrote {
		b = append(b, `</cols>`...)
	}
	b = append(b, `<sheetData>`...)
	s.buf = b
	if _, err := s.bw.Write(b); err != nil {
		return nil, w.fail(fmt.Errorf("xlsx: sheet %q: %w", name, err))
	}
	return s, nil
}

// part is the sheet's path in the archive.
func (s *Sheet) part() string { return "xl/worksheets/sheet" + strconv.Itoa(s.index+1) + ".xml" }

// Name is the sheet's name.
func (s *Sheet) Name() string { return s.name }

func (s *Sheet) usable() error {
	if s.w.err != nil {
		return s.w.err
	}
	if s.done {
		return s.w.fail(fmt.Errorf("xlsx: sheet %q is finished: a sheet takes rows until the next one begins", s.name))
	}
	return nil
}

// WriteRow writes the cells of row (from 1) from column A. Rows must come
// in ascending order; rows left out stay blank. An empty cell without a
// style is not written.
func (s *Sheet) WriteRow(row int, cells ...Cell) error {
	if err := s.usable(); err != nil {
		return err
	}
	if row <= s.last || row > MaxRows {
		return s.w.fail(fmt.Errorf("xlsx: sheet %q: row %d after row %d; rows go in ascending order from 1 to %d", s.name, row, s.last, MaxRows))
	}
	if len(cells) > MaxColumns {
		return s.w.fail(fmt.Errorf("xlsx: sheet %q: row %d has %d cells; a row has at most %d", s.name, row, len(cells), MaxColumns))
	}
	s.last = row
	rowNum := strconv.Itoa(row)
	b := append(s.buf[:0], `<row r="`...)
	b = append(b, rowNum...)
	b = append(b, `">`...)
	for i, c := range cells {
		if c.kind == kindEmpty && c.style == 0 {
			continue
		}
		if c.style < 0 || int(c.style) > len(s.w.styles.list) {
			return s.w.fail(fmt.Errorf("xlsx: sheet %q: cell %s%s: no style %d", s.name, ColumnName(i+1), rowNum, c.style))
		}
		b = append(b, `<c r="`...)
		b = appendColumnName(b, i+1)
		b = append(b, rowNum...)
		b = append(b, '"')
		if c.style != 0 {
			b = append(b, ` s="`...)
			b = strconv.AppendInt(b, int64(c.style), 10)
			b = append(b, '"')
		}
		switch c.kind {
		case kindEmpty:
			b = append(b, `/>`...)
		case kindNumber:
			b = append(b, `><v>`...)
			b = appendNumber(b, c.num)
			b = append(b, `</v></c>`...)
		case kindBool:
			b = append(b, ` t="b"><v>`...)
			if c.num != 0 {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
			b = append(b, `</v></c>`...)
		default:
			b = append(b, ` t="inlineStr"><is><t`...)
			if needsPreserve(c.str) {
				b = append(b, ` xml:space="preserve"`...)
			}
			b = append(b, '>')
			b = AppendText(b, c.str)
			b = append(b, `</t></is></c>`...)
		}
	}
	b = append(b, `</row>`...)
	s.buf = b
	if _, err := s.bw.Write(b); err != nil {
		return s.w.fail(fmt.Errorf("xlsx: sheet %q: %w", s.name, err))
	}
	if cap(s.buf) > 1<<20 {
		s.buf = nil // one huge row must not keep its buffer for the rest
	}
	return nil
}

// SetAutoFilter puts filter buttons on the header row of the range from
// column col1 of row row1 to column col2 of row row2 (from 1). It may be
// called at any time before the sheet is finished.
func (s *Sheet) SetAutoFilter(col1, row1, col2, row2 int) error {
	if err := s.usable(); err != nil {
		return err
	}
	if col1 < 1 || row1 < 1 || col2 < col1 || row2 < row1 || col2 > MaxColumns || row2 > MaxRows {
		return s.w.fail(fmt.Errorf("xlsx: sheet %q: autofilter from column %d row %d to column %d row %d is not a range", s.name, col1, row1, col2, row2))
	}
	s.filter = CellName(col1, row1) + ":" + CellName(col2, row2)
	return nil
}

// finishSheet ends the sheet being written, if any.
func (w *Writer) finishSheet() error {
	s := w.cur
	if s == nil {
		return nil
	}
	w.cur, s.done = nil, true
	b := append(s.buf[:0], `</sheetData>`...)
	if s.filter != "" {
		b = append(b, `<autoFilter ref="`+s.filter+`"/>`...)
	}
	b = append(b, `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`...)
	s.buf = nil
	if _, err := s.bw.Write(b); err != nil {
		return w.fail(fmt.Errorf("xlsx: sheet %q: %w", s.name, err))
	}
	if err := s.bw.Flush(); err != nil {
		return w.fail(fmt.Errorf("xlsx: sheet %q: %w", s.name, err))
	}
	s.bw = nil
	return nil
}

// Close finishes the last sheet and writes the workbook, its styles,
// relationships, content types and document properties, and the zip
// directory. A workbook needs at least one sheet.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return nil
	}
	if len(w.sheets) == 0 {
		return w.fail(errors.New("xlsx: a workbook needs at least one sheet"))
	}
	if w.active >= len(w.sheets) {
		return w.fail(fmt.Errorf("xlsx: active sheet %d: the workbook has %d sheets", w.active, len(w.sheets)))
	}
	if err := w.finishSheet(); err != nil {
		return err
	}
	w.closed = true
	parts := []struct {
		name string
		body []byte
	}{
		{"xl/workbook.xml", w.workbook()},
		{"xl/_rels/workbook.xml.rels", w.workbookRels()},
		{"xl/styles.xml", w.styles.xml()},
		{"docProps/core.xml", w.core()},
		{"docProps/app.xml", w.app()},
		{"_rels/.rels", []byte(xmlHeader + rootRels)},
		{"[Content_Types].xml", w.contentTypes()},
	}
	for _, p := range parts {
		f, err := w.zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate})
		if err != nil {
			return w.fail(fmt.Errorf("xlsx: %s: %w", p.name, err))
		}
		if _, err := f.Write(p.body); err != nil {
			return w.fail(fmt.Errorf("xlsx: %s: %w", p.name, err))
		}
	}
	if err := w.zw.Close(); err != nil {
		return w.fail(fmt.Errorf("xlsx: %w", err))
	}
	return nil
}

// checkSheetName returns why name cannot name a sheet, or nil.
func checkSheetName(name string) error {
	switch {
	case name == "":
		return errors.New("xlsx: a sheet name cannot be empty")
	case !utf8.ValidString(name):
		return fmt.Errorf("xlsx: sheet name %q is not valid UTF-8", name)
	case utf8.RuneCountInString(name) > MaxSheetNameChars:
		return fmt.Errorf("xlsx: sheet name %q has %d characters; the limit is %d", name, utf8.RuneCountInString(name), MaxSheetNameChars)
	case strings.ContainsAny(name, `[]:*?/\`):
		return fmt.Errorf(`xlsx: sheet name %q: a sheet name cannot contain any of []:*?/\`, name)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return fmt.Errorf("xlsx: sheet name %q: a sheet name cannot begin or end with an apostrophe", name)
	case strings.EqualFold(name, "History"):
		return fmt.Errorf("xlsx: sheet name %q is reserved by Excel", name)
	}
	for _, r := range name {
		if !validXMLChar(r) {
			return fmt.Errorf("xlsx: sheet name %q has the character %U, which XML cannot hold", name, r)
		}
	}
	return nil
}
