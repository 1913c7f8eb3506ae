package assess

// Exported for the tests of package assess_test.
var (
	AppendJSONFloat  = appendJSONFloat
	AppendJSONDate   = appendJSONDate
	AppendJSONString = appendJSONString
)
