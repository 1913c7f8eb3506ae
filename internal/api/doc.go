// Package api is the JSON API of the csmm server under /api/v1: every route
// registered in one function from one table that also generates the OpenAPI
// document, each scoped to an organization the caller belongs to and allowed
// by the caller's role there. Handlers return an error; one wrapper renders
// it with the status of its code.
//
// Each route names the Go types of its request and response bodies (types.go,
// and the store, assess and service types they hold); the document's schemas
// are generated from them by reflection (schema.go), so the document says
// what the handlers decode and encode. The operations the web pages also
// perform live in package service: here they are only translated from and
// to HTTP.
package api
