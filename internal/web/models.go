package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
	"github.com/csmm/csmm/internal/yamlguard"
)

// maxModelBytes bounds an uploaded model file: the size limit of every
// YAML file the project reads.
const maxModelBytes = yamlguard.MaxBytes

// modelsData lists the organization's custom models, with the upload form
// for admins and owners and, after a refused upload, every problem found.
type modelsData struct {
	base
	Builtin   string
	Models    []modelRow
	CanUpload bool
	Action    string
	// File and Problems describe a refused upload; nothing was stored.
	File     string
	Problems []model.Problem
}

// modelRow is one uploaded model.
type modelRow struct {
	Name    string
	Version string
	By      string
	Created time.Time
}

// models lists the custom models to every member.
func (h *Handler) models(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermRead); err != nil {
		return err
	}
	d := &modelsData{base: settingsBase(c, "models", "Custom models")}
	d.Notice = notice(r)
	return h.renderModels(w, r, c, http.StatusOK, d)
}

func (h *Handler) renderModels(w http.ResponseWriter, r *http.Request, c *caller, status int, d *modelsData) error {
	ctx := r.Context()
	ms, err := h.store.ListModels(ctx, c.Org.ID)
	if err != nil {
		return err
	}
	members, err := h.store.ListMembers(ctx, c.Org.ID)
	if err != nil {
		return err
	}
	by := map[string]string{}
	for _, m := range members {
		by[m.User.ID] = m.User.Email
	}
	for _, m := range ms {
		d.Models = append(d.Models, modelRow{Name: m.Name, Version: m.Version, By: by[m.CreatedBy], Created: m.Created})
	}
	if b, err := store.Builtin(); err == nil {
		d.Builtin = b.Name + " " + b.Version
	}
	d.CanUpload = c.Can(identity.PermManageSettings)
	d.Action = settingsPath(c) + "/models"
	return h.render(w, status, h.pages.models, d)
}

// modelUpload stores an uploaded model YAML once model.Parse accepts it.
// An invalid model is refused with every problem (file, line, path and
// message) and nothing is stored.
func (h *Handler) modelUpload(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageSettings); err != nil {
		return err
	}
	d := &modelsData{base: settingsBase(c, "models", "Custom models")}
	fail := func(status int, err error) error {
		d.Error = csmm.ErrorMessage(err)
		return h.renderModels(w, r, c, status, d)
	}
	name, data, err := readUpload(w, r, "model", "a YAML file", maxModelBytes)
	if err != nil {
		return fail(http.StatusBadRequest, err)
	}
	d.File = name
	_, err = service.UploadModel(r.Context(), h.store, c.Org.ID, c.actor(r), name, data)
	if ve, ok := errors.AsType[*model.ValidationError](err); ok {
		d.Problems = ve.Problems
		return fail(http.StatusUnprocessableEntity, csmm.Errorf(csmm.EINVALID,
			"%s has %d problem(s); nothing was stored", name, len(ve.Problems)))
	}
	switch code := csmm.ErrorCode(err); {
	case err == nil:
		return redirect(w, r, settingsPath(c)+"/models?done=uploaded")
	case code == csmm.ECONFLICT:
		return fail(http.StatusConflict, err)
	case code == csmm.EINVALID:
		return fail(http.StatusUnprocessableEntity, err)
	}
	return err
}

// readUpload reads one file of a multipart form, at most limit bytes. It
// returns the file's base name ("upload.yaml" when none is given) and its
// contents, or an error saying what is wrong: too_large over the limit,
// else invalid. what names the file expected, such as "a YAML file".
func readUpload(w http.ResponseWriter, r *http.Request, field, what string, limit int64) (string, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	if err := r.ParseMultipartForm(limit); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return "", nil, csmm.Errorf(csmm.ETOOLARGE, "the file is larger than %d MiB", limit>>20)
		}
		return "", nil, csmm.Errorf(csmm.EINVALID, "choose %s to upload (the form must be sent as multipart/form-data)", what)
	}
	defer r.MultipartForm.RemoveAll()
	f, fh, err := r.FormFile(field)
	if err != nil {
		return "", nil, csmm.Errorf(csmm.EINVALID, "choose %s to upload", what)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", nil, fmt.Errorf("read upload %s: %w", field, err)
	}
	if int64(len(data)) > limit {
		return "", nil, csmm.Errorf(csmm.ETOOLARGE, "the file is larger than %d MiB", limit>>20)
	}
	name := path.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	if name == "" || name == "." || name == "/" {
		name = "upload.yaml"
	}
	return name, data, nil
}
