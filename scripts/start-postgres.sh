#!/bin/sh
# Start a throw-away PostgreSQL cluster for the record-store tests (Debian's postgresql package, run as the
# postgres user, data in $TAIMEN_PG_DIR, TCP on 127.0.0.1:$TAIMEN_PG_PORT) and print the line to export:
#   TAIMEN_TEST_POSTGRES_URL=postgresql://taimen:…@127.0.0.1:55432/taimen
# The role may create databases: each test gets its own. Idempotent: an already running cluster is reused.
set -eu
dir=${TAIMEN_PG_DIR:-/tmp/taimen-pg}
port=${TAIMEN_PG_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
if [ ! -s "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  chmod 700 "$dir"
  as_pg "'$bin/initdb' -D '$dir' -A trust -U postgres -E UTF8 --no-locale >'$dir.initdb.log' 2>&1" ||
    { cat "$dir.initdb.log" >&2; exit 1; }
fi
if ! as_pg "'$bin/pg_ctl' -D '$dir' status" >/dev/null 2>&1; then
  as_pg "'$bin/pg_ctl' -D '$dir' -w -t 60 -l '$dir/server.log' \
    -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=on -c max_connections=100\" start" >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
fi
as_pg "'$bin/psql' -h '$dir' -p $port -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt" <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taimen') THEN
    CREATE ROLE taimen LOGIN CREATEDB PASSWORD 'taimen-test-only';
  END IF;
END $$;
GRANT pg_signal_backend TO taimen;
SELECT 'CREATE DATABASE taimen OWNER taimen' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'taimen')\gexec
SQL
echo "TAIMEN_TEST_POSTGRES_URL=postgresql://taimen:taimen-test-only@127.0.0.1:$port/taimen"
echo "TAIMEN_TEST_POSTGRES_DATADIR=$dir"
