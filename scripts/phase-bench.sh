#!/usr/bin/env bash
# Figures for the time budgets by phase, as whole processes against the fake Rollbar server
# (internal/rollbartest/fakerollbar) on 127.0.0.1: wall time, requests and peak memory of
#   - a record with 500 source maps, each answered after 100 ms (the default 30s timeout: the
#     maps upload 4 at a time in their two thirds of it, the deploy keeps the rest);
#   - list --all over 20,000 deploys (pages of 5000, each with its own timeout);
#   - a record with one 60 MB source map (streamed from its file, not held in memory).
# It prints the figures; it checks only that each run did its work.
#
#   bash scripts/phase-bench.sh
#
# Needs go, curl, jq and /usr/bin/time.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

WORK=$(mktemp -d)
FAKE_PID=""
FAKE_URL=""
DIE_PREFIX="phase-bench: "
trap cleanup EXIT
trap 'exit 130' INT TERM
[ -x /usr/bin/time ] || die "needs /usr/bin/time (apt-get install time)"

log "building the stripped binary and the fake server"
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$WORK/rollbar-deploy" .
build_fake
run_fake -quiet -rate-limit 100000

control() { curl -fsS -X POST "$FAKE_URL/_fake/$1" "${@:2}" >/dev/null; }
# requests: the requests the fake was sent, counted by method and path.
requests() {
  curl -fsS "$FAKE_URL/_fake/requests" |
    jq -r 'group_by(.method + " " + .path) | map("\(length) \(.[0].method) \(.[0].path)") | join(", ")'
}

# measure NAME ARGS…: runs the binary with ARGS under /usr/bin/time and prints its figures.
measure() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$WORK/time" env -i PATH="$PATH" HOME="$WORK" \
    ROLLBAR_API_URL="$FAKE_URL" ROLLBAR_ACCESS_TOKEN=post-token ROLLBAR_READ_ACCESS_TOKEN=read-token \
    ROLLBAR_ENVIRONMENT=production ROLLBAR_REVISION=0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 \
    "$WORK/rollbar-deploy" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; die "$name failed"; }
  read -r wall rss <"$WORK/time"
  printf '%-34s wall %6.2fs  peak RSS %6.1f MB' "$name" "$wall" "$(echo "$rss / 1024" | bc -l)"
}

log "500 source maps, each answered after 100 ms"
mkdir -p "$WORK/dist"
map=$(printf '{"version":3,"sources":["src/app.ts"],"names":[],"mappings":"%s"}' "$(head -c 20000 /dev/zero | tr '\0' 'A')")
for i in $(seq -w 1 500); do printf '%s' "$map" >"$WORK/dist/chunk-$i.js.map"; done
control reset
control faults -d '{"kind":"slow","delay":"100ms","times":500,"path":"/api/1/sourcemap"}'
measure "record + 500 maps (100 ms each)" --source-maps "$WORK/dist" --url-prefix https://cdn.example.com/static/
grep -qx '45306460' "$WORK/stdout" || die "the deploy was not recorded: $(cat "$WORK/stderr")"
printf '  requests: %s; stderr %d lines\n' "$(requests)" "$(wc -l <"$WORK/stderr")"

log "list --all over 20,000 deploys"
control reset
control 'seed?n=20000&environment=production'
measure "list --all (20,000 deploys)" list --all --json
n=$(jq length "$WORK/stdout")
[ "$n" = 20000 ] || die "listed $n deploys, not 20000"
printf '  requests: %s; %d deploys listed\n' "$(requests)" "$n"

log "one 60 MB source map"
control reset
{ printf '{"version":3,"sources":["src/app.ts"],"names":[],"mappings":"'; head -c 62914560 /dev/zero | tr '\0' 'A'; printf '"}'; } >"$WORK/big.js.map"
measure "record + one 60 MB map" --source-maps "$WORK/big.js.map" --minified-urls https://cdn.example.com/big.js
printf '  requests: %s; map %d bytes\n' "$(requests)" "$(stat -c %s "$WORK/big.js.map")"
