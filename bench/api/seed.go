package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// answerWords are the answers a person gives, from none to full coverage.
var answerWords = []string{"no", "some", "half", "most", "yes"}

// binaryWords are the answers of an objective on the binary scale.
var binaryWords = []string{"no", "yes"}

// benchScopes are the scopes of every seeded assessment.
var benchScopes = []struct {
	ID     string
	Name   string
	Weight int
}{
	{"production", "Production", 2},
	{"development", "Development", 1},
}

// modelInfo is what the benchmark needs of the built-in model: its
// reference and its objectives' IDs, read from the API (getModel).
type modelInfo struct {
	Ref        string
	Objectives []string
	// Binary holds the objectives on the binary scale (no, yes or na only).
	Binary map[string]bool
}

// words returns the answer words an objective takes.
func (m *modelInfo) words(objective string) []string {
	if m.Binary[objective] {
		return binaryWords
	}
	return answerWords
}

func fetchModel(ctx context.Context, c *apiClient) (*modelInfo, error) {
	var m struct {
		ID         string `json:"id"`
		Version    string `json:"version"`
		Objectives []struct {
			ID    string `json:"id"`
			Scale string `json:"scale"`
		} `json:"objectives"`
	}
	if err := c.call(ctx, "GET", c.orgPath("/models/builtin"), "", nil, http.StatusOK, &m); err != nil {
		return nil, fmt.Errorf("get the built-in model: %w", err)
	}
	if len(m.Objectives) == 0 {
		return nil, fmt.Errorf("the built-in model %s@%s has no objectives", m.ID, m.Version)
	}
	info := &modelInfo{Ref: m.ID + "@" + m.Version, Binary: map[string]bool{}}
	for _, o := range m.Objectives {
		info.Objectives = append(info.Objectives, o.ID)
		if o.Scale == "binary" {
			info.Binary[o.ID] = true
		}
	}
	return info, nil
}

// answersFile returns the answers file (formats.md) of seeded assessment
// number i: both scopes, a target of 3, and answers drawn from a generator
// seeded with i, leaving about one objective in ten unanswered so that the
// load saves both new answers (version 0) and changed ones.
func answersFile(m *modelInfo, org string, i int, date time.Time) []byte {
	rng := rand.New(rand.NewPCG(uint64(i), 0x63736d6d))
	var b strings.Builder
	fmt.Fprintf(&b, "model: %s\norganization: %q\nassessment: \"Benchmark %04d\"\ndate: %s\nvalidity_days: 365\nscopes:\n",
		m.Ref, org, i, date.Format(time.DateOnly))
	for _, sc := range benchScopes {
		fmt.Fprintf(&b, "  - {id: %s, name: %s, weight: %d}\n", sc.ID, sc.Name, sc.Weight)
	}
	b.WriteString("targets:\n  default: 3\nanswers:\n")
	for _, obj := range m.Objectives {
		if rng.IntN(10) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s: {", obj)
		for j, sc := range benchScopes {
			if j > 0 {
				b.WriteString(", ")
			}
			words := m.words(obj)
			fmt.Fprintf(&b, "%s: %s", sc.ID, words[rng.IntN(len(words))])
		}
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

// seed imports n assessments (importAssessment) with `workers` requests in
// flight, and returns their IDs in order.
func seed(ctx context.Context, c *apiClient, m *modelInfo, orgName string, n, workers int, date time.Time) ([]string, error) {
	ids := make([]string, n)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for i := range next {
				var as struct {
					ID string `json:"id"`
				}
				path := c.orgPath("/assessments/import") + "?name=" + url.QueryEscape(fmt.Sprintf("Benchmark %04d", i+1))
				err := c.call(ctx, "POST", path, "application/yaml", answersFile(m, orgName, i+1, date), http.StatusCreated, &as)
				if err == nil && as.ID == "" {
					err = fmt.Errorf("importAssessment returned no id")
				}
				if err != nil {
					cancel(fmt.Errorf("seed assessment %d: %w", i+1, err))
					return
				}
				ids[i] = as.ID
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return ids, nil
}

// answerKey names one answer of one assessment.
type answerKey struct {
	Assessment, Objective, Scope string
}

// storedVersions reads the version of every stored answer of the given
// assessments (listAnswers); an answer not listed has version 0.
func storedVersions(ctx context.Context, c *apiClient, ids []string) (map[answerKey]int, error) {
	out := map[answerKey]int{}
	for _, id := range ids {
		var list struct {
			Items []struct {
				Objective string `json:"objective"`
				Scope     string `json:"scope"`
				Version   int    `json:"version"`
			} `json:"items"`
		}
		if err := c.call(ctx, "GET", c.orgPath("/assessments/%s/answers", url.PathEscape(id)), "", nil, http.StatusOK, &list); err != nil {
			return nil, fmt.Errorf("list answers: %w", err)
		}
		for _, a := range list.Items {
			out[answerKey{id, a.Objective, a.Scope}] = a.Version
		}
	}
	return out, nil
}
