package load

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/csmmcollect"
	"github.com/csmm/csmm/internal/evidence/genericcsv"
	"github.com/csmm/csmm/internal/evidence/scoutsuite"
	"github.com/go-json-experiment/json/jsontext"
)

// first returns the first byte of data that is not white space or a byte
// order mark; ok is false when there is none.
func first(data []byte) (b byte, ok bool) {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	if len(data) == 0 {
		return 0, false
	}
	return data[0], true
}

// Detect tells the format of a scanner file from the first bytes of its
// content (head, up to a megabyte, may end anywhere): the keys of its
// top-level object or first JSON record, or its CSV header.
func Detect(name string, head []byte) (evidence.Format, error) {
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	b, ok := first(head)
	switch {
	case !ok:
		return "", &evidence.ParseError{File: name, Message: "the file is empty; expected scanner findings"}
	case b == '[' || b == '{':
		return detectJSON(name, head)
	}
	trimmed := bytes.TrimSpace(head)
	if bytes.HasPrefix(trimmed, []byte("scoutsuite_results")) {
		return evidence.ScoutSuite, nil
	}
	return detectCSV(name, head)
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

// keys reads the keys of the object the decoder is in, skipping their
// values, until the object ends or head does; complete is false when head
// ends first.
func keys(dec *jsontext.Decoder) (map[string]bool, bool, error) {
	out := map[string]bool{}
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return out, false, nil
			}
			return out, false, err
		}
		if tok.Kind() == '}' {
			return out, true, nil
		}
		out[tok.String()] = true
		if err := dec.SkipValue(); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return out, false, nil
			}
			return out, false, err
		}
	}
}

// detectJSON looks at the first JSON value of head: an object, or the first
// element of a list.
func detectJSON(name string, head []byte) (evidence.Format, error) {
	dec := evidence.NewJSONDecoder(bytes.NewReader(head))
	tok, err := dec.ReadToken()
	if err != nil {
		return "", evidence.JSONError(name, dec.InputOffset(), 0, err)
	}
	if tok.Kind() == '{' {
		obj, _, err := keys(dec)
		if err != nil {
			return "", evidence.JSONError(name, 0, 0, err)
		}
		return detectObject(name, obj)
	}
	switch dec.PeekKind() {
	case ']':
		return "", &evidence.ParseError{File: name, Line: 1, Message: "the file holds an empty list: no findings to read"}
	case '{':
	case 0:
		_, err := dec.ReadToken()
		if err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
			return "", &evidence.ParseError{File: name, Byte: int64(len(head)) + 1, Record: 1, Message: "invalid JSON: the file ends in the middle of a value"}
		}
		return "", evidence.JSONError(name, dec.InputOffset(), 1, err)
	default:
		_, err := dec.ReadValue()
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return "", evidence.JSONError(name, dec.InputOffset(), 1, err)
		}
		return "", &evidence.ParseError{File: name, Byte: int64(bytes.IndexByte(head, '[')) + 2 + int64(len(bytes.TrimLeft(head[bytes.IndexByte(head, '[')+1:], " \t\r\n"))-len(head[bytes.IndexByte(head, '[')+1:])), Record: 1, Message: "expected a JSON object for each finding"}
	}
	start := dec.InputOffset()
	if _, err := dec.ReadToken(); err != nil {
		return "", evidence.JSONError(name, start, 1, err)
	}
	obj, _, err := keys(dec)
	if err != nil {
		return "", evidence.JSONError(name, start, 1, err)
	}
	return detectRecord(name, obj)
}

func has(obj map[string]bool, keys ...string) bool {
	for _, k := range keys {
		if !obj[k] {
			return false
		}
	}
	return true
}

// detectObject tells the format of a file whose top level is an object.
func detectObject(name string, obj map[string]bool) (evidence.Format, error) {
	switch {
	case csmmcollect.Detect(obj):
		return csmmcollect.Format, nil
	case has(obj, "Findings"), has(obj, "findings") && !has(obj, "services"):
		return evidence.ASFF, nil
	case has(obj, "group_id") && (has(obj, "controls") || has(obj, "groups") || has(obj, "summary") || has(obj, "title")):
		return evidence.Powerpipe, nil
	case has(obj, "Control ID", "Status"), has(obj, "Control", "Status", "Account Number"):
		return evidence.ProwlerJSON, nil // Prowler 2 JSON Lines
	case has(obj, "provider_code", "services"), has(obj, "provider_code", "last_run"):
		return evidence.ScoutSuite, nil
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
func detectRecord(name string, obj map[string]bool) (evidence.Format, error) {
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

var _ = scoutsuite.Prefix
