package collect

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ScopeMap assigns accounts to assessment scopes, from a YAML file:
//
//	scopes:
//	  production: [ou-ab12-prod0001, "Root/Workloads/Prod", "111122223333"]
//	  development: ["Workloads/Dev"]
//	default: development   # optional: accounts matched by nothing
//
// An entry is an account ID (12 digits), an OU ID (ou-...) or an OU path
// of names from the root ("Root/" optional). An account takes the scope of
// its own ID, else of its deepest OU named, else the default.
type ScopeMap struct {
	path    string
	byKey   map[string]string
	Default string
	// Order lists the scopes as the file declares them.
	Order []string
}

// Single returns a map that puts every account in scope.
func Single(scope string) *ScopeMap {
	return &ScopeMap{byKey: map[string]string{}, Default: scope, Order: []string{scope}}
}

// ReadScopeMap reads a scope mapping file.
func ReadScopeMap(path string) (*ScopeMap, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scope map: %w", err)
	}
	return ParseScopeMap(path, data)
}

// ParseScopeMap parses a scope mapping; errors name the file, the line and
// the key.
func ParseScopeMap(path string, data []byte) (*ScopeMap, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := &ScopeMap{path: path, byKey: map[string]string{}}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:1: expected a mapping with the keys scopes and default", path)
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "scopes":
			if v.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("%s:%d: scopes: expected a mapping of scope to a list of account IDs, OU IDs or OU paths", path, v.Line)
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				scope, list := v.Content[j], v.Content[j+1]
				if slices.Contains(m.Order, scope.Value) {
					return nil, fmt.Errorf("%s:%d: scopes.%s: scope listed twice", path, scope.Line, scope.Value)
				}
				m.Order = append(m.Order, scope.Value)
				if list.Kind != yaml.SequenceNode {
					return nil, fmt.Errorf("%s:%d: scopes.%s: expected a list of account IDs, OU IDs or OU paths", path, list.Line, scope.Value)
				}
				for _, e := range list.Content {
					key := normalizeKey(e.Value)
					if key == "" {
						return nil, fmt.Errorf("%s:%d: scopes.%s: empty entry", path, e.Line, scope.Value)
					}
					if prev, ok := m.byKey[key]; ok {
						return nil, fmt.Errorf("%s:%d: scopes.%s: %q is already in scope %s", path, e.Line, scope.Value, e.Value, prev)
					}
					m.byKey[key] = scope.Value
				}
			}
		case "default":
			m.Default = v.Value
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q; expected scopes or default", path, k.Line, k.Value)
		}
	}
	if m.Default != "" && !slices.Contains(m.Order, m.Default) {
		m.Order = append(m.Order, m.Default)
	}
	if len(m.Order) == 0 {
		return nil, fmt.Errorf("%s: no scopes; expected scopes: {SCOPE: [account or OU, ...]}", path)
	}
	return m, nil
}

// normalizeKey spells an OU path without its "Root/" and slashes at the
// ends; IDs are kept.
func normalizeKey(s string) string {
	s = strings.Trim(strings.TrimSpace(s), "/")
	if rest, ok := strings.CutPrefix(s, "Root/"); ok {
		return rest
	}
	if s == "Root" {
		return "/"
	}
	return s
}

// Where locates an account in an organization: its ID, and the OUs from the
// root down to its parent, by ID and by name.
type Where struct {
	Account string
	OUIDs   []string
	OUNames []string
}

// Scope returns the scope of an account, or an error naming the file when
// it matches no entry and there is no default.
func (m *ScopeMap) Scope(w Where) (string, error) {
	if s, ok := m.byKey[w.Account]; ok {
		return s, nil
	}
	for i := len(w.OUIDs) - 1; i >= 0; i-- {
		if s, ok := m.byKey[w.OUIDs[i]]; ok {
			return s, nil
		}
		if s, ok := m.byKey[strings.Join(w.OUNames[:i+1], "/")]; ok {
			return s, nil
		}
	}
	if s, ok := m.byKey["/"]; ok {
		return s, nil
	}
	if m.Default != "" {
		return m.Default, nil
	}
	path := strings.Join(append([]string{"Root"}, w.OUNames...), "/")
	return "", fmt.Errorf("%s: account %s (%s) is in no scope; list it, one of its OUs, or set default", m.path, w.Account, path)
}

// Only returns the scope of every account when the map has a single scope
// and no entries (the --scope flag); facts about the whole organization then
// belong to that scope too.
func (m *ScopeMap) Only() (string, bool) {
	if m != nil && len(m.byKey) == 0 && len(m.Order) == 1 && m.Default == m.Order[0] {
		return m.Default, true
	}
	return "", false
}
