#!/usr/bin/env bash
# The engine demo: plan, apply, change the directory, plan and apply again, status and
# audit, against `connector sandbox` on 127.0.0.1 (nothing leaves this machine).
#
#   cargo build -p connector-toolkit && CONNECTOR_BIN=target/debug/connector engine/demo/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${CONNECTOR_BIN:-connector}
port=${PORT:-8787}
work=$(mktemp -d)
cp "$here"/assignments.toml "$here"/*.csv "$work"
cd "$work"
sed -i "s/PORT/$port/g" assignments.toml

"$bin" sandbox --listen "127.0.0.1:$port" > sandbox.out 2>&1 &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^zoom ' sandbox.out 2>/dev/null && break; sleep 0.1; done
token() { awk -v t="$1" '$1 == t { found = 1 } found && $1 == "bearer" { print $2; exit }' sandbox.out; }
export DEMO_CHATGPT_TOKEN=$(token chatgpt) DEMO_SLACK_TOKEN=$(token slack) DEMO_ZOOM_TOKEN=$(token zoom)

run() { echo; echo "\$ connector $*"; "$bin" "$@" && code=0 || code=$?; echo "(exit $code)"; }
run plan
run apply
run plan
echo; echo "# Ada is promoted and Alan is suspended: an update, disables, seats reclaimed."
cp people-later.csv people.csv
run plan
run apply
run status
run audit --limit 8
echo; echo "work folder: $work"
