package api

import (
	"fmt"
	"net/http"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/service"
)

// listRoadmapItems answers every objective of the assessment's roadmap
// with its work, phase by phase.
func (a *API) listRoadmapItems(c *call) error {
	sc, err := a.score(c)
	if err != nil {
		return err
	}
	entries, err := service.Roadmap(c.ctx(), a.o.Store, c.org.ID, c.r.PathValue("id"), sc.in.Model, sc.res)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(entries))
}

// updateRoadmapItem sets the owner, due date, status and ticket of one
// objective of the roadmap, scored as of today.
func (a *API) updateRoadmapItem(c *call) error {
	var in service.RoadmapUpdate
	if err := c.decode(&in); err != nil {
		return err
	}
	if c.r.URL.Query().Get("as_of") != "" {
		return csmm.Errorf(csmm.EINVALID, "as_of: the roadmap is changed as of today")
	}
	sc, err := a.score(c)
	if err != nil {
		return err
	}
	id, objective := c.r.PathValue("id"), c.r.PathValue("objective")
	if _, err := service.UpdateRoadmapItem(c.ctx(), a.o.Store, c.org.ID, c.actor, id, objective, sc.res, in); err != nil {
		return err
	}
	entries, err := service.Roadmap(c.ctx(), a.o.Store, c.org.ID, id, sc.in.Model, sc.res)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Objective == objective {
			return c.reply(http.StatusOK, e)
		}
	}
	return fmt.Errorf("roadmap item %s saved but not listed", objective)
}
