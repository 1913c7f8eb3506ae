#!/usr/bin/env bash
# Compares the start-up cost of csmm binaries on `score` and `check` of
# examples/acme.yaml: instructions executed (valgrind callgrind, which does
# not depend on machine load; runs that hit an instruction valgrind cannot
# decode are retried) and the median and minimum wall time of N interleaved
# runs (default 40). With -large it then generates the 200-scope answers
# file (go run ./bench/answers, 24,200 answers, about 4 MB) and gives, for
# each binary, the instructions, CPU seconds and peak RSS of `score` on it
# and the CPU seconds and peak RSS of `report --format xlsx` (/usr/bin/time).
# Usage: bench/startup.sh [-n N] [-large] BIN...   e.g. bench/startup.sh /tmp/csmm-main /tmp/csmm-new
set -euo pipefail
cd "$(dirname "$0")/.."
n=40
large=
if [ "${1:-}" = -n ]; then n=$2; shift 2; fi
if [ "${1:-}" = -large ]; then large=1; shift; fi
[ $# -gt 0 ] || { echo "usage: bench/startup.sh [-n N] [-large] BIN..." >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

instructions() { # BIN CMD [FILE]
  command -v valgrind >/dev/null || { echo "-"; return; }
  for _ in $(seq 12); do
    rc=0
    GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "$1" "$2" "${3:-examples/acme.yaml}" --as-of 2026-10-01 >/dev/null 2>"$tmp/vg" || rc=$?
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
if [ -n "$large" ]; then
  go run ./bench/answers -scopes 200 -o "$tmp/large.yaml"
  for b in "$@"; do
    /usr/bin/time -f "%U %S %M" -o "$tmp/t" "$b" score "$tmp/large.yaml" --as-of 2026-10-01 >/dev/null
    read -r u s m <"$tmp/t"
    printf '%-28s score 200 scopes  instructions %14s  cpu %.2f s  peak RSS %d MB\n' "$b" "$(instructions "$b" score "$tmp/large.yaml")" "$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')" $((m / 1024))
    /usr/bin/time -f "%U %S %M" -o "$tmp/t" "$b" report "$tmp/large.yaml" --format xlsx -o "$tmp/large.xlsx" --as-of 2026-10-01 >/dev/null 2>&1
    read -r u s m <"$tmp/t"
    printf '%-28s xlsx  200 scopes  cpu %.2f s  peak RSS %d MB\n' "$b" "$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')" $((m / 1024))
  done
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
