// Package scoutsuite reads the results of ScoutSuite
// (https://github.com/nccgroup/ScoutSuite): the scoutsuite_results_*.js file
// of its report folder, a JSON object after the JavaScript prefix
// "scoutsuite_results =" (the prefix is optional).
//
// ScoutSuite evaluates rules per service: services.<service>.findings.<rule>
// holds checked_items (the resources evaluated), flagged_items (those that
// failed) and items (the paths of the flagged resources). Each rule gives
// flagged_items failed findings, one per item path (the resource), and
// checked_items - flagged_items passed findings without a resource. A rule
// that checked nothing gives no finding. The check ID is
// scoutsuite:<provider>:<rule>, the provider being provider_code (aws,
// azure, gcp, ...), for instance scoutsuite:aws:iam-root-account-no-mfa;
// model objectives list these IDs in their checks. The account is
// account_id. Every finding's time is the run's, last_run.time (ScoutSuite
// writes its keys in order, last_run before services; a last_run that
// comes after the services is not applied).
package scoutsuite

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/go-json-experiment/json/jsontext"
)

// Prefix is the JavaScript text before the JSON object of a results file.
const Prefix = "scoutsuite_results ="

// CheckID returns the canonical ID of a ScoutSuite rule of a provider.
func CheckID(provider, rule string) string { return "scoutsuite:" + provider + ":" + rule }

type rule struct {
	CheckedItems *int     `json:"checked_items"`
	FlaggedItems int      `json:"flagged_items"`
	Items        []string `json:"items"`
}

type pending struct {
	rule string
	r    rule
}

// Read reads ScoutSuite results.
func Read(file string, r io.Reader, emit evidence.Emit) error {
	br := bufio.NewReaderSize(r, 64<<10)
	skipped, err := skipPrefix(br)
	if err != nil {
		return &evidence.ParseError{File: file, Message: err.Error()}
	}
	dec := evidence.NewJSONDecoder(br)
	fail := func(err error) error {
		pe := evidence.JSONError(file, dec.InputOffset(), 0, err)
		if p, ok := pe.(*evidence.ParseError); ok && p.Byte > 0 {
			p.Byte += skipped
		}
		return pe
	}
	if tok, err := dec.ReadToken(); err != nil {
		return fail(err)
	} else if tok.Kind() != '{' {
		return &evidence.ParseError{File: file, Byte: skipped + 1, Message: "expected the JSON object of ScoutSuite results"}
	}
	var provider, account string
	var when time.Time
	var held []pending // rules met before provider_code
	rules := 0
	out := func(name string, r *rule) error {
		if r.CheckedItems == nil {
			return &evidence.ParseError{File: file, Field: "findings." + name + ".checked_items", Message: "missing; expected the number of resources checked"}
		}
		id := CheckID(provider, name)
		for _, it := range r.Items {
			if err := emit(evidence.Finding{CheckID: id, Resource: it, Account: account, Status: evidence.Fail, Time: when}); err != nil {
				return err
			}
		}
		for i := r.FlaggedItems; i < *r.CheckedItems; i++ {
			if err := emit(evidence.Finding{CheckID: id, Account: account, Status: evidence.Pass, Time: when}); err != nil {
				return err
			}
		}
		return nil
	}
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return fail(err)
		}
		switch key := tok.String(); key {
		case "provider_code", "account_id":
			var s *string
			if err := evidence.DecodeRecord(dec, &s); err != nil {
				return fail(err)
			}
			if s != nil && key == "provider_code" {
				provider = *s
			} else if s != nil {
				account = *s
			}
			if provider != "" && len(held) > 0 {
				for _, p := range held {
					if err := out(p.rule, &p.r); err != nil {
						return err
					}
				}
				held = nil
			}
		case "last_run":
			var lr struct {
				Time string `json:"time"`
			}
			if err := evidence.DecodeRecord(dec, &lr); err != nil {
				return fail(err)
			}
			t, err := evidence.ParseTime(lr.Time)
			if err != nil {
				return &evidence.ParseError{File: file, Field: "last_run.time", Message: err.Error()}
			}
			when = t
		case "services":
			err := eachRule(dec, func(name string) error {
				var r rule
				if err := evidence.DecodeRecord(dec, &r); err != nil {
					return err
				}
				rules++
				if provider == "" {
					held = append(held, pending{name, r})
					return nil
				}
				return out(name, &r)
			})
			if err != nil {
				if _, ok := err.(*evidence.ParseError); ok {
					return err
				}
				return fail(err)
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return fail(err)
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return fail(err)
	}
	if err := evidence.JSONEnd(file, dec); err != nil {
		return err
	}
	if provider == "" {
		return &evidence.ParseError{File: file, Field: "provider_code", Message: "missing; expected the provider of the results (aws, azure, gcp, ...)"}
	}
	for _, p := range held {
		if err := out(p.rule, &p.r); err != nil {
			return err
		}
	}
	if rules == 0 {
		return &evidence.ParseError{File: file, Field: "services", Message: "no rule findings; expected services.<service>.findings"}
	}
	return nil
}

// eachRule walks services.<service>.findings.<rule>, calling fn with the
// decoder before each rule's object.
func eachRule(dec *jsontext.Decoder, fn func(rule string) error) error {
	if err := objectMembers(dec, func(string) error { // services
		return objectMembers(dec, func(key string) error { // one service
			if key != "findings" {
				return dec.SkipValue()
			}
			return objectMembers(dec, fn)
		})
	}); err != nil {
		return err
	}
	return nil
}

// objectMembers reads an object, calling fn with each key; fn reads the value.
func objectMembers(dec *jsontext.Decoder, fn func(key string) error) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() == 'n' {
		return nil
	}
	if tok.Kind() != '{' {
		return fmt.Errorf("expected an object at %s", dec.StackPointer())
	}
	for dec.PeekKind() == '"' {
		k, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := fn(k.String()); err != nil {
			return err
		}
	}
	_, err = dec.ReadToken()
	return err
}

// skipPrefix consumes the text before the JSON object (the JavaScript
// assignment) and returns its length.
func skipPrefix(br *bufio.Reader) (int64, error) {
	head, _ := br.Peek(4096)
	i := bytes.IndexByte(head, '{')
	if i < 0 {
		return 0, fmt.Errorf("expected %q followed by a JSON object", Prefix)
	}
	before := bytes.TrimSpace(bytes.TrimPrefix(head[:i], []byte("\ufeff")))
	if len(before) > 0 && !bytes.Equal(before, []byte(Prefix)) && !bytes.Equal(before, []byte("scoutsuite_results=")) {
		return 0, fmt.Errorf("expected %q followed by a JSON object, found %q", Prefix, before)
	}
	br.Discard(i)
	return int64(i), nil
}
