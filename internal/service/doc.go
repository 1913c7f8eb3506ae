// Package service holds the operations that the JSON API and the web pages
// both perform: changing a password, issuing, listing and revoking API
// tokens, uploading a custom model and importing scanner evidence. Each
// operation checks its rules and calls the store; package api decodes its
// typed requests from JSON and encodes its typed results, package web fills
// the same requests from forms and renders the results as pages. Neither
// front end holds such a rule of its own.
//
// It sits beneath api and web and above store, evidence and model: it
// speaks no HTTP.
package service
