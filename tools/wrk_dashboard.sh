#!/usr/bin/env bash
# Requests per second of the dashboard JSON endpoint against /healthz, under gunicorn with 2 workers.
#
# Usage: tools/wrk_dashboard.sh [DATABASE_URL] [PORT]
#   DATABASE_URL defaults to the PostgreSQL database `flask bench --scale 1m` leaves behind.
# Needs wrk (Debian: apt-get install -y wrk) and Redis on 127.0.0.1:6379 (the workers share the cache).
# Every request goes to 127.0.0.1 only; each wrk run lasts 20 seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${1:-postgresql://postgres@127.0.0.1:5432/wcc_bench_1m}"
PORT="${2:-5190}"
VENV="${VENV:-.venv}"
INSTANCE="$(mktemp -d /tmp/wcc-wrk.XXXXXX)"
export WCC_DATABASE_URL="$DB" WCC_REDIS_URL="redis://127.0.0.1:6379/15" WCC_INSTANCE_DIR="$INSTANCE"
export WCC_LOG_LEVEL=WARNING
TOKEN="$("$VENV/bin/flask" --app app create-token bench.ministry@wcc.example.org | tail -1)"
redis-cli -n 15 flushdb >/dev/null
"$VENV/bin/gunicorn" --workers 2 --bind "127.0.0.1:$PORT" --log-level warning app:app &
GUNICORN=$!
trap 'kill $GUNICORN; rm -rf "$INSTANCE"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
run() { wrk -t2 -c8 -d20s "$@" | tee /dev/stderr | awk '/Requests\/sec/ {print $2}'; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }
echo "== /healthz"
HEALTH=$(run "http://127.0.0.1:$PORT/healthz")
# Each answer as it is, then as a client that accepts Brotli gets it (compressed once, then from the cache).
for path in /api/v1/dashboard/overview /api/v1/dashboard/goals/G01 "/api/v1/dashboard/goals/G01?include=periods"; do
  for encoding in identity br; do
    URL="http://127.0.0.1:$PORT$path"
    # The first request fills the shared cache; the default range is the latest year with approved figures.
    SIZE=$(curl -sf -H "Authorization: Bearer $TOKEN" -H "Accept-Encoding: $encoding" "$URL" | wc -c)
    echo "== $path, Accept-Encoding: $encoding ($SIZE bytes per answer)"
    RATE=$(run -H "Authorization: Bearer $TOKEN" -H "Accept-Encoding: $encoding" "$URL")
    echo "RESULT $path ($encoding, $SIZE bytes): $RATE req/s against /healthz $HEALTH req/s: ratio $(ratio "$RATE" "$HEALTH")"
  done
done
