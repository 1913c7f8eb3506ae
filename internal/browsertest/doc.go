// Package browsertest drives the whole csmm server in headless Chromium, as
// a person would use it: first-run setup, sign-in, starting an assessment,
// answering, exemptions, the report and its PDF. It has tests only.
package browsertest
