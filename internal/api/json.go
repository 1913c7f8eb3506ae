package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/yamlguard"
)

// MaxJSONBody bounds a JSON request body.
const MaxJSONBody = 1 << 20

// MaxJSONDepth bounds how deeply the arrays and objects of a JSON request
// body nest.
const MaxJSONDepth = 32

// maxFileBody bounds an uploaded answers file or model: the size limit of
// every YAML file the project reads.
const maxFileBody = yamlguard.MaxBytes

// decode reads the JSON body into v, refusing unknown fields, trailing data
// and bodies over the limit, with a message that names the problem.
func (c *call) decode(v any) error {
	if ct := c.r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, mediaJSON) {
		return csmm.Errorf(csmm.EINVALID, "the body must be JSON (Content-Type: application/json), not %s", ct)
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, MaxJSONBody))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return csmm.Errorf(ETOOLARGE, "the body is larger than the limit of %d bytes (%d MiB)", MaxJSONBody, MaxJSONBody>>20)
	} else if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	return DecodeJSON(data, v)
}

// DecodeJSON decodes a JSON request body into v as every API operation
// does: at most MaxJSONDepth levels of nesting, no unknown field, nothing
// after the value. Its errors are invalid, with a message naming the problem.
func DecodeJSON(data []byte, v any) error {
	if off, ok := jsonDepthOK(data, MaxJSONDepth); !ok {
		return csmm.Errorf(csmm.EINVALID, "the body nests arrays and objects more than %d deep (at byte %d)", MaxJSONDepth, off)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return csmm.Errorf(csmm.EINVALID, "the request body is empty; expected a JSON object")
		case errors.As(err, &syn):
			return csmm.Errorf(csmm.EINVALID, "the body is not valid JSON at byte %d", syn.Offset)
		case errors.As(err, &typ):
			return csmm.Errorf(csmm.EINVALID, "the field %q must be %s, not a JSON %s", typ.Field, typ.Type, typ.Value)
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

// jsonDepthOK reports whether the arrays and objects of a JSON text nest at
// most max deep; when not, it returns the offset where they go deeper.
func jsonDepthOK(data []byte, max int) (int, bool) {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > max {
				return i, false
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return 0, true
}

// readFile reads an uploaded file body (YAML), up to the limit.
func (c *call) readFile() ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxFileBody))
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return nil, csmm.Errorf(ETOOLARGE, "the file is larger than the limit of %d bytes (%d MiB)", maxFileBody, maxFileBody>>20)
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
