#!/usr/bin/env bash
# Load benchmark of the csmm API on SQLite, then on PostgreSQL.
#
# Builds the csmm binary and the benchmark, then for each database runs
# bench/api: it starts `csmm serve` as a separate process on a free port of
# 127.0.0.1 over a fresh database (a new SQLite file; a new database on the
# throwaway PostgreSQL server of scripts/postgres.sh), creates the
# organization, its owner and an API token with `csmm user create` and
# `csmm token create`, seeds the assessments through importAssessment, runs
# the clients (putAnswer and getScore) for the duration, and prints a table.
# JSON results go to $OUT (default a new temporary directory).
#
# Usage: bench/api/run.sh [sqlite|postgres|both] [extra flags for bench/api]
#   e.g. bench/api/run.sh both -duration 60s -write-ratio 0.2
# Defaults: 64 clients, 1000 assessments, 30 s measured after 3 s of warm-up.
set -euo pipefail
cd "$(dirname "$0")/../.."

which=${1:-both}
case "$which" in
  sqlite | postgres | both) [ $# -gt 0 ] && shift ;;
  -*) which=both ;;
  *) echo "run.sh: unknown database $which: expected sqlite, postgres or both" >&2; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/csmm-bench.XXXXXX")
OUT=${OUT:-$work}
mkdir -p "$OUT"
cleanup() {
  csmm_postgres_stop >/dev/null 2>&1 || true
  rm -rf "$work/bin"
}
trap cleanup EXIT

echo "== building csmm and the benchmark" >&2
go build -o "$work/bin/csmm" ./cmd/csmm
go build -o "$work/bin/bench-api" ./bench/api

common=(-clients 64 -assessments 1000 -duration 30s -csmm "$work/bin/csmm")
status=0

if [ "$which" = sqlite ] || [ "$which" = both ]; then
  echo "== SQLite" >&2
  "$work/bin/bench-api" -db sqlite "${common[@]}" -json "$OUT/sqlite.json" "$@" || status=1
fi

if [ "$which" = postgres ] || [ "$which" = both ]; then
  echo "== PostgreSQL" >&2
  # Starts a throwaway cluster (installing PostgreSQL when root and missing)
  # and exports CSMM_TEST_POSTGRES_URL; bench/api creates a fresh database on it.
  # shellcheck source=scripts/postgres.sh
  . scripts/postgres.sh
  if [ -z "${CSMM_TEST_POSTGRES_URL:-}" ]; then
    echo "run.sh: PostgreSQL is not available" >&2
    exit 1
  fi
  "$work/bin/bench-api" -db postgres -postgres-url "$CSMM_TEST_POSTGRES_URL" "${common[@]}" -json "$OUT/postgres.json" "$@" || status=1
fi

echo "== results in $OUT" >&2
exit "$status"
