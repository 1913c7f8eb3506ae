//go:build !linux

package yamlguard

// hugePages does nothing outside Linux.
func hugePages([]byte) {}
