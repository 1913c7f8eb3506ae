#!/usr/bin/env bash
# Compares the start-up cost of csmm binaries on `score` and `check` of
# examples/acme.yaml: instructions executed (valgrind callgrind, which does
# not depend on machine load; runs that hit an instruction valgrind cannot
# decode are retried) and the median and minimum wall time of N interleaved
# runs (default 40).
# Usage: bench/startup.sh [-n N] BIN...   e.g. bench/startup.sh /tmp/csmm-main /tmp/csmm-new
set -euo pipefail
cd "$(dirname "$0")/.."
n=40
if [ "${1:-}" = -n ]; then n=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: bench/startup.sh [-n N] BIN..." >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

instructions() { # BIN CMD
  command -v valgrind >/dev/null || { echo "-"; return; }
  for _ in $(seq 12); do
    rc=0
    GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "$1" "$2" examples/acme.yaml --as-of 2026-10-01 >/dev/null 2>"$tmp/vg" || rc=$?
    # check exits 1 when a category is below target
    if [ "$rc" -le 1 ] && ! grep -q Unrecognised "$tmp/vg"; then
      grep 'refs:' "$tmp/vg" | awk '{print $NF}'; return
    fi
  done
  echo "-"
}

for cmd in score check; do
  for i in $(seq "$n"); do
    for b in "$@"; do
      s=$(date +%s%N); "$b" "$cmd" examples/acme.yaml --as-of 2026-10-01 >/dev/null 2>&1 || true; e=$(date +%s%N)
      echo $(( (e - s) / 1000 )) >>"$tmp/$(echo "$b" | tr / _).$cmd"
    done
  done
  for b in "$@"; do
    sort -n "$tmp/$(echo "$b" | tr / _).$cmd" | awk -v b="$b" -v c="$cmd" -v ir="$(instructions "$b" "$cmd")" \
      '{a[NR]=$1} END {printf "%-28s %-5s instructions %14s  wall median %6.1f ms  min %6.1f ms  (%d runs)\n", b, c, ir, a[int((NR+1)/2)]/1000, a[1]/1000, NR}'
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
