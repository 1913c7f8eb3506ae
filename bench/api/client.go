package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiClient calls the csmm JSON API of one organization with an API token.
type apiClient struct {
	http  *http.Client
	base  string // http://127.0.0.1:PORT/api/v1
	token string
	org   string // the organization's ID, filled in by resolveOrg
}

// newAPIClient returns a client for the server at baseURL (http://host:port)
// that keeps up to conns connections open. It refuses any host that is not
// a loopback address: the benchmark never sends traffic off the machine.
func newAPIClient(baseURL, token string, conns int) (*apiClient, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("server URL %q: %w", baseURL, err)
	}
	ip := net.ParseIP(u.Hostname())
	if u.Scheme != "http" || ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("server URL %q: expected http:// and a loopback IP address such as 127.0.0.1", baseURL)
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &apiClient{
		http:  &http.Client{Transport: tr, Timeout: 30 * time.Second},
		base:  strings.TrimRight(baseURL, "/") + "/api/v1",
		token: token,
	}, nil
}

// apiError is a response with an unexpected status.
type apiError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *apiError) Error() string {
	body := e.Body
	if len(body) > 300 {
		body = body[:300] + "..."
	}
	return fmt.Sprintf("%s %s: status %d: %s", e.Method, e.Path, e.Status, strings.TrimSpace(body))
}

// do sends one request and returns the status and the body.
func (c *apiClient) do(ctx context.Context, method, path, ctype string, body []byte) (int, []byte, error) {
	var buf bytes.Buffer
	return c.doInto(ctx, &buf, method, path, ctype, body)
}

// doInto is do reading the body into buf, which is reset first: a client
// that passes the same buffer each time allocates no new body, so the
// load generator takes less of the CPU it shares with the server. The
// returned body is buf's bytes, valid until buf is used again.
func (c *apiClient) doInto(ctx context.Context, buf *bytes.Buffer, method, path, ctype string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, 64<<20)); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: read the body: %w", method, path, err)
	}
	return resp.StatusCode, buf.Bytes(), nil
}

// call sends a request that must succeed with want, and decodes the JSON
// body into out when out is not nil.
func (c *apiClient) call(ctx context.Context, method, path, ctype string, body []byte, want int, out any) error {
	status, data, err := c.do(ctx, method, path, ctype, body)
	if err != nil {
		return err
	}
	if status != want {
		return &apiError{Method: method, Path: path, Status: status, Body: string(data)}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode the response: %w", method, path, err)
		}
	}
	return nil
}

// resolveOrg finds the organization the token belongs to (listOrganizations)
// and remembers its ID for the paths of every other call.
func (c *apiClient) resolveOrg(ctx context.Context, ref string) error {
	var orgs struct {
		Items []struct {
			Organization struct {
				ID   string `json:"id"`
				Name string `json:"name"`
				Slug string `json:"slug"`
			} `json:"organization"`
		} `json:"items"`
	}
	if err := c.call(ctx, "GET", "/orgs", "", nil, http.StatusOK, &orgs); err != nil {
		return fmt.Errorf("list organizations: %w", err)
	}
	for _, it := range orgs.Items {
		o := it.Organization
		if o.ID == ref || o.Name == ref || o.Slug == ref {
			c.org = o.ID
			return nil
		}
	}
	return fmt.Errorf("the token's user is not a member of organization %q", ref)
}

// orgPath returns a path under the organization.
func (c *apiClient) orgPath(format string, args ...any) string {
	return "/orgs/" + url.PathEscape(c.org) + fmt.Sprintf(format, args...)
}
