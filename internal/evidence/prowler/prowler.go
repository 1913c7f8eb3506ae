// Package prowler reads the findings of Prowler (https://prowler.com): its
// JSON-OCSF output (v4 and v5), its CSV output (v3 to v5, ';'-separated, and
// the ','-separated CSV of Prowler 2), its native JSON (v3 list, and the
// JSON Lines of Prowler 2). Every finding's check ID is
// prowler:<provider>:<check_id>, the provider taken from the file.
//
// Prowler 2 named its checks check11, check114 and so on; they are read as
// prowler:aws:check11 and match a model only if it lists those names.
package prowler

import (
	"regexp"
	"strings"

	"github.com/csmm/csmm/internal/evidence"
)

// CheckID returns the canonical ID of a Prowler check of a provider.
func CheckID(provider, check string) string {
	return "prowler:" + strings.ToLower(provider) + ":" + check
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
var uidPattern = regexp.MustCompile(`^prowler-([a-z0-9]+)-([a-z0-9_]+)-`)

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
