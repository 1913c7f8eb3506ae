#!/usr/bin/env bash
# Evidence benchmark: generates scanner files of the given sizes from the
# real samples ($CSMM_SAMPLES) and times reading them with csmm evidence,
# Python's standard library (json.load / csv), jq and DuckDB, interleaved,
# printing a Markdown table of medians: wall seconds, CPU seconds (user +
# system, the fairer figure on a shared machine) and peak RSS (/usr/bin/time).
#
#   CSMM_SAMPLES=../shared/samples bench/evidence/run.sh [SIZE...]   (default 10MB 200MB 800MB)
#
# Sizes: any for generated files (10MB, 200MB, ...); 800MB and 2GB files are
# the records of the 200 MB file repeated 4 and 10 times.
#
# Environment: RUNS (3), FORMATS ("ocsf csv asff"), BENCH_DIR (where files
# go; /tmp/csmm-bench-evidence), CSMM_BEFORE (another csmm binary to compare,
# shown as "csmm before"), DUCKDB=0 to leave DuckDB out. DuckDB is run through
# the npm package @duckdb/node-api (installed in BENCH_DIR/duckdb with npm
# when node and npm are there); jq and python3 are used when installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${CSMM_SAMPLES:?set CSMM_SAMPLES to the samples folder}"
RUNS=${RUNS:-3}
FORMATS=${FORMATS:-"ocsf csv asff"}
BENCH_DIR=${BENCH_DIR:-/tmp/csmm-bench-evidence}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10MB 200MB 800MB)
mkdir -p "$BENCH_DIR"
go build -o "$BENCH_DIR/csmm" ./cmd/csmm
go build -o "$BENCH_DIR/gen" ./bench/evidence/gen
HERE=bench/evidence

tools=(csmm)
[ -n "${CSMM_BEFORE:-}" ] && tools+=(before)
command -v python3 >/dev/null && tools+=(python)
command -v jq >/dev/null && tools+=(jq)
if [ "${DUCKDB:-1}" != 0 ] && command -v node >/dev/null; then
  if [ ! -d "$BENCH_DIR/duckdb/node_modules/@duckdb/node-api" ] && command -v npm >/dev/null; then
    (mkdir -p "$BENCH_DIR/duckdb" && cd "$BENCH_DIR/duckdb" && npm init -y >/dev/null && npm install --silent @duckdb/node-api >/dev/null) || true
  fi
  if [ -d "$BENCH_DIR/duckdb/node_modules/@duckdb/node-api" ]; then
    cp "$HERE/duckdb.mjs" "$BENCH_DIR/duckdb/"
    tools+=(duckdb)
  fi
fi

# cmd TOOL FORMAT FILE: the command of a tool, or nothing when it does not read that format.
cmd() {
  case $1 in
    csmm) echo "$BENCH_DIR/csmm evidence --quiet --format json $3" ;;
    before) echo "$CSMM_BEFORE evidence --format json $3" ;;
    python) echo "python3 $HERE/count.py $2 $3" ;;
    jq) case $2 in
          ocsf) echo "jq -c 'reduce .[] as \$r ({}; .[\$r.status_code] += 1)' $3" ;;
          asff) echo "jq -c 'reduce .Findings[] as \$r ({}; .[\$r.Compliance.Status // \"none\"] += 1)' $3" ;;
        esac ;;
    duckdb) case $2 in
          ocsf|csv) echo "node $BENCH_DIR/duckdb/duckdb.mjs $2 $3" ;;
        esac ;;
  esac
}

# repeat FORMAT BASE N OUT: a file of the records of BASE repeated N times
# (how files over 200 MB are made: generating them record by record is slow).
repeat() {
  local fmt=$1 base=$2 n=$3 out=$4 i
  case $fmt in
    ocsf) { printf '['; for i in $(seq "$n"); do [ "$i" = 1 ] || printf ','; tail -c +2 "$base" | head -c -3; done; printf '\n]\n'; } > "$out" ;;
    asff) { printf '{"Findings": ['; for i in $(seq "$n"); do [ "$i" = 1 ] || printf ','; tail -c +15 "$base" | head -c -4; done; printf '\n]}\n'; } > "$out" ;;
    csv) { head -n 1 "$base"; for i in $(seq "$n"); do tail -n +2 "$base"; done; } > "$out" ;;
  esac
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

results=$BENCH_DIR/results.tsv
: > "$results"
for size in "${SIZES[@]}"; do
  for fmt in $FORMATS; do
    f=$BENCH_DIR/$fmt-$size.$fmt
    if [ ! -s "$f" ]; then
      case $size in
        800MB|2GB)
          base=$BENCH_DIR/$fmt-200MB.$fmt
          [ -s "$base" ] || "$BENCH_DIR/gen" -format "$fmt" -size 200MB -o "$base"
          repeat "$fmt" "$base" "$([ "$size" = 800MB ] && echo 4 || echo 10)" "$f" ;;
        *) "$BENCH_DIR/gen" -format "$fmt" -size "$size" -o "$f" ;;
      esac
    fi
    for run in $(seq "$RUNS"); do
      for tool in "${tools[@]}"; do
        c=$(cmd "$tool" "$fmt" "$f")
        [ -n "$c" ] || continue
        if /usr/bin/time -f "%e %U %S %M" -o "$BENCH_DIR/time.out" bash -c "$c" >/dev/null 2>"$BENCH_DIR/err.out"; then
          read -r secs user sys kb < "$BENCH_DIR/time.out"
          cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')
          printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$fmt" "$tool" "$secs" "$kb" "$cpu" >> "$results"
        else
          echo "$tool $fmt $size failed: $(tail -3 "$BENCH_DIR/err.out")" >&2
        fi
      done
    done
  done
done

echo "| size | format | $(printf '%s | ' "${tools[@]}")"
echo "|---|---|$(printf -- '---|%.0s' "${tools[@]}")"
for size in "${SIZES[@]}"; do
  for fmt in $FORMATS; do
    row="| $size | $fmt |"
    for tool in "${tools[@]}"; do
      t=$(awk -F'\t' -v s="$size" -v f="$fmt" -v x="$tool" '$1==s&&$2==f&&$3==x{print $4}' "$results" | median)
      m=$(awk -F'\t' -v s="$size" -v f="$fmt" -v x="$tool" '$1==s&&$2==f&&$3==x{print $5}' "$results" | median)
      c=$(awk -F'\t' -v s="$size" -v f="$fmt" -v x="$tool" '$1==s&&$2==f&&$3==x{print $6}' "$results" | median)
      if [ "$t" = "-" ]; then row="$row – |"; else row="$row $t s (cpu $c s), $(( ${m%.*} / 1024 )) MB |"; fi
    done
    echo "$row"
  done
done
echo
echo "medians of $RUNS interleaved runs: wall seconds (CPU seconds, user + system), peak RSS; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
