package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
)

// maxJSONBody bounds a JSON request body.
const maxJSONBody = 1 << 20

// maxFileBody bounds an uploaded answers file or model.
const maxFileBody = 8 << 20

// decode reads the JSON body into v, refusing unknown fields, trailing data
// and bodies over the limit, with a message that names the problem.
func (c *call) decode(v any) error {
	if ct := c.r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, mediaJSON) {
		return csmm.Errorf(csmm.EINVALID, "the body must be JSON (Content-Type: application/json), not %s", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var big *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return csmm.Errorf(csmm.EINVALID, "the request body is empty; expected a JSON object")
		case errors.As(err, &syn):
			return csmm.Errorf(csmm.EINVALID, "the body is not valid JSON at byte %d", syn.Offset)
		case errors.As(err, &typ):
			return csmm.Errorf(csmm.EINVALID, "the field %q must be %s, not a JSON %s", typ.Field, typ.Type, typ.Value)
		case errors.As(err, &big):
			return csmm.Errorf(csmm.EINVALID, "the body is larger than %d bytes", maxJSONBody)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return csmm.Errorf(csmm.EINVALID, "the body has an %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return csmm.Errorf(csmm.EINVALID, "the body could not be read as JSON: %v", err)
	}
	if dec.More() {
		return csmm.Errorf(csmm.EINVALID, "the body has data after the JSON object")
	}
	return nil
}

// readFile reads an uploaded file body (YAML), up to the limit.
func (c *call) readFile() ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxFileBody))
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return nil, csmm.Errorf(csmm.EINVALID, "the file is larger than %d bytes", maxFileBody)
	} else if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, csmm.Errorf(csmm.EINVALID, "the request body is empty; expected a YAML file")
	}
	return data, nil
}

// reply writes v as JSON with the route's success status.
func (c *call) reply(status int, v any) error {
	if v == nil {
		c.w.WriteHeader(status)
		return nil
	}
	writeJSON(c.w, c.r, status, v)
	return nil
}
