// Package powerpipe reads the control results of Powerpipe (powerpipe
// benchmark run --output json|csv) and of Steampipe (steampipe check
// --output json|csv): a tree of benchmark groups whose controls carry one
// result per resource. Every result is a finding with check ID
// powerpipe:<control_id>; status ok is pass, alarm is fail, and skip, info
// and error are other. The account_id and region dimensions give the account
// and region.
package powerpipe

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/csmm/csmm/internal/evidence"
)

// CheckID returns the canonical ID of a control.
func CheckID(control string) string { return "powerpipe:" + control }

type group struct {
	GroupID  string    `json:"group_id"`
	Groups   []group   `json:"groups"`
	Controls []control `json:"controls"`
}

type control struct {
	ControlID *string  `json:"control_id"`
	Results   []result `json:"results"`
}

type result struct {
	Resource   string  `json:"resource"`
	Status     *string `json:"status"`
	Dimensions []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"dimensions"`
}

func status(s string) (evidence.Status, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ok":
		return evidence.Pass, true
	case "alarm":
		return evidence.Fail, true
	case "skip", "info", "error":
		return evidence.Other, true
	}
	return evidence.Other, false
}

const statusWords = "ok, alarm, skip, info or error"

// ReadJSON reads the JSON output: the root group of the benchmark run. The
// tree of groups is decoded whole (its results only: the other fields are
// skipped), then walked.
func ReadJSON(file string, r io.Reader, emit evidence.Emit) error {
	dec := evidence.NewJSONDecoder(r)
	var root group
	if err := evidence.DecodeRecord(dec, &root); err != nil {
		return evidence.JSONError(file, 0, 0, err)
	}
	if err := evidence.JSONEnd(file, dec); err != nil {
		return err
	}
	n := 0
	if err := walk(&root, "", &n, emit); err != nil {
		if pe, ok := errors.AsType[*evidence.ParseError](err); ok {
			pe.File = file
		}
		return err
	}
	return nil
}

func walk(g *group, path string, n *int, emit evidence.Emit) error {
	for i := range g.Controls {
		c := &g.Controls[i]
		cpath := fmt.Sprintf("%scontrols[%d]", path, i)
		if c.ControlID == nil || *c.ControlID == "" {
			return &evidence.ParseError{Record: *n + 1, Field: cpath + ".control_id", Message: "missing; expected the control's name"}
		}
		for j, r := range c.Results {
			if r.Status == nil {
				return &evidence.ParseError{Record: *n + 1, Field: fmt.Sprintf("%s.results[%d].status", cpath, j), Message: "missing; expected " + statusWords}
			}
			st, ok := status(*r.Status)
			if !ok {
				return &evidence.ParseError{Record: *n + 1, Field: fmt.Sprintf("%s.results[%d].status", cpath, j), Message: fmt.Sprintf("%q; expected %s", *r.Status, statusWords)}
			}
			fd := evidence.Finding{CheckID: CheckID(*c.ControlID), Resource: r.Resource, Status: st}
			for _, d := range r.Dimensions {
				switch d.Key {
				case "account_id":
					fd.Account = d.Value
				case "region":
					fd.Region = d.Value
				}
			}
			*n++
			if err := emit(fd); err != nil {
				return err
			}
		}
	}
	for i := range g.Groups {
		if err := walk(&g.Groups[i], fmt.Sprintf("%sgroups[%d].", path, i), n, emit); err != nil {
			return err
		}
	}
	return nil
}

// ReadCSV reads the CSV output: one row per result with control_id,
// resource, status and a column per dimension.
func ReadCSV(file string, r io.Reader, emit evidence.Emit) error {
	cr, err := evidence.NewCSVReader(file, r)
	if err != nil {
		return err
	}
	if !evidence.HasColumns(cr.Columns, "control_id", "status", "resource") {
		return &evidence.ParseError{File: file, Line: 1, Message: "expected a Powerpipe CSV header with control_id, resource and status"}
	}
	return cr.Each(func(r evidence.CSVRow) error {
		c := r.Value("control_id")
		if c == "" {
			return &evidence.FieldError{Field: "control_id", Message: "empty; expected the control's name"}
		}
		st, ok := status(r.Value("status"))
		if !ok {
			return &evidence.FieldError{Field: "status", Message: fmt.Sprintf("%q; expected %s", r.Value("status"), statusWords)}
		}
		return emit(evidence.Finding{
			CheckID: CheckID(c), Resource: r.Value("resource"),
			Account: r.Value("account_id"), Region: r.Value("region"), Status: st,
		})
	})
}
