package web

import (
	_ "embed"
	"errors"
	"fmt"

	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/yamlguard"
)

//go:embed presets.yaml
var presetsYAML []byte

// Preset is a profile of target levels, kept as data in presets.yaml: a
// default level and the categories that differ from it.
type Preset struct {
	ID          string         `yaml:"id"`
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Default     int            `yaml:"default"`
	Targets     map[string]int `yaml:"targets"`
}

// LoadPresets reads the embedded presets, checking every level.
func LoadPresets() ([]Preset, error) { return parsePresets("presets.yaml", presetsYAML) }

func parsePresets(name string, data []byte) ([]Preset, error) {
	var ps []Preset
	if err := yamlguard.Decode(name, data, &ps); err != nil {
		if _, ok := errors.AsType[*yamlguard.Error](err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	seen := map[string]bool{}
	for i, p := range ps {
		switch {
		case p.ID == "" || p.Name == "":
			return nil, fmt.Errorf("%s: preset %d: id and name are required", name, i+1)
		case seen[p.ID]:
			return nil, fmt.Errorf("%s: preset %q is declared twice", name, p.ID)
		case p.Default < model.MinLevel || p.Default > model.MaxLevel:
			return nil, fmt.Errorf("%s: preset %q: default %d: expected a level from %d to %d", name, p.ID, p.Default, model.MinLevel, model.MaxLevel)
		}
		for cat, l := range p.Targets {
			if l < model.MinLevel || l > model.MaxLevel {
				return nil, fmt.Errorf("%s: preset %q: targets.%s is %d: expected a level from %d to %d", name, p.ID, cat, l, model.MinLevel, model.MaxLevel)
			}
		}
		seen[p.ID] = true
	}
	return ps, nil
}

// Level returns the preset's target for a category.
func (p Preset) Level(category string) int {
	if l, ok := p.Targets[category]; ok {
		return l
	}
	return p.Default
}

// Unknown lists the categories the preset names that the model lacks.
func (p Preset) Unknown(m *model.Model) []string {
	var out []string
	for cat := range p.Targets {
		if _, ok := m.Category(cat); !ok {
			out = append(out, cat)
		}
	}
	return out
}

// preset returns the preset with the given ID.
func (h *Handler) preset(id string) (Preset, bool) {
	for _, p := range h.presets {
		if p.ID == id {
			return p, true
		}
	}
	return Preset{}, false
}
