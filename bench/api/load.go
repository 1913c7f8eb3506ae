package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// loadConfig is the shape of the load phase.
type loadConfig struct {
	Clients int
	// WriteRatio is the share of putAnswer among the requests; the rest are getScore.
	WriteRatio float64
	// Warmup runs before the measured window; its requests are not counted.
	Warmup time.Duration
	// Duration is the measured window.
	Duration time.Duration
	// MaxRequests bounds the requests of each client, warm-up included.
	MaxRequests int
	// Think is the pause of each client between two requests.
	Think time.Duration
}

// opSample is what one client recorded for one operation.
type opSample struct {
	// spans are the successful requests, from the measured window's
	// start (their latencies: latencies).
	spans     []span
	conflicts int
	errors    int
	firstErr  string
}

func (s *opSample) fail(err string) {
	s.errors++
	if s.firstErr == "" {
		s.firstErr = err
	}
}

// loadResult is what the load phase measured.
type loadResult struct {
	Put, Score opSample
	Window     time.Duration
}

// runLoad drives the API with cfg.Clients clients. Client k owns the
// assessments whose index is k modulo the number of clients and saves
// answers only there, so no two clients ever write the same answer and a
// 409 means a bug; every client reads the score of any assessment. Each
// client sends its next request when the previous one is answered (plus
// cfg.Think), until the window ends or it has sent cfg.MaxRequests.
func runLoad(ctx context.Context, c *apiClient, m *modelInfo, ids []string, versions map[answerKey]int, cfg loadConfig) (*loadResult, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("no assessments to load")
	}
	start := time.Now()
	measureFrom := start.Add(cfg.Warmup)
	deadline := measureFrom.Add(cfg.Duration)
	ctx, cancel := context.WithDeadline(ctx, deadline.Add(35*time.Second))
	defer cancel()

	clients := make([]*loadClient, cfg.Clients)
	owner := map[string]*loadClient{}
	for k := range clients {
		lc := &loadClient{api: c, model: m, all: ids, versions: map[answerKey]int{}, from: measureFrom,
			rng: rand.New(rand.NewPCG(uint64(k), 0x6c6f6164))}
		for i := k; i < len(ids); i += cfg.Clients {
			lc.own = append(lc.own, ids[i])
			owner[ids[i]] = lc
		}
		clients[k] = lc
	}
	for key, v := range versions {
		if lc := owner[key.Assessment]; lc != nil {
			lc.versions[key] = v
		}
	}
	var wg sync.WaitGroup
	for _, lc := range clients {
		wg.Go(func() { lc.run(ctx, cfg, measureFrom, deadline) })
	}
	wg.Wait()

	res := &loadResult{Window: cfg.Duration}
	for _, lc := range clients {
		merge(&res.Put, &lc.put)
		merge(&res.Score, &lc.score)
	}
	return res, nil
}

func merge(dst, src *opSample) {
	dst.spans = append(dst.spans, src.spans...)
	dst.conflicts += src.conflicts
	dst.errors += src.errors
	if dst.firstErr == "" {
		dst.firstErr = src.firstErr
	}
}

// loadClient is one simulated user.
type loadClient struct {
	api      *apiClient
	model    *modelInfo
	all      []string
	own      []string
	versions map[answerKey]int
	rng      *rand.Rand
	from     time.Time // the measured window's start
	put      opSample
	score    opSample
	body     bytes.Buffer // the last response, reused
}

func (lc *loadClient) run(ctx context.Context, cfg loadConfig, measureFrom, deadline time.Time) {
	for n := 0; n < cfg.MaxRequests && ctx.Err() == nil; n++ {
		t0 := time.Now()
		if !t0.Before(deadline) {
			return
		}
		measured := !t0.Before(measureFrom)
		if len(lc.own) > 0 && lc.rng.Float64() < cfg.WriteRatio {
			lc.putAnswer(ctx, t0, measured)
		} else {
			lc.getScore(ctx, t0, measured)
		}
		if cfg.Think > 0 {
			select {
			case <-time.After(cfg.Think):
			case <-ctx.Done():
			}
		}
	}
}

// span is a request sent at t0 and answered after d, from the measured
// window's start.
func (lc *loadClient) span(t0 time.Time, d time.Duration) span {
	start := t0.Sub(lc.from)
	return span{start, start + d}
}

// latencies returns the latencies of spans.
func latencies(spans []span) []time.Duration {
	lat := make([]time.Duration, len(spans))
	for i, s := range spans {
		lat[i] = s.end - s.start
	}
	return lat
}

// getScore reads the score of a random assessment.
func (lc *loadClient) getScore(ctx context.Context, t0 time.Time, measured bool) {
	id := lc.all[lc.rng.IntN(len(lc.all))]
	path := lc.api.orgPath("/assessments/%s/score", url.PathEscape(id))
	status, body, err := lc.api.doInto(ctx, &lc.body, "GET", path, "", nil)
	d := time.Since(t0)
	if !measured {
		return
	}
	switch {
	case err != nil:
		lc.score.fail(err.Error())
	case status != http.StatusOK:
		lc.score.fail((&apiError{"GET", path, status, string(body)}).Error())
	case !strings.Contains(string(body[:min(len(body), 200)]), `"program"`):
		lc.score.fail(fmt.Sprintf("GET %s: the body is not a score: %.100q", path, body))
	default:
		lc.score.spans = append(lc.score.spans, lc.span(t0, d))
	}
}

// putAnswer changes one answer of one of the client's own assessments,
// sending the version it last saw.
func (lc *loadClient) putAnswer(ctx context.Context, t0 time.Time, measured bool) {
	key := answerKey{
		Assessment: lc.own[lc.rng.IntN(len(lc.own))],
		Objective:  lc.model.Objectives[lc.rng.IntN(len(lc.model.Objectives))],
		Scope:      benchScopes[lc.rng.IntN(len(benchScopes))].ID,
	}
	version := lc.versions[key]
	body, _ := json.Marshal(map[string]any{
		"answer":  lc.model.words(key.Objective)[lc.rng.IntN(len(lc.model.words(key.Objective)))],
		"note":    "saved by the load benchmark",
		"version": version,
	})
	path := lc.api.orgPath("/assessments/%s/answers/%s/%s", url.PathEscape(key.Assessment), url.PathEscape(key.Objective), url.PathEscape(key.Scope))
	status, resp, err := lc.api.doInto(ctx, &lc.body, "PUT", path, "application/json", body)
	d := time.Since(t0)
	var saved struct {
		Version int `json:"version"`
		Error   struct {
			Current *struct {
				Version int `json:"version"`
			} `json:"current"`
		} `json:"error"`
	}
	if err == nil && (status == http.StatusOK || status == http.StatusConflict) {
		if jerr := json.Unmarshal(resp, &saved); jerr != nil {
			err = fmt.Errorf("PUT %s: decode the response: %w", path, jerr)
		}
	}
	// Keep the version right for the next save even outside the window.
	switch {
	case err != nil:
	case status == http.StatusOK:
		lc.versions[key] = saved.Version
	case status == http.StatusConflict && saved.Error.Current != nil:
		lc.versions[key] = saved.Error.Current.Version
	}
	if !measured {
		return
	}
	switch {
	case err != nil:
		lc.put.fail(err.Error())
	case status == http.StatusOK && saved.Version == version+1:
		lc.put.spans = append(lc.put.spans, lc.span(t0, d))
	case status == http.StatusOK:
		lc.put.fail(fmt.Sprintf("PUT %s: saved version %d after version %d", path, saved.Version, version))
	case status == http.StatusConflict:
		lc.put.conflicts++
	default:
		lc.put.fail((&apiError{"PUT", path, status, string(resp)}).Error())
	}
}
