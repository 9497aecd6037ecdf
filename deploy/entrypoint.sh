#!/usr/bin/env bash
# The one script a replica runs: in the image (ENTRYPOINT) and, in CI's replica test, outside a container.
#
#   entrypoint.sh [serve] [STREAMLIT-OPTIONS…]  check settings, (migrate), warm, then serve the app
#   entrypoint.sh migrate                       check settings, bring the store's schema up to date, exit
#   entrypoint.sh check                         check settings and secrets only
#   entrypoint.sh etl KOMMANDO …                any `python -m etl` command (build, demo, …)
#
# Environment (besides the CIVILKORT_* settings in the README's table):
#   PORT                        port to serve on (default 8501)
#   CIVILKORT_LISTEN_ADDRESS    address to bind (default 0.0.0.0; the tests use 127.0.0.1)
#   CIVILKORT_MIGRATE_ON_START  1: run `python -m etl migrate` before serving (default 0: compose runs
#                               it once, in its own one-shot service, before the replicas start)
#   CIVILKORT_WARM_ON_START     0: skip `python -m etl warm` (default 1; only for a store and builds
#                               that have nothing to fetch: the step is never skipped silently)
#   PYTHON                      the Python to run (default: python on PATH, the image's venv)
# Every step that fails stops the replica with its Danish message and a non-zero exit code.
set -euo pipefail

APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$APP_DIR"
PYTHON="${PYTHON:-python}"
PORT="${PORT:-8501}"
ADDRESS="${CIVILKORT_LISTEN_ADDRESS:-0.0.0.0}"

log() { echo "entrypoint: $*" >&2; }
fail() { log "$*"; exit 2; }

# on/off values for the flags; anything else is a mistake worth stopping for
enabled() {
  local name="$1" value="${2,,}"
  case "$value" in
    1 | true | yes | ja | on) return 0 ;;
    0 | false | no | nej | off) return 1 ;;
    *) fail "$name skal være 1 eller 0 (fik '$2')." ;;
  esac
}

preflight() {
  [[ "$PORT" =~ ^[0-9]+$ ]] && ((PORT >= 1 && PORT <= 65535)) || fail "PORT skal være et portnummer (fik '$PORT')."
  "$PYTHON" deploy/preflight.py || exit $?
}

run_step() {
  local what="$1"
  shift
  log "$what: $PYTHON $*"
  "$PYTHON" "$@" || { log "$what fejlede (kode $?): replikaen starter ikke."; exit 1; }
}

migrate() { run_step "migrering" -m etl migrate; }

warm() {
  if enabled CIVILKORT_WARM_ON_START "${CIVILKORT_WARM_ON_START:-1}"; then
    run_step "opvarmning (henter det aktuelle byggeri og udgiver kortfilerne)" -m etl warm
  else
    log "opvarmning sprunget over (CIVILKORT_WARM_ON_START=0)"
  fi
}

serve() {
  log "starter appen på $ADDRESS:$PORT"
  # Behind the proxy: CORS and XSRF protection stay on. nginx passes the browser's Host (with port), so
  # Streamlit's WebSocket origin check sees the same origin; turning them off would accept any origin.
  # No file watcher (the code never changes in a running replica). Websocket compression stays off: the
  # map's data travels as published files over HTTP (gzip in nginx), a filter change sends 13-69 kB
  # (README, Hastighed), and deflate would cost CPU and memory per open tab on every replica.
  # Logs go to stdout/stderr for the container runtime.
  # serve.py: app.py with the start-up warm-up and its frontend gzipped (nginx passes that through as it is).
  exec "$PYTHON" -m streamlit run serve.py \
    --server.address "$ADDRESS" \
    --server.port "$PORT" \
    --server.headless true \
    --server.fileWatcherType none \
    --server.runOnSave false \
    --server.enableCORS true \
    --server.enableXsrfProtection true \
    --server.enableWebsocketCompression false \
    --browser.gatherUsageStats false \
    "$@"
}

command="${1:-serve}"
case "$command" in
  serve | --*)
    if [ "$#" -gt 0 ] && [ "$1" = serve ]; then shift; fi
    preflight
    if enabled CIVILKORT_MIGRATE_ON_START "${CIVILKORT_MIGRATE_ON_START:-0}"; then migrate; fi
    warm
    serve "$@"
    ;;
  migrate)
    preflight
    migrate
    ;;
  check) preflight ;;
  etl)
    shift
    exec "$PYTHON" -m etl "$@"
    ;;
  *) fail "ukendt kommando '$command' (brug: serve, migrate, check eller etl …)" ;;
esac
