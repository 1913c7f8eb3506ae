// Package load reads a scanner file in any supported format: it tells the
// format from the content (not the file name) and hands the file to the
// package of that format. It is the entry point for the command line and
// the server.
package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"unicode/utf8"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/asff"
	"github.com/csmm/csmm/internal/evidence/csmmcollect"
	"github.com/csmm/csmm/internal/evidence/genericcsv"
	"github.com/csmm/csmm/internal/evidence/powerpipe"
	"github.com/csmm/csmm/internal/evidence/prowler"
)

// ReadFile reads the scanner file at path.
func ReadFile(path string) (*evidence.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read evidence: %w", err)
	}
	return Parse(path, data)
}

// Parse detects the format of data, read from the file name, and reads its
// findings. It returns an *evidence.UnsupportedError (errors.Is
// evidence.ErrUnsupported) for a file of another tool and an
// *evidence.ParseError locating anything malformed.
func Parse(name string, data []byte) (*evidence.File, error) {
	f, err := Detect(name, data)
	if err != nil {
		return nil, err
	}
	return ParseAs(name, data, f)
}

// ParseAs reads data in the given format, without detection.
func ParseAs(name string, data []byte, f evidence.Format) (*evidence.File, error) {
	var (
		findings []evidence.Finding
		err      error
	)
	switch f {
	case evidence.ProwlerOCSF:
		findings, err = prowler.ParseOCSF(name, data)
	case evidence.ProwlerCSV:
		findings, err = prowler.ParseCSV(name, data)
	case evidence.ProwlerJSON:
		findings, err = prowler.ParseJSON(name, data)
	case evidence.ASFF:
		findings, err = asff.Parse(name, data)
	case evidence.Powerpipe:
		if b, _ := first(data); b == '{' {
			findings, err = powerpipe.ParseJSON(name, data)
		} else {
			findings, err = powerpipe.ParseCSV(name, data)
		}
	case evidence.GenericCSV:
		findings, err = genericcsv.Parse(name, data)
	case csmmcollect.Format:
		findings, err = csmmcollect.Parse(name, data)
	default:
		return nil, &evidence.UnsupportedError{File: name, What: fmt.Sprintf("format %q", f)}
	}
	if err != nil {
		return nil, err
	}
	if findings == nil {
		findings = []evidence.Finding{}
	}
	return &evidence.File{Path: name, Format: f, Findings: findings}, nil
}

// first returns the first byte of data that is not white space or a byte
// order mark; ok is false when there is none.
func first(data []byte) (b byte, ok bool) {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	if len(data) == 0 {
		return 0, false
	}
	return data[0], true
}

// Detect tells the format of a scanner file from its content: the shape of
// its first JSON record, or its CSV header.
func Detect(name string, data []byte) (evidence.Format, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	b, ok := first(data)
	switch {
	case !ok:
		return "", &evidence.ParseError{File: name, Message: "the file is empty; expected scanner findings"}
	case b == '[' || b == '{':
		return detectJSON(name, data)
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("scoutsuite_results")) {
		return "", &evidence.UnsupportedError{File: name, What: "ScoutSuite results"}
	}
	return detectCSV(name, data)
}

func detectCSV(name string, data []byte) (evidence.Format, error) {
	if !isText(data) {
		return "", &evidence.UnsupportedError{File: name, What: "neither JSON nor text"}
	}
	cols, _ := evidence.CSVHeader(data)
	switch {
	case evidence.HasColumns(cols, "CHECK_ID", "STATUS", "PROVIDER"),
		evidence.HasColumns(cols, "TITLE_ID", "CHECK_RESULT"):
		return evidence.ProwlerCSV, nil
	case evidence.HasColumns(cols, "control_id", "status", "resource", "reason"):
		return evidence.Powerpipe, nil
	case genericcsv.Detect(cols):
		return evidence.GenericCSV, nil
	}
	return "", &evidence.UnsupportedError{File: name, What: "not JSON, and no CSV header with the columns check and status"}
}

// isText reports whether the first bytes of data hold no NUL and are UTF-8
// (a character cut at the end of those bytes aside).
func isText(data []byte) bool {
	head := data[:min(len(data), 4096)]
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for cut := 0; cut < 4 && cut <= len(head); cut++ {
		if utf8.Valid(head[:len(head)-cut]) {
			return true
		}
		if len(head) < 4096 {
			return false
		}
	}
	return false
}

// detectJSON looks at the first JSON value of data: an object, or the first
// element of a list.
func detectJSON(name string, data []byte) (evidence.Format, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return "", evidence.JSONError(name, data, 0, 0, err)
	}
	if tok == json.Delim('{') {
		// Decode the whole object from the start for its keys.
		var obj map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&obj); err != nil {
			return "", evidence.JSONError(name, data, 0, 0, err)
		}
		return detectObject(name, obj)
	}
	if !dec.More() {
		if _, err := dec.Token(); err != nil {
			return "", evidence.JSONError(name, data, 0, 0, err)
		}
		return "", &evidence.ParseError{File: name, Line: 1, Message: "the file holds an empty list: no findings to read"}
	}
	start := dec.InputOffset()
	var elem json.RawMessage
	if err := dec.Decode(&elem); err != nil {
		return "", evidence.JSONError(name, data, start, 1, err)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(elem, &obj) != nil {
		line, col := evidence.Position(data, start)
		return "", &evidence.ParseError{File: name, Line: line, Column: col, Record: 1, Message: "expected a JSON object for each finding"}
	}
	return detectRecord(name, obj)
}

func has(obj map[string]json.RawMessage, keys ...string) bool {
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			return false
		}
	}
	return true
}

// detectObject tells the format of a file whose top level is an object.
func detectObject(name string, obj map[string]json.RawMessage) (evidence.Format, error) {
	switch {
	case csmmcollect.Detect(obj):
		return csmmcollect.Format, nil
	case has(obj, "Findings"), has(obj, "findings"):
		return evidence.ASFF, nil
	case has(obj, "group_id") && (has(obj, "controls") || has(obj, "groups")):
		return evidence.Powerpipe, nil
	case has(obj, "Control ID", "Status"), has(obj, "Control", "Status", "Account Number"):
		return evidence.ProwlerJSON, nil // Prowler 2 JSON Lines
	case has(obj, "ArtifactName"), has(obj, "SchemaVersion", "Results"):
		return "", &evidence.UnsupportedError{File: name, What: "Trivy JSON report"}
	case has(obj, "check_type", "results"):
		return "", &evidence.UnsupportedError{File: name, What: "Checkov report"}
	case has(obj, "Framework", "Requirements"):
		return "", &evidence.UnsupportedError{File: name, What: "Prowler compliance framework definition, not findings"}
	case has(obj, "SchemaVersion", "GeneratorId"):
		return "", &evidence.ParseError{File: name, Line: 1, Message: `a single ASFF finding; expected a list of findings or {"Findings": [...]}`}
	}
	return "", &evidence.UnsupportedError{File: name, What: "a JSON object of unknown shape"}
}

// detectRecord tells the format of a file that is a list from its first element.
func detectRecord(name string, obj map[string]json.RawMessage) (evidence.Format, error) {
	switch {
	case has(obj, "SchemaVersion", "GeneratorId"):
		return evidence.ASFF, nil
	case has(obj, "status_code", "finding_info"), has(obj, "status_code", "metadata"):
		return evidence.ProwlerOCSF, nil
	case has(obj, "CheckID", "Status"):
		return evidence.ProwlerJSON, nil
	case has(obj, "check_type", "results"):
		return "", &evidence.UnsupportedError{File: name, What: "Checkov report"}
	}
	return "", &evidence.UnsupportedError{File: name, What: "a JSON list of records of unknown shape"}
}
