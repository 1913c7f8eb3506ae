package service

import (
	"context"

	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// UploadModel validates a model file with model.Parse and stores it as a
// custom model of the organization; the API and the web pages both use it.
// Errors: a *model.ValidationError listing every problem (nothing stored),
// conflict (the organization has that model id and version already).
func UploadModel(ctx context.Context, st *store.Store, orgID string, actor store.Actor, name string, data []byte) (*store.CustomModel, error) {
	m, err := model.Parse(name, data)
	if err != nil {
		return nil, err
	}
	return st.CreateModel(ctx, orgID, actor, store.CustomModel{Name: m.ID, Version: m.Version, YAML: string(data)})
}
