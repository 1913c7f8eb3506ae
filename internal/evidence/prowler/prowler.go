// Package prowler reads the findings of Prowler (https://prowler.com): its
// JSON-OCSF output (v4 and v5), its CSV output (v3 to v5, ';'-separated, and
// the ','-separated CSV of Prowler 2), its native JSON (v3 list, and the
// JSON Lines of Prowler 2). Every finding's check ID is
// prowler:<provider>:<check_id>, the provider taken from the file.
//
// A check renamed since the file was written is read under its current ID:
// aliases.tsv, generated from Prowler's check metadata (CheckAliases) with
// go generate, maps the former IDs to the current ones. To regenerate it
// after the samples' check tables change:
//
//	CSMM_SAMPLES=/path/to/shared/samples go generate ./internal/evidence/prowler
//
// Prowler 2 named its checks check11, check114, extra72 and so on. No table
// at hand translates them: the check tables at Prowler commit 3e000faa list
// 14 aliases (13 AWS checks, none for Azure, GCP or Kubernetes), none of
// them a Prowler 2 name, and Prowler's compliance mappings kept with the
// samples (CIS Controls 8.1, CSA CCM 4.0, NIST CSF 2.0, AWS Well-Architected
// security pillar, AWS account security onboarding) name none either. Their
// findings are read as prowler:aws:check11 (IsV2Check tells them) and match
// a model only if it lists those names; csmm warns about them.
package prowler

//go:generate go run ./genaliases -o aliases.tsv

import (
	_ "embed"
	"strings"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/lazyregexp"

	"github.com/csmm/csmm/internal/lazy"
)

//go:embed aliases.tsv
var aliasTable string

// aliases maps provider + "\t" + former check ID to the current check ID.
var aliases = lazy.Value[map[string]string]{New: func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(aliasTable, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) == 3 {
			m[f[0]+"\t"+f[1]] = f[2]
		}
	}
	return m
}}

// Current returns the current ID of a check of a provider: the check itself
// unless it is a former ID (an alias) of another.
func Current(provider, check string) string {
	if c, ok := aliases.Get()[provider+"\t"+check]; ok {
		return c
	}
	return check
}

// CheckID returns the canonical ID of a Prowler check of a provider, under
// the check's current ID.
func CheckID(provider, check string) string {
	provider = strings.ToLower(provider)
	return "prowler:" + provider + ":" + Current(provider, check)
}

// status maps a Prowler status word to an outcome; muted is true for the
// WARNING of Prowler 3, which replaced the outcome of an allowlisted finding.
func status(s string) (st evidence.Status, muted bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "PASS":
		return evidence.Pass, false
	case "FAIL":
		return evidence.Fail, false
	case "MANUAL":
		return evidence.Manual, false
	case "WARNING":
		return evidence.Other, true
	}
	return evidence.Other, false
}

// uidPattern reads the provider and check of a Prowler finding UID:
// prowler-<provider>-<check_id>-<account>-<region>-<resource>.
var uidPattern = lazyregexp.New(`^prowler-([a-z0-9]+)-([a-z0-9_]+)-`)

func fromUID(uid string) (provider, check string) {
	m := uidPattern.FindStringSubmatch(uid)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

// validCheck reports whether s can be a Prowler check ID.
func validCheck(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// idCache returns the canonical check IDs of a file, made once per provider
// and check rather than once per finding.
type idCache map[[2]string]string

func (c *idCache) get(provider, check string) string {
	if *c == nil {
		*c = idCache{}
	}
	k := [2]string{provider, check}
	if id, ok := (*c)[k]; ok {
		return id
	}
	id := CheckID(provider, check)
	(*c)[[2]string{strings.Clone(provider), strings.Clone(check)}] = id
	return id
}

// v2Name matches the check names of Prowler 2 (check11, check114, extra72).
var v2Name = lazyregexp.New(`^(check|extra)[0-9]+$`)

// IsV2Check reports whether a canonical check ID names a Prowler 2 check
// (prowler:aws:check114): a name that no table of current check IDs
// translates (see the package documentation), so such findings match no
// model that lists current check IDs.
func IsV2Check(id string) bool {
	name, ok := strings.CutPrefix(id, "prowler:aws:")
	return ok && v2Name.MatchString(name)
}
