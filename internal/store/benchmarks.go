package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/model"
)

// Profile is how an organization describes itself for peer benchmarks, and
// whether its latest snapshot feeds them (BenchmarkOptIn).
type Profile struct {
	Industry       string   `json:"industry"`
	SizeBand       string   `json:"size_band"`
	Regions        []string `json:"regions"`
	Providers      []string `json:"providers"`
	BenchmarkOptIn bool     `json:"benchmark_opt_in"`
}

// validProfileWord reports whether v is a profile word: a lowercase letter
// or digit, then up to 62 lowercase letters, digits, dots, underscores,
// pluses or hyphens. (The bounded-repeat regular expression it replaces
// cost about 20 million instructions to compile in every csmm process.)
func validProfileWord(v string) bool {
	if len(v) == 0 || len(v) > 63 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '+' || c == '-'):
		default:
			return false
		}
	}
	return true
}

func (p *Profile) normalize() error {
	p.Industry, p.SizeBand = strings.ToLower(strings.TrimSpace(p.Industry)), strings.TrimSpace(p.SizeBand)
	check := func(field, v string) error {
		if v != "" && !validProfileWord(v) {
			return csmm.Errorf(csmm.EINVALID, "%s %q: expected lowercase letters, digits and . _ + - (at most 63)", field, v)
		}
		return nil
	}
	if err := check("industry", p.Industry); err != nil {
		return err
	}
	if err := check("size_band", p.SizeBand); err != nil {
		return err
	}
	for _, l := range []*[]string{&p.Regions, &p.Providers} {
		out := []string{}
		for _, v := range *l {
			v = strings.ToLower(strings.TrimSpace(v))
			if v == "" || slices.Contains(out, v) {
				continue
			}
			out = append(out, v)
		}
		sort.Strings(out)
		*l = out
	}
	for _, v := range p.Regions {
		if err := check("regions", v); err != nil {
			return err
		}
	}
	for _, v := range p.Providers {
		if err := check("providers", v); err != nil {
			return err
		}
	}
	return nil
}

// joinList stores a list as ",a,b," so that one value matches LIKE '%,a,%'.
func joinList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return "," + strings.Join(l, ",") + ","
}

func splitList(s string) []string {
	out := []string{}
	for _, v := range strings.Split(strings.Trim(s, ","), ",") {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// GetProfile returns the organization's profile, or not_found.
func (s *Store) GetProfile(ctx context.Context, orgID string) (_ *Profile, err error) {
	defer wrap(&err, "profile(%s)", orgID)
	var p *Profile
	err = s.readOne(ctx, func(tx *tx) error {
		p, err = profile(ctx, tx, orgID)
		return err
	})
	return p, err
}

func profile(ctx context.Context, tx *tx, orgID string) (*Profile, error) {
	var p Profile
	var regions, providers string
	err := tx.queryRow(ctx, "SELECT industry, size_band, regions, providers, benchmark_opt_in FROM organizations WHERE id = ?", orgID).
		Scan(&p.Industry, &p.SizeBand, &regions, &providers, &p.BenchmarkOptIn)
	if err != nil {
		return nil, notFound(err, "organization", orgID)
	}
	p.Regions, p.Providers = splitList(regions), splitList(providers)
	return &p, nil
}

// SetProfile replaces the organization's profile, audited. It returns
// invalid for a malformed value and not_found for an unknown organization.
func (s *Store) SetProfile(ctx context.Context, orgID string, actor Actor, p Profile) (_ *Profile, err error) {
	defer wrap(&err, "set profile(%s)", orgID)
	if err := p.normalize(); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *tx) error {
		before, err := profile(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE organizations SET industry = ?, size_band = ?, regions = ?, providers = ?, benchmark_opt_in = ? WHERE id = ?",
			p.Industry, p.SizeBand, joinList(p.Regions), joinList(p.Providers), p.BenchmarkOptIn, orgID); err != nil {
			return err
		}
		if err := bumpBenchmarks(ctx, tx); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"organization.profile", "organization", orgID, before, p})
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// BenchmarkQuery asks for a benchmark: a group (empty fields do not
// filter), and the source: history.SourceInstallation (or "") for this
// installation's opted-in organizations, else the name of an imported one.
type BenchmarkQuery struct {
	Group  history.Group
	Source string
}

// benchCache keeps, for the current benchmark generation, the latest
// scores of every opted-in organization (read in one query) and the
// benchmarks computed from them, so that any group is computed in memory
// and each only once until the next change.
type benchCache struct {
	mu         sync.Mutex
	generation int64
	members    []benchMember
	loaded     bool
	entries    map[string]*benchEntry
}

// benchMember is one opted-in organization's profile and latest scores.
type benchMember struct {
	history.Member
	industry, sizeBand, providers string
	model                         assess.ModelRef
}

type benchEntry struct {
	b    history.Benchmark
	dist history.Distribution
}

// Benchmark answers the benchmark of a group for the asking organization:
// over the latest snapshot of every opted-in organization scored with the
// same model as the asker's latest snapshot (the built-in model when it has
// none), suppressed under history.MinGroup organizations, with where the
// asker stands when it has a snapshot. For an imported benchmark, the group
// must be one the import has. It returns not_found for an unknown source or
// group of an imported benchmark.
func (s *Store) Benchmark(ctx context.Context, orgID string, q BenchmarkQuery) (_ *history.Benchmark, err error) {
	defer wrap(&err, "benchmark(%s)", orgID)
	if q.Source != "" && q.Source != history.SourceInstallation {
		return s.externalBenchmark(ctx, orgID, q)
	}
	// One statement: the generation, the asker's latest snapshot's model
	// and its scores (from its summary row).
	var gen int64
	var yours []history.ScoreRow
	ref := assess.ModelRef{}
	var refID, refVersion, scores sql.NullString
	err = s.readOne(ctx, func(tx *tx) error {
		return tx.queryRow(ctx, `SELECT (SELECT COALESCE(MAX(generation), 0) FROM benchmark_state), l.model_id, l.model_version, m.scores
			FROM (SELECT 1 AS one) x
			LEFT JOIN benchmark_latest l ON l.org_id = ?
			LEFT JOIN snapshot_summaries m ON m.snapshot_id = l.snapshot_id`, orgID).Scan(&gen, &refID, &refVersion, &scores)
	})
	if err != nil {
		return nil, err
	}
	if refID.Valid {
		ref = assess.ModelRef{ID: refID.String, Version: refVersion.String}
		if yours, err = history.DecodeScores(scores.String); err != nil {
			return nil, err
		}
	} else {
		m, err := model.Builtin()
		if err != nil {
			return nil, err
		}
		ref = assess.ModelRef{ID: m.ID, Version: m.Version}
	}
	e, err := s.installationBenchmark(ctx, gen, ref, q.Group)
	if err != nil {
		return nil, err
	}
	b := e.b
	if yours != nil {
		history.Place(&b, yours, e.dist)
	}
	return &b, nil
}

func benchKey(ref assess.ModelRef, g history.Group) string {
	return ref.ID + "\x00" + ref.Version + "\x00" + g.Industry + "\x00" + g.SizeBand + "\x00" + g.Provider
}

// installationBenchmark returns the benchmark of a group among the
// opted-in organizations whose latest snapshot uses model ref. When the
// generation has moved it reads the members again and computes every group
// their profiles form at once (so that later requests only look one up).
func (s *Store) installationBenchmark(ctx context.Context, gen int64, ref assess.ModelRef, g history.Group) (*benchEntry, error) {
	c := &s.bench
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation != gen || !c.loaded {
		members, err := s.benchMembers(ctx)
		if err != nil {
			return nil, err
		}
		c.generation, c.members, c.loaded, c.entries = gen, members, true, map[string]*benchEntry{}
		c.precompute(s.now())
	}
	key := benchKey(ref, g)
	if e, ok := c.entries[key]; ok {
		return e, nil
	}
	e := c.compute(ref, g, s.now())
	c.entries[key] = e
	return e, nil
}

// precompute computes the benchmark of every group of every model that the
// members form: each industry, size band and provider, every combination,
// and the whole installation. Groups under history.MinGroup are computed
// too (suppressed, without figures).
func (c *benchCache) precompute(now time.Time) {
	type axes struct{ industries, sizes, providers map[string]bool }
	byModel := map[assess.ModelRef]*axes{}
	for _, m := range c.members {
		a := byModel[m.model]
		if a == nil {
			a = &axes{map[string]bool{"": true}, map[string]bool{"": true}, map[string]bool{"": true}}
			byModel[m.model] = a
		}
		a.industries[m.industry] = true
		a.sizes[m.sizeBand] = true
		for _, p := range splitList(m.providers) {
			a.providers[p] = true
		}
	}
	for ref, a := range byModel {
		for ind := range a.industries {
			for size := range a.sizes {
				for prov := range a.providers {
					g := history.Group{Industry: ind, SizeBand: size, Provider: prov}
					c.entries[benchKey(ref, g)] = c.compute(ref, g, now)
				}
			}
		}
	}
}

// compute aggregates one group of the cached members.
func (c *benchCache) compute(ref assess.ModelRef, g history.Group, now time.Time) *benchEntry {
	var members []history.Member
	var domains, categories []string
	seen := map[string]bool{}
	provider := "," + strings.ToLower(g.Provider) + ","
	for _, m := range c.members {
		if m.model != ref || (g.Industry != "" && m.industry != g.Industry) || (g.SizeBand != "" && m.sizeBand != g.SizeBand) ||
			(g.Provider != "" && !strings.Contains(m.providers, provider)) {
			continue
		}
		members = append(members, m.Member)
		for _, r := range m.Scores {
			if k := r.Kind + "\x00" + r.ID; !seen[k] {
				seen[k] = true
				switch r.Kind {
				case history.KindDomain:
					domains = append(domains, r.ID)
				case history.KindCategory:
					categories = append(categories, r.ID)
				}
			}
		}
	}
	b := history.Benchmark{Source: history.SourceInstallation, Model: ref, AsOf: assess.DateOf(now), Group: g}
	e := &benchEntry{b: history.Aggregate(b, members, domains, categories)}
	if !e.b.Suppressed {
		e.dist = history.Distribute(members)
	}
	return e
}

// benchMembers reads the latest scores of every opted-in organization, in
// one query over their snapshots' summary rows.
func (s *Store) benchMembers(ctx context.Context) ([]benchMember, error) {
	var members []benchMember
	err := s.readOne(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, `SELECT l.org_id, o.industry, o.size_band, o.providers, l.model_id, l.model_version, m.scores
			FROM organizations o
			JOIN benchmark_latest l ON l.org_id = o.id
			JOIN snapshot_summaries m ON m.snapshot_id = l.snapshot_id
			WHERE o.benchmark_opt_in = ?
			ORDER BY l.org_id`, true)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m benchMember
			var scores string
			if err := rows.Scan(&m.OrgID, &m.industry, &m.sizeBand, &m.providers, &m.model.ID, &m.model.Version, &scores); err != nil {
				return err
			}
			if m.Scores, err = history.DecodeScores(scores); err != nil {
				return fmt.Errorf("organization %s: %w", m.OrgID, err)
			}
			members = append(members, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the opted-in organizations' scores: %w", err)
	}
	return members, nil
}

func snapshotScores(ctx context.Context, tx *tx, snapID string) ([]history.ScoreRow, error) {
	rows, err := tx.query(ctx, "SELECT kind, ref, score, level, target FROM snapshot_scores WHERE snapshot_id = ? ORDER BY pos", snapID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []history.ScoreRow{}
	for rows.Next() {
		var r history.ScoreRow
		var score sql.NullFloat64
		var level, target sql.NullInt64
		if err := rows.Scan(&r.Kind, &r.ID, &score, &level, &target); err != nil {
			return nil, err
		}
		r.Score, r.Level, r.Target = nullFloat(score), nullInt(level), nullInt(target)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExportBenchmarks returns the installation's benchmarks for export: the
// whole installation and every industry, size band and provider of the
// opted-in organizations, for every model their latest snapshots use,
// leaving out suppressed groups (which would reveal that a small group
// exists). They carry no `you`.
func (s *Store) ExportBenchmarks(ctx context.Context) (_ []history.Benchmark, err error) {
	defer wrap(&err, "export benchmarks")
	var gen int64
	var refs []assess.ModelRef
	groups := map[history.Group]bool{{}: true}
	err = s.read(ctx, func(tx *tx) error {
		if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(generation), 0) FROM benchmark_state").Scan(&gen); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT DISTINCT l.model_id, l.model_version FROM benchmark_latest l
			JOIN organizations o ON o.id = l.org_id WHERE o.benchmark_opt_in = ? ORDER BY 1, 2`, true)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r assess.ModelRef
			if err := rows.Scan(&r.ID, &r.Version); err != nil {
				rows.Close()
				return err
			}
			refs = append(refs, r)
		}
		rows.Close()
		rows, err = tx.query(ctx, "SELECT DISTINCT industry, size_band, providers FROM organizations WHERE benchmark_opt_in = ?", true)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ind, size, prov string
			if err := rows.Scan(&ind, &size, &prov); err != nil {
				return err
			}
			if ind != "" {
				groups[history.Group{Industry: ind}] = true
			}
			if size != "" {
				groups[history.Group{SizeBand: size}] = true
			}
			for _, p := range splitList(prov) {
				groups[history.Group{Provider: p}] = true
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	list := make([]history.Group, 0, len(groups))
	for g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		return a.Industry+"\x00"+a.SizeBand+"\x00"+a.Provider < b.Industry+"\x00"+b.SizeBand+"\x00"+b.Provider
	})
	out := []history.Benchmark{}
	for _, ref := range refs {
		for _, g := range list {
			e, err := s.installationBenchmark(ctx, gen, ref, g)
			if err != nil {
				return nil, err
			}
			if !e.b.Suppressed {
				out = append(out, e.b)
			}
		}
	}
	return out, nil
}

// ExternalBenchmark is an imported benchmark: a name (its source), the
// date it is as of, and its groups.
type ExternalBenchmark struct {
	ID         string              `json:"id"`
	Name       string              `json:"name"`
	AsOf       assess.Date         `json:"as_of"`
	ImportedBy string              `json:"imported_by"`
	Imported   time.Time           `json:"imported"`
	Groups     []history.Benchmark `json:"groups"`
}

// ImportBenchmark stores benchmarks made elsewhere (a consultant's across
// clients, an industry body's) under a name, replacing an earlier import of
// that name. Each group is labelled with the name as its source and keeps
// its own date; a group under history.MinGroup organizations is kept
// suppressed, without figures. It returns invalid for an empty name, the
// installation's own source name or no groups.
func (s *Store) ImportBenchmark(ctx context.Context, orgID string, actor Actor, name string, groups []history.Benchmark) (_ *ExternalBenchmark, err error) {
	defer wrap(&err, "import benchmark(%s, %s)", orgID, name)
	name = strings.TrimSpace(name)
	if name == "" || name == history.SourceInstallation {
		return nil, csmm.Errorf(csmm.EINVALID, "name: expected the benchmark's source, such as the consultant or industry body, other than %q", history.SourceInstallation)
	}
	if len(groups) == 0 {
		return nil, csmm.Errorf(csmm.EINVALID, "the benchmark has no groups")
	}
	e := &ExternalBenchmark{ID: NewID(), Name: name, ImportedBy: actor.UserID, Groups: make([]history.Benchmark, len(groups))}
	for i, g := range groups {
		if g.Model.ID == "" || g.AsOf.IsZero() {
			return nil, csmm.Errorf(csmm.EINVALID, "group %d: expected its model and as_of date", i+1)
		}
		g.Source, g.You = name, nil
		if g.Organizations == nil || *g.Organizations < history.MinGroup || g.Suppressed {
			g.Organizations, g.Suppressed, g.Program, g.Domains, g.Categories = nil, true, nil, nil, nil
		}
		e.Groups[i] = g
		if g.AsOf.After(e.AsOf) {
			e.AsOf = g.AsOf
		}
	}
	data, err := json.Marshal(e.Groups)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *tx) error {
		e.Imported = tx.now
		if _, err := tx.exec(ctx, "DELETE FROM external_benchmarks WHERE org_id = ? AND name = ?", orgID, name); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "INSERT INTO external_benchmarks (id, org_id, name, as_of, imported_by, imported_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
			e.ID, orgID, name, e.AsOf.String(), e.ImportedBy, micros(e.Imported), string(data)); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"benchmark.import", "benchmark", e.ID, nil, map[string]any{"name": name, "as_of": e.AsOf, "groups": len(groups)}})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ListExternalBenchmarks returns the organization's imported benchmarks by
// name, without their groups.
func (s *Store) ListExternalBenchmarks(ctx context.Context, orgID string) (_ []ExternalBenchmark, err error) {
	defer wrap(&err, "list benchmarks(%s)", orgID)
	out := []ExternalBenchmark{}
	err = s.readOne(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, "SELECT id, name, as_of, imported_by, imported_at FROM external_benchmarks WHERE org_id = ? ORDER BY name", orgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e ExternalBenchmark
			if err := rows.Scan(&e.ID, &e.Name, dateCol{&e.AsOf}, &e.ImportedBy, timeCol{&e.Imported}); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

func (s *Store) externalBenchmark(ctx context.Context, orgID string, q BenchmarkQuery) (*history.Benchmark, error) {
	var data string
	var snapID sql.NullString
	var yours []history.ScoreRow
	err := s.read(ctx, func(tx *tx) error {
		if err := tx.queryRow(ctx, "SELECT data FROM external_benchmarks WHERE org_id = ? AND name = ?", orgID, q.Source).Scan(&data); err != nil {
			return notFound(err, "benchmark", q.Source)
		}
		err := tx.queryRow(ctx, "SELECT snapshot_id FROM benchmark_latest WHERE org_id = ?", orgID).Scan(&snapID)
		if err == sql.ErrNoRows {
			return nil
		} else if err != nil {
			return err
		}
		yours, err = snapshotScores(ctx, tx, snapID.String)
		return err
	})
	if err != nil {
		return nil, err
	}
	var groups []history.Benchmark
	if err := json.Unmarshal([]byte(data), &groups); err != nil {
		return nil, fmt.Errorf("decode the stored benchmark %q: %w", q.Source, err)
	}
	for _, g := range groups {
		if g.Group == q.Group {
			g.Source = q.Source
			if yours != nil && !g.Suppressed {
				g.You = placeByQuartiles(&g, yours)
			}
			return &g, nil
		}
	}
	return nil, csmm.Errorf(csmm.ENOTFOUND, "benchmark %q has no group industry=%q size_band=%q provider=%q", q.Source, q.Group.Industry, q.Group.SizeBand, q.Group.Provider)
}

// placeByQuartiles estimates the asker's percentiles against an imported
// benchmark, which has only quartiles: linear between (1, 0), (p25, 25),
// (p50, 50), (p75, 75) and (5, 100).
func placeByQuartiles(b *history.Benchmark, yours []history.ScoreRow) *history.You {
	you := &history.You{Categories: []history.YouScore{}}
	for _, r := range yours {
		if r.Score == nil {
			continue
		}
		v := math.Round(*r.Score*100) / 100
		if r.Kind == history.KindProgram {
			you.Program = &v
			continue
		}
		if r.Kind != history.KindCategory {
			continue
		}
		q, ok := b.Category(r.ID)
		if !ok {
			continue
		}
		xs := []float64{1, q.P25, q.P50, q.P75, 5}
		ys := []float64{0, 25, 50, 75, 100}
		pct := 100.0
		for i := 1; i < len(xs); i++ {
			if *r.Score <= xs[i] {
				if xs[i] == xs[i-1] {
					pct = ys[i]
				} else {
					pct = ys[i-1] + (ys[i]-ys[i-1])*(*r.Score-xs[i-1])/(xs[i]-xs[i-1])
				}
				break
			}
		}
		you.Categories = append(you.Categories, history.YouScore{ID: r.ID, Score: v, Percentile: int(math.Round(pct))})
	}
	return you
}
