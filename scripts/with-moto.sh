#!/usr/bin/env bash
# Usage: scripts/with-moto.sh PORT COMMAND...
# Starts moto server on 127.0.0.1:PORT, points the AWS SDK at it (AWS_ENDPOINT_URL, a region,
# dummy credentials), runs COMMAND, and stops moto whatever happens.
set -euo pipefail
port=$1; shift
log=.test-output/moto.log
mkdir -p .test-output
# The project's virtualenv (make tools-test) holds the pinned moto, whatever PATH says.
python=python3
[ -x .venv/bin/python3 ] && python=.venv/bin/python3
"$python" scripts/moto-server.py 127.0.0.1 "$port" >"$log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null; wait $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/moto-api/data.json" >/dev/null && break
  kill -0 $moto_pid 2>/dev/null || { echo "moto server did not start; see $log" >&2; exit 1; }
  sleep 0.2
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
unset AWS_PROFILE AWS_SESSION_TOKEN
"$@"
