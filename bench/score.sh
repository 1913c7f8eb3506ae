#!/usr/bin/env bash
# Times `csmm score examples/acme.yaml --format json` with the built binary:
# with hyperfine when it is installed, else with a loop of N runs (default 200).
# Usage: bench/score.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
bin=$(mktemp -d)/csmm
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/csmm
cmd=("$bin" score examples/acme.yaml --format json --as-of 2026-10-01)
"${cmd[@]}" >/dev/null

if command -v hyperfine >/dev/null 2>&1; then
  exec hyperfine --warmup 10 --runs "$n" --output=null "${cmd[*]}"
fi

start=$(date +%s%N)
for _ in $(seq "$n"); do
  "${cmd[@]}" >/dev/null
done
end=$(date +%s%N)
total_ms=$(( (end - start) / 1000000 ))
echo "csmm score examples/acme.yaml --format json: $n runs in ${total_ms} ms"
awk -v t="$total_ms" -v n="$n" 'BEGIN { printf "mean %.2f ms per run (process start, model and answers parsing, scoring, JSON)\n", t / n }'
