// Package csmmcollect reads the evidence of `csmm collect` (format
// csmm-collect/1, see docs/formats-collect.md): each result is a finding
// with its check, resource, account, region and scope; each part that could
// not be read is, for every check it left unevaluated, a finding of status
// other (counted and shown, never scored).
package csmmcollect

import (
	"fmt"
	"io"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/csmm/csmm/internal/evidence"
)

// Format is the evidence format name of a collection.
const Format = evidence.CSMMCollect

// version is the only document version this package reads.
const version = "csmm-collect/1"

// Detect reports whether the keys of a JSON object are those of a
// collection: a format field and a list of results or of parts not read.
// The version itself is checked by Read.
func Detect(keys map[string]bool) bool {
	return keys["format"] && (keys["results"] || keys["not_evaluated"])
}

type result struct {
	Check    string `json:"check"`
	Resource string `json:"resource"`
	Account  string `json:"account"`
	Region   string `json:"region"`
	Status   string `json:"status"`
	Scope    string `json:"scope"`
}

type gap struct {
	Account string   `json:"account"`
	Region  string   `json:"region"`
	Checks  []string `json:"checks"`
	Scope   string   `json:"scope"`
	Reason  string   `json:"reason"`
}

// Read hands the findings of a collection to emit one at a time, as it
// decodes them from r, without holding the document. Errors are
// *evidence.ParseError naming the byte, the record and the field.
func Read(file string, r io.Reader, emit evidence.Emit) error {
	dec := evidence.NewJSONDecoder(r)
	tok, err := dec.ReadToken()
	if err != nil {
		return evidence.JSONError(file, 0, 0, err)
	}
	if tok.Kind() != '{' {
		return &evidence.ParseError{File: file, Byte: 1, Message: "expected a JSON object with the field format: " + version}
	}
	seenFormat := false
	// scanned is the document's scan_time, the time of every result that
	// follows it (csmm collect writes it before the results).
	var scanned time.Time
	for dec.PeekKind() != '}' {
		at := dec.InputOffset()
		keyTok, err := dec.ReadToken()
		if err != nil {
			return evidence.JSONError(file, at, 0, err)
		}
		switch keyTok.String() {
		case "format":
			at := evidence.NextStart(dec)
			var f string
			if err := evidence.DecodeRecord(dec, &f); err != nil {
				return evidence.JSONError(file, at, 0, err)
			}
			if f != version {
				return &evidence.ParseError{File: file, Byte: at + 1, Field: "format",
					Message: fmt.Sprintf("unsupported version %q; this csmm reads %s", f, version)}
			}
			seenFormat = true
		case "scan_time":
			at := evidence.NextStart(dec)
			var st string
			if err := evidence.DecodeRecord(dec, &st); err != nil {
				return evidence.JSONError(file, at, 0, err)
			}
			t, err := time.Parse(time.RFC3339, st)
			if err != nil {
				return &evidence.ParseError{File: file, Byte: at + 1, Field: "scan_time",
					Message: fmt.Sprintf("%q; expected a time such as 2026-12-01T12:00:00Z", st)}
			}
			scanned = t
		case "results":
			var rec result
			if err := eachElement(file, dec, "results", func(at int64, n int) error {
				rec = result{}
				if err := evidence.DecodeRecord(dec, &rec); err != nil {
					return evidence.JSONError(file, at, n, err)
				}
				f, msg, field := rec.finding()
				if msg != "" {
					return &evidence.ParseError{File: file, Byte: at + 1, Record: n, Field: field, Message: msg}
				}
				f.Time = scanned
				return emit(f)
			}); err != nil {
				return err
			}
		case "not_evaluated":
			var g gap
			if err := eachElement(file, dec, "not_evaluated", func(at int64, n int) error {
				g = gap{}
				if err := evidence.DecodeRecord(dec, &g); err != nil {
					return evidence.JSONError(file, at, n, err)
				}
				res := g.Account
				if g.Region != "" {
					res += "/" + g.Region
				}
				for _, c := range g.Checks {
					if err := emit(evidence.Finding{CheckID: c, Resource: res, Account: g.Account, Region: g.Region,
						Status: evidence.Other, Scope: g.Scope}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
		default:
			at := evidence.NextStart(dec)
			if err := dec.SkipValue(); err != nil {
				return evidence.JSONError(file, at, 0, err)
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return evidence.JSONError(file, dec.InputOffset(), 0, err)
	}
	if !seenFormat {
		return &evidence.ParseError{File: file, Byte: 1, Field: "format", Message: "missing; expected " + version}
	}
	return nil
}

// eachElement walks the list that is the next value of dec (null is an empty
// list), calling fn with the offset and 1-based index of each element before
// it is decoded.
func eachElement(file string, dec *jsontext.Decoder, key string, fn func(at int64, n int) error) error {
	at := evidence.NextStart(dec)
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return err
	}
	if dec.PeekKind() != '[' {
		return &evidence.ParseError{File: file, Byte: at + 1, Field: key, Message: "expected a list"}
	}
	if _, err := dec.ReadToken(); err != nil {
		return evidence.JSONError(file, at, 0, err)
	}
	for n := 1; dec.PeekKind() != ']'; n++ {
		if dec.PeekKind() == 0 {
			_, err := dec.ReadToken()
			return evidence.JSONError(file, dec.InputOffset(), n, err)
		}
		if err := fn(evidence.NextStart(dec), n); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// finding turns a result into a finding, or says which field is wrong.
func (r result) finding() (evidence.Finding, string, string) {
	if r.Check == "" {
		return evidence.Finding{}, "missing; expected a check ID such as csmm:aws:guardduty_enabled", "check"
	}
	var st evidence.Status
	switch r.Status {
	case "pass":
		st = evidence.Pass
	case "fail":
		st = evidence.Fail
	default:
		return evidence.Finding{}, fmt.Sprintf("%q; expected pass or fail", r.Status), "status"
	}
	return evidence.Finding{CheckID: r.Check, Resource: r.Resource, Account: r.Account, Region: r.Region, Status: st, Scope: r.Scope}, "", ""
}
