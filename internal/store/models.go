package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/textfield"
)

// BuiltinModel is the ModelRef of an assessment that uses the built-in model.
const BuiltinModel = "builtin"

// BuiltinModelVersion is the built-in model version that an assessment with
// the ModelRef BuiltinModel scores on. Every such assessment was made on
// csmm@2.0.0, which it keeps until someone moves it; assessments on a later
// built-in version need the store to record that version.
const BuiltinModelVersion = "csmm@2.0.0"

// Builtin returns the built-in model of assessments with the ModelRef
// BuiltinModel (BuiltinModelVersion).
func Builtin() (*model.Model, error) { return model.BuiltinRef(BuiltinModelVersion) }

// CustomModel is a maturity model an organization uploaded, kept as the YAML
// it was given. The caller validates the YAML with model.Parse before saving.
type CustomModel struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	YAML      string    `json:"-"`
	CreatedBy string    `json:"created_by"`
	Created   time.Time `json:"created"`
}

const modelColumns = "id, org_id, name, version, yaml, created_by, created_at"

func scanModel(sc interface{ Scan(...any) error }) (*CustomModel, error) {
	var m CustomModel
	err := sc.Scan(&m.ID, &m.OrgID, &m.Name, &m.Version, &m.YAML, &m.CreatedBy, timeCol{&m.Created})
	return &m, err
}

// CreateModel stores a custom model of the organization; ID, OrgID, Created
// and CreatedBy (the actor) are set here. It returns invalid for an empty
// name, version or YAML, and conflict when the organization already has a
// model with that name and version.
func (s *Store) CreateModel(ctx context.Context, orgID string, actor Actor, m CustomModel) (_ *CustomModel, err error) {
	defer wrap(&err, "create model(%s, %s@%s)", orgID, m.Name, m.Version)
	if strings.TrimSpace(m.Name) == "" || strings.TrimSpace(m.Version) == "" || strings.TrimSpace(m.YAML) == "" {
		return nil, csmm.Errorf(csmm.EINVALID, "a model needs a name, a version and its YAML")
	}
	if err := textfield.Check(textfield.Name("the model id", m.Name), textfield.Name("the model version", m.Version)); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *tx) error {
		m.ID, m.OrgID, m.Created, m.CreatedBy = NewID(), orgID, tx.now, actor.UserID
		if _, err := tx.exec(ctx, "INSERT INTO models ("+modelColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			m.ID, orgID, m.Name, m.Version, m.YAML, m.CreatedBy, micros(m.Created)); err != nil {
			return uniqueConflict(err, "the organization already has model %s version %s", m.Name, m.Version)
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"model.create", "model", m.ID, nil, m})
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// GetModel returns a custom model of the organization, or not_found.
func (s *Store) GetModel(ctx context.Context, orgID, id string) (_ *CustomModel, err error) {
	defer wrap(&err, "model(%s, %s)", orgID, id)
	var m *CustomModel
	err = s.read(ctx, func(tx *tx) error {
		m, err = customModel(ctx, tx, orgID, id)
		return err
	})
	return m, err
}

func customModel(ctx context.Context, tx *tx, orgID, id string) (*CustomModel, error) {
	m, err := scanModel(tx.queryRow(ctx, "SELECT "+modelColumns+" FROM models WHERE org_id = ? AND id = ?", orgID, id))
	if err != nil {
		return nil, notFound(err, "model", id)
	}
	return m, nil
}

// ListModels returns the organization's custom models by name and version.
func (s *Store) ListModels(ctx context.Context, orgID string) (_ []CustomModel, err error) {
	defer wrap(&err, "list models(%s)", orgID)
	var out []CustomModel
	err = s.read(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, "SELECT "+modelColumns+" FROM models WHERE org_id = ? ORDER BY name, version, id", orgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanModel(rows)
			if err != nil {
				return err
			}
			out = append(out, *m)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteModel deletes a custom model of the organization. It returns
// not_found for a model of another organization and conflict while an
// assessment uses the model.
func (s *Store) DeleteModel(ctx context.Context, orgID string, actor Actor, id string) (err error) {
	defer wrap(&err, "delete model(%s, %s)", orgID, id)
	return s.write(ctx, func(tx *tx) error {
		before, err := customModel(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM assessments WHERE org_id = ? AND model_id = ?", orgID, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return csmm.Errorf(csmm.ECONFLICT, "the model is used by %d assessment(s)", n)
		}
		if _, err := tx.exec(ctx, "DELETE FROM models WHERE org_id = ? AND id = ?", orgID, id); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"model.delete", "model", id, before, nil})
	})
}

// LoadModel returns the parsed model an assessment refers to: the built-in
// model for BuiltinModel ("" too), else the organization's custom model. It
// returns not_found for a model of another organization and invalid when
// the stored YAML no longer parses.
func (s *Store) LoadModel(ctx context.Context, orgID, ref string) (_ *model.Model, err error) {
	defer wrap(&err, "load model(%s, %s)", orgID, ref)
	if ref == "" || ref == BuiltinModel {
		return Builtin()
	}
	if strings.Contains(ref, "@") && model.IsBuiltinRef(ref) {
		return model.BuiltinRef(ref) // a built-in version named on purpose, e.g. csmm@2.0.0
	}
	var cm *CustomModel
	err = s.read(ctx, func(tx *tx) error {
		cm, err = customModel(ctx, tx, orgID, ref)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.models.parse(cm)
}

// parse returns the parsed custom model, from the cache when it was parsed before.
func (c *modelCache) parse(cm *CustomModel) (*model.Model, error) {
	key := cm.ID + "\x00" + fmt.Sprintf("%x", sha256.Sum256([]byte(cm.YAML)))
	if m, ok := c.get(key); ok {
		return m, nil
	}
	m, err := model.Parse(cm.Name+"@"+cm.Version, []byte(cm.YAML))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", csmm.Errorf(csmm.EINVALID, "the stored model %s@%s is not valid", cm.Name, cm.Version), err)
	}
	c.put(key, m)
	return m, nil
}

// modelCache keeps parsed custom models, keyed by model ID and the hash of
// their YAML, so that scoring an assessment does not parse and validate its
// model again on every request. A parsed model is never changed, so one may
// serve every request. Past maxCachedModels entries the cache starts over.
type modelCache struct {
	mu     sync.Mutex
	models map[string]*model.Model
}

const maxCachedModels = 256

func (c *modelCache) get(key string) (*model.Model, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.models[key]
	return m, ok
}

func (c *modelCache) put(key string, m *model.Model) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.models == nil || len(c.models) >= maxCachedModels {
		c.models = map[string]*model.Model{}
	}
	c.models[key] = m
}
