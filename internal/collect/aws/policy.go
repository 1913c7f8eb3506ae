package aws

import _ "embed"

// Policy is the IAM policy the collector needs (policy.json): the read-only
// actions it calls, and sts:AssumeRole of the member role. A test derives
// the actions from the calls in this package and compares them with it.
//
//go:embed policy.json
var Policy []byte
