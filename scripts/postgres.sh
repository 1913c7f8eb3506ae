#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the store tests and gives its URL.
#
#   . scripts/postgres.sh    exports CSMM_TEST_POSTGRES_URL (and stops the
#                            server when the sourcing shell exits, unless that
#                            shell already has an EXIT trap: then call
#                            csmm_postgres_stop yourself)
#   scripts/postgres.sh      prints the URL; the server keeps running
#
# As root on Debian it installs PostgreSQL from Debian's packages when it is
# missing. The cluster lives in a new temporary directory, owned by the
# postgres user, listening on 127.0.0.1 on a free port with trust
# authentication: for tests only, never for data. Does nothing when
# CSMM_TEST_POSTGRES_URL is already set.

csmm_postgres_start() {
  if [ -n "${CSMM_TEST_POSTGRES_URL:-}" ]; then
    echo "$CSMM_TEST_POSTGRES_URL"
    return 0
  fi
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "postgres.sh: PostgreSQL is not installed and only root can install it (apt-get install postgresql)" >&2
      return 1
    fi
    echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 || return 1
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bindir" ]; then
      echo "postgres.sh: PostgreSQL was installed but no /usr/lib/postgresql/*/bin was found" >&2
      return 1
    fi
  fi

  # Run the server as postgres when root (PostgreSQL refuses to run as root).
  local as=()
  if [ "$(id -u)" = 0 ]; then
    as=(runuser -u postgres --)
  fi

  local dir port p
  dir=$(mktemp -d "${TMPDIR:-/tmp}/csmm-postgres.XXXXXX") || return 1
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
  fi
  for p in $(shuf -i 20000-60000 -n 100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      port=$p
      break
    fi
  done
  if [ -z "${port:-}" ]; then
    echo "postgres.sh: found no free port" >&2
    return 1
  fi

  "${as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
    echo "postgres.sh: initdb failed:" >&2; cat "$dir/initdb.log" >&2; return 1
  }
  "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null || {
    echo "postgres.sh: the server did not start:" >&2; cat "$dir/server.log" >&2; return 1
  }
  "${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres csmm_test || return 1

  CSMM_POSTGRES_DIR=$dir
  CSMM_POSTGRES_BIN=$bindir
  export CSMM_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/csmm_test?sslmode=disable"
  echo "$CSMM_TEST_POSTGRES_URL"
}

# csmm_postgres_stop stops the server started by csmm_postgres_start and
# removes its directory.
csmm_postgres_stop() {
  if [ -n "${CSMM_POSTGRES_DIR:-}" ] && [ -d "$CSMM_POSTGRES_DIR" ]; then
    local as=()
    if [ "$(id -u)" = 0 ]; then
      as=(runuser -u postgres --)
    fi
    "${as[@]}" "$CSMM_POSTGRES_BIN/pg_ctl" -D "$CSMM_POSTGRES_DIR/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$CSMM_POSTGRES_DIR"
    unset CSMM_POSTGRES_DIR CSMM_TEST_POSTGRES_URL
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  csmm_postgres_start
  echo "postgres.sh: stop it with: ${CSMM_POSTGRES_BIN:-pg_ctl}/pg_ctl -D ${CSMM_POSTGRES_DIR:-DIR}/data stop" >&2
else
  if csmm_postgres_start >/dev/null; then
    if [ -n "${CSMM_POSTGRES_DIR:-}" ] && [ -z "$(trap -p EXIT)" ]; then
      trap csmm_postgres_stop EXIT
    fi
  else
    echo "postgres.sh: PostgreSQL is not available; the PostgreSQL store tests will not run" >&2
  fi
fi
