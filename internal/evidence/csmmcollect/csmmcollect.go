// Package csmmcollect reads the evidence of `csmm collect` (format
// csmm-collect/1, see docs/formats-collect.md): each result is a finding
// with its check, resource, account, region and scope; each part that could
// not be read is, for every check it left unevaluated, a finding of status
// other (counted and shown, never scored).
package csmmcollect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/csmm/csmm/internal/evidence"
)

// Format is the evidence format name of a collection.
const Format = evidence.CSMMCollect

// version is the only document version this package reads.
const version = "csmm-collect/1"

// Detect reports whether a JSON object's keys are those of a collection:
// a format field naming csmm-collect.
func Detect(obj map[string]json.RawMessage) bool {
	var f string
	return json.Unmarshal(obj["format"], &f) == nil && strings.HasPrefix(f, "csmm-collect/")
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

// Parse reads the findings of a collection. Errors are *evidence.ParseError
// naming the line, the record and the field.
func Parse(name string, data []byte) ([]evidence.Finding, error) {
	var out []evidence.Finding
	err := Read(name, data, func(f evidence.Finding) error {
		out = append(out, f)
		return nil
	})
	return out, err
}

// Read hands the findings of a collection to yield one at a time, as it
// decodes them, without holding the document's records.
func Read(name string, data []byte, yield func(evidence.Finding) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return evidence.JSONError(name, data, 0, 0, err)
	}
	if tok != json.Delim('{') {
		return &evidence.ParseError{File: name, Line: 1, Message: "expected a JSON object with the field format: " + version}
	}
	seenFormat := false
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			return evidence.JSONError(name, data, dec.InputOffset(), 0, err)
		}
		key, _ := keyTok.(string)
		switch key {
		case "format":
			var f string
			at := dec.InputOffset()
			if err := dec.Decode(&f); err != nil {
				return evidence.JSONError(name, data, at, 0, err)
			}
			if f != version {
				line, col := evidence.Position(data, skip(data, at))
				return &evidence.ParseError{File: name, Line: line, Column: col, Field: "format",
					Message: fmt.Sprintf("unsupported version %q; this csmm reads %s", f, version)}
			}
			seenFormat = true
		case "results":
			if err := eachElement(name, data, dec, "results", func(at int64, rec int) error {
				var r result
				if err := dec.Decode(&r); err != nil {
					return evidence.JSONError(name, data, at, rec, err)
				}
				f, msg, field := r.finding()
				if msg != "" {
					line, col := evidence.Position(data, skip(data, at))
					return &evidence.ParseError{File: name, Line: line, Column: col, Record: rec, Field: field, Message: msg}
				}
				return yield(f)
			}); err != nil {
				return err
			}
		case "not_evaluated":
			if err := eachElement(name, data, dec, "not_evaluated", func(at int64, rec int) error {
				var g gap
				if err := dec.Decode(&g); err != nil {
					return evidence.JSONError(name, data, at, rec, err)
				}
				for _, c := range g.Checks {
					res := g.Account
					if g.Region != "" {
						res += "/" + g.Region
					}
					if err := yield(evidence.Finding{CheckID: c, Resource: res, Account: g.Account, Region: g.Region,
						Status: evidence.Other, Scope: g.Scope}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
		default:
			var skipped json.RawMessage
			at := dec.InputOffset()
			if err := dec.Decode(&skipped); err != nil {
				return evidence.JSONError(name, data, at, 0, err)
			}
		}
	}
	if !seenFormat {
		return &evidence.ParseError{File: name, Line: 1, Field: "format", Message: "missing; expected " + version}
	}
	return nil
}

// eachElement walks the list that is the value of key, calling fn with the
// offset and 1-based index of each element before it is decoded.
func eachElement(name string, data []byte, dec *json.Decoder, key string, fn func(at int64, rec int) error) error {
	at := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return evidence.JSONError(name, data, at, 0, err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		line, col := evidence.Position(data, skip(data, at))
		return &evidence.ParseError{File: name, Line: line, Column: col, Field: key, Message: "expected a list"}
	}
	for rec := 1; dec.More(); rec++ {
		if err := fn(dec.InputOffset(), rec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return evidence.JSONError(name, data, dec.InputOffset(), 0, err)
	}
	return nil
}

// skip returns the offset of the first byte after at that is not white
// space or a separator: where the value starts.
func skip(data []byte, at int64) int64 {
	for at < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[at]) >= 0 {
		at++
	}
	return at
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
