// Package spreadsheet reads the rows of a user's spreadsheet (.xlsx, .xlsm
// or .csv) within fixed limits, so that a small zip bomb or a huge CSV file
// is refused with an error naming the limit instead of exhausting memory.
// csmm model import reads its objectives through it.
package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The limits of every spreadsheet read.
const (
	// MaxFileBytes bounds the file as stored (zipped for a workbook).
	MaxFileBytes = 16 << 20
	// MaxUnzippedBytes bounds what all the parts of a workbook unpack to.
	MaxUnzippedBytes = 16 << 20
	// MaxRows bounds the rows read, blank ones included.
	MaxRows = 10_000
	// MaxColumns bounds the cells of one row.
	MaxColumns = 256
	// MaxCellBytes bounds one cell (Excel's own limit is 32,767 characters).
	MaxCellBytes = 32 << 10
)

// Sheet is the rows of one sheet, with a name for messages.
type Sheet struct {
	// Name is the file name, and for a workbook the sheet's: "f.xlsx (sheet Objectives)".
	Name string
	Rows [][]string
}

// LimitError is a spreadsheet refused for breaking one of the limits.
type LimitError struct {
	File string
	// Limit is the name of the constant broken, such as "MaxRows".
	Limit   string
	Message string
}

func (e *LimitError) Error() string { return e.File + ": " + e.Message }

// Read reads the sheet sheetName (the first sheet when "") of a workbook,
// or the rows of a CSV file, by the file's extension.
func Read(path, sheetName string) (*Sheet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read spreadsheet: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxFileBytes {
		return nil, tooLarge(path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read spreadsheet: %w", err)
	}
	return ReadBytes(path, data, sheetName)
}

// ReadBytes is Read of a file's contents; name gives the format by its
// extension and names the file in messages.
func ReadBytes(name string, data []byte, sheetName string) (sh *Sheet, err error) {
	if len(data) > MaxFileBytes {
		return nil, tooLarge(name)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return readCSV(name, data)
	case ".xlsx", ".xlsm":
		defer func() {
			// A malformed workbook must not take the process down with it.
			if r := recover(); r != nil {
				sh, err = nil, fmt.Errorf("%s: the workbook could not be read: %v", name, r)
			}
		}()
		return readXLSX(name, data, sheetName)
	}
	return nil, fmt.Errorf("%s: expected a .xlsx, .xlsm or .csv file", name)
}

func tooLarge(name string) error {
	return &LimitError{File: name, Limit: "MaxFileBytes",
		Message: fmt.Sprintf("the file is larger than the limit of %d MiB", MaxFileBytes>>20)}
}

func readCSV(name string, data []byte) (*Sheet, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	sh := &Sheet{Name: name}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return sh, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := sh.add(rec); err != nil {
			return nil, err
		}
	}
}

// add appends a row, checking the row, column and cell limits.
func (sh *Sheet) add(row []string) error {
	n := len(sh.Rows) + 1
	if n > MaxRows {
		return &LimitError{File: sh.Name, Limit: "MaxRows",
			Message: fmt.Sprintf("more than %d rows; the limit is %d rows", MaxRows, MaxRows)}
	}
	if len(row) > MaxColumns {
		return &LimitError{File: sh.Name, Limit: "MaxColumns",
			Message: fmt.Sprintf("row %d has %d cells; the limit is %d cells in a row", n, len(row), MaxColumns)}
	}
	for i, c := range row {
		if len(c) > MaxCellBytes {
			return &LimitError{File: sh.Name, Limit: "MaxCellBytes",
				Message: fmt.Sprintf("row %d, cell %d has %d bytes; the limit is %d bytes in a cell", n, i+1, len(c), MaxCellBytes)}
		}
	}
	sh.Rows = append(sh.Rows, row)
	return nil
}
