package api

import (
	"net/http"

	"github.com/csmm/csmm/internal/service"
)

func (a *API) createToken(c *call) error {
	var in service.TokenRequest
	if err := c.decode(&in); err != nil {
		return err
	}
	tok, err := service.CreateToken(c.ctx(), a.o.Store, c.org.ID, c.role, c.who.User.ID, in, a.o.Now(), c.actor)
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, tok)
}

func (a *API) listTokens(c *call) error {
	toks, err := service.MemberTokens(c.ctx(), a.o.Store, c.org.ID, c.role, c.who.User.ID)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(toks))
}

func (a *API) revokeToken(c *call) error {
	if err := service.RevokeMemberToken(c.ctx(), a.o.Store, c.org.ID, c.role, c.who.User.ID, c.r.PathValue("token"), c.actor); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}
