// Package yamlguardtest holds what tests of several packages use to check
// that yamlguard's fast reader builds the trees yaml.v3 builds.
package yamlguardtest

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Diff returns the path of the first difference between two node trees in
// the fields the fast reader fills (Kind, Style, Tag, Value, Anchor, Line,
// Column and Content, recursively), with both values, or "" when they are
// equal. Comments are not compared.
func Diff(got, want *yaml.Node) string {
	return diff(got, want, "$")
}

func diff(got, want *yaml.Node, path string) string {
	if got == nil || want == nil {
		if got != want {
			return fmt.Sprintf("%s: got %v, want %v", path, got, want)
		}
		return ""
	}
	where := fmt.Sprintf("%s (line %d, column %d)", path, want.Line, want.Column)
	switch {
	case got.Kind != want.Kind:
		return fmt.Sprintf("%s: kind %v, want %v", where, got.Kind, want.Kind)
	case got.Style != want.Style:
		return fmt.Sprintf("%s: style %v, want %v", where, got.Style, want.Style)
	case got.Tag != want.Tag:
		return fmt.Sprintf("%s: tag %q, want %q", where, got.Tag, want.Tag)
	case got.Value != want.Value:
		return fmt.Sprintf("%s: value %q, want %q", where, got.Value, want.Value)
	case got.Anchor != want.Anchor:
		return fmt.Sprintf("%s: anchor %q, want %q", where, got.Anchor, want.Anchor)
	case (got.Alias == nil) != (want.Alias == nil):
		return fmt.Sprintf("%s: alias %v, want %v", where, got.Alias != nil, want.Alias != nil)
	case got.Line != want.Line || got.Column != want.Column:
		return fmt.Sprintf("%s: at line %d, column %d, want line %d, column %d", path, got.Line, got.Column, want.Line, want.Column)
	case len(got.Content) != len(want.Content):
		return fmt.Sprintf("%s: %d children, want %d", where, len(got.Content), len(want.Content))
	}
	for i := range want.Content {
		step := path + "[" + strconv.Itoa(i) + "]"
		if want.Kind == yaml.MappingNode && i%2 == 1 {
			step = path + "." + want.Content[i-1].Value
		}
		if d := diff(got.Content[i], want.Content[i], step); d != "" {
			return d
		}
	}
	return ""
}
