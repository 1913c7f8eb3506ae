// Package identity holds who may do what: password hashing, random tokens
// and their stored hashes, and the roles of a member of an organization with
// the permissions each grants. It has no storage of its own; the store keeps
// the hashes and the server asks this package whether an action is allowed.
package identity
