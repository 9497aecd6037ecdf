#!/usr/bin/env bash
# The servers some tests need, on loopback: a throwaway PostgreSQL cluster and moto's S3 server.
#
#   scripts/test-services.sh start   # start both (idempotent), wait until they answer, print the exports
#   scripts/test-services.sh env     # print the exports (exit 1 when the services are not running)
#   scripts/test-services.sh stop    # stop both and delete the cluster (idempotent)
#
#   eval "$(scripts/test-services.sh start)" && make test
#
# PostgreSQL is Debian's package (apt-get install postgresql); as root the cluster runs as the `postgres`
# user. It listens on 127.0.0.1 only, with trust authentication (loopback only; throwaway data).
# The S3 server is moto_server from requirements-dev.txt (moto[server]); it accepts any key and secret.
# Settings: CIVILKORT_SERVICES_DIR (default /tmp/civilkort-test-services-$UID-<checkout>), PG_PORT (default 5433,
# or a free port when taken), S3_PORT (default 5434, or a free port), VENV (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

# one folder per user and checkout, so two worktrees on one machine do not stop each other's services
DIR="${CIVILKORT_SERVICES_DIR:-/tmp/civilkort-test-services-$(id -u)-$(pwd -P | cksum | cut -d' ' -f1)}"
PGDATA_DIR="$DIR/pgdata"
ENV_FILE="$DIR/env"
S3_PID="$DIR/moto.pid"
VENV="${VENV:-.venv}"
WAIT_SECONDS=60

say() { echo "test-services: $*" >&2; }
die() { say "$*"; exit 1; }

pg_bin() {
  # Debian keeps initdb/pg_ctl out of PATH: the newest installed major version
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || bin="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"
  [ -x "$bin/initdb" ] || die "PostgreSQL findes ikke (apt-get install postgresql)."
  echo "$bin"
}

as_pg() {
  # run a PostgreSQL server program: as `postgres` when we are root (initdb and postgres refuse root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local preferred="$1" port
  if port_free "$preferred"; then echo "$preferred"; return; fi
  for port in $(seq $((preferred + 100)) $((preferred + 400))); do
    if port_free "$port"; then echo "$port"; return; fi
  done
  die "ingen ledig port nær $preferred"
}

pg_running() {
  [ -f "$PGDATA_DIR/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

s3_running() {
  [ -f "$S3_PID" ] && kill -0 "$(cat "$S3_PID")" 2>/dev/null
}

start_postgres() {
  local bin port
  bin="$(pg_bin)"
  if pg_running; then
    say "PostgreSQL kører allerede ($PGDATA_DIR)"
    return
  fi
  port="$(free_port "${PG_PORT:-5433}")"
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    rm -rf "$PGDATA_DIR"
    mkdir -p "$PGDATA_DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA_DIR"
    as_pg "$bin/initdb" -D "$PGDATA_DIR" --username=postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb fejlede"; }
    # loopback only; the socket lives in the cluster's own folder, not /run/postgresql
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $port"
      echo "unix_socket_directories = '$PGDATA_DIR'"
      echo "fsync = off"  # throwaway test data: speed over durability
      echo "max_connections = 200"
    } >>"$PGDATA_DIR/postgresql.conf"
  else
    sed -i "s/^port = .*/port = $port/" "$PGDATA_DIR/postgresql.conf"
  fi
  as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t "$WAIT_SECONDS" start >/dev/null \
    || { tail -n 30 "$PGDATA_DIR/server.log" >&2; die "PostgreSQL startede ikke"; }
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t "$WAIT_SECONDS" || die "PostgreSQL svarer ikke på $port"
  say "PostgreSQL kører på 127.0.0.1:$port"
}

pg_port() {
  sed -n 's/^port = \([0-9]*\).*/\1/p' "$PGDATA_DIR/postgresql.conf" | tail -n 1
}

start_s3() {
  local moto port deadline
  if s3_running; then
    say "S3-serveren (moto) kører allerede (pid $(cat "$S3_PID"))"
    return
  fi
  moto="$VENV/bin/moto_server"
  [ -x "$moto" ] || moto="$(command -v moto_server || true)"
  [ -n "$moto" ] || die "moto_server findes ikke (pip install -r requirements-dev.txt)."
  port="$(free_port "${S3_PORT:-5434}")"
  mkdir -p "$DIR"
  nohup "$moto" -H 127.0.0.1 -p "$port" >"$DIR/moto.log" 2>&1 &
  echo $! >"$S3_PID"
  echo "$port" >"$DIR/moto.port"
  deadline=$((SECONDS + WAIT_SECONDS))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null; do
    s3_running || { tail -n 30 "$DIR/moto.log" >&2; die "moto_server stoppede"; }
    [ "$SECONDS" -lt "$deadline" ] || die "moto_server svarer ikke på $port efter $WAIT_SECONDS s"
    sleep 0.2
  done
  say "S3-serveren (moto) kører på 127.0.0.1:$port"
}

write_env() {
  {
    echo "export CIVILKORT_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$(pg_port)/postgres"
    echo "export CIVILKORT_TEST_S3_ENDPOINT=http://127.0.0.1:$(cat "$DIR/moto.port")"
  } >"$ENV_FILE"
}

print_env() {
  if pg_running && s3_running && [ -f "$ENV_FILE" ]; then
    cat "$ENV_FILE"
  else
    say "tjenesterne kører ikke (scripts/test-services.sh start)"
    return 1
  fi
}

stop_all() {
  if s3_running; then
    kill "$(cat "$S3_PID")" 2>/dev/null || true
    say "S3-serveren er stoppet"
  fi
  if pg_running; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
    say "PostgreSQL er stoppet"
  fi
  # only what start made (the folder may be one the caller named)
  rm -rf "$PGDATA_DIR" "$ENV_FILE" "$S3_PID" "$DIR/moto.port" "$DIR/moto.log" "$DIR/initdb.log"
  rmdir "$DIR" 2>/dev/null || true
}

case "${1:-}" in
  start)
    command -v curl >/dev/null || die "curl findes ikke (apt-get install curl)."
    start_postgres
    start_s3
    write_env
    print_env
    ;;
  env) print_env ;;
  stop) stop_all ;;
  *) die "brug: $0 start|stop|env" ;;
esac
