#!/bin/sh
# Collects a simulated AWS organization of 500 accounts x 17 regions from the
# in-process fake endpoint and prints wall time, peak live heap and the
# process's peak resident memory (fake endpoint included).
#   bench/collect/run.sh [COUNT]
set -eu
cd "$(dirname "$0")/../.."
count=${1:-1}
bin=$(mktemp -d)/collect.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./internal/collect/aws/
cd internal/collect/aws
if [ -x /usr/bin/time ]; then
	/usr/bin/time -v "$bin" -test.run '^$' -test.bench 'Organization500x17' -test.benchtime "${count}x" -test.benchmem 2>&1 |
		grep -E 'Benchmark|Maximum resident|Elapsed \(wall|User time|System time'
else
	"$bin" -test.run '^$' -test.bench 'Organization500x17' -test.benchtime "${count}x" -test.benchmem
fi
