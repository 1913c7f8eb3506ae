#!/usr/bin/env bash
# Compares the start-up cost of csmm binaries on `score` and `check` of
# examples/acme.yaml: instructions executed (valgrind callgrind, which does
# not depend on machine load; runs that hit an instruction valgrind cannot
# decode are retried) and, from N interleaved runs (default 40) timed by
# bench/exectime (fork/exec and wait4, no other process between the clock
# readings), the median and minimum wall time and the median CPU time
# (user + system). With -large it then generates the 200-scope answers
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

go build -o "$tmp/exectime" ./bench/exectime
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for cmd in score check; do
  lines=()
  for b in "$@"; do lines+=("$b $cmd examples/acme.yaml --as-of 2026-10-01"); done
  mapfile -t times < <("$tmp/exectime" -n "$n" "${lines[@]}")
  [ "${#times[@]}" -eq $# ] || { echo "bench/exectime failed" >&2; exit 1; }
  i=0
  for b in "$@"; do
    printf '%-28s %-5s instructions %14s  %s\n' "$b" "$cmd" "$(instructions "$b" "$cmd")" "$(echo "${times[$i]}" | sed 's/.* wall /wall /')"
    i=$((i + 1))
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
