// Package api is the JSON API of the csmm server under /api/v1: every route
// registered in one function from one table that also generates the OpenAPI
// document, each scoped to an organization the caller belongs to and allowed
// by the caller's role there. Handlers return an error; one wrapper renders
// it with the status of its code.
package api
