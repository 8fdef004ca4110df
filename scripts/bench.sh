#!/usr/bin/env bash
# Measures rollbar-deploy against its speed and size budgets, as whole processes, against the
# fake Rollbar server (internal/rollbartest/fakerollbar) on 127.0.0.1:
#   - recording a deploy, N times, alternating with the official action's method
#     (rollbar/github-deploy-action's entrypoint.sh: bash + curl + jq posting the same deploy,
#     reading .data.deploy_id, appending deploy_id=… to GITHUB_OUTPUT);
#     prints the median of each and the median of the pairwise ratios (ours / theirs);
#   - peak memory of one record (/usr/bin/time -v "Maximum resident set size");
#   - the stripped binary's size, and the image's if rollbar-deploy:test exists in podman/docker;
#   - a record with two 503s injected before success: one deploy, within the timeout.
# Exits non-zero when a budget is broken.
#
#   bash scripts/bench.sh [N]        N runs of each (default 30)
#
# Environment:
#   IMAGE             image whose size is checked (default rollbar-deploy:test)
#   MAX_RATIO         budget for the median ratio (default 1.0; the aim is 0.5)
#   MAX_RSS_BYTES     peak memory budget (default 20 MB = 20000000)
#   MAX_BINARY_BYTES  binary size budget (default 10 MB = 10000000)
#   MAX_IMAGE_BYTES   image size budget (default 15 MB = 15000000)
# Needs go, bash, curl, jq and /usr/bin/time (installed with apt-get when missing and run as
# root); uses hyperfine for a cross-check when it is installed.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$(dirname "${BASH_SOURCE[0]}")/.."

N=${1:-30}
IMAGE=${IMAGE:-rollbar-deploy:test}
MAX_RATIO=${MAX_RATIO:-1.0}
MAX_RSS_BYTES=${MAX_RSS_BYTES:-20000000}
MAX_BINARY_BYTES=${MAX_BINARY_BYTES:-10000000}
MAX_IMAGE_BYTES=${MAX_IMAGE_BYTES:-15000000}
SHA=0a1b2c3d4e5f60718293a4b5c6d7e8f901234567
TOKEN=post-token

case "$N" in '' | *[!0-9]* | 0) echo "usage: bash scripts/bench.sh [N]  (N: runs of each, at least 1)" >&2; exit 2 ;; esac

WORK=""
FAKE_PID=""
FAKE_URL=""
BROKEN=0
DIE_PREFIX="bench: "

budget() { # budget NAME OK? DETAIL
  if [ "$2" = 1 ]; then printf '  ok      %s\n' "$1 $3"; else printf '  BROKEN  %s\n' "$1 $3"; BROKEN=1; fi
}

trap cleanup EXIT
trap 'exit 130' INT TERM

need_tools() {
  local missing=()
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  [ -x /usr/bin/time ] || missing+=(time)
  [ "${#missing[@]}" -eq 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }
  else
    die "missing ${missing[*]}: install them (apt-get install ${missing[*]})"
  fi
}

build() {
  log "building the stripped binary and the fake server"
  CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$WORK/rollbar-deploy" .
  build_fake
}

fake() { curl -fsS "$@"; }
deploy_count() { fake "$FAKE_URL/_fake/deploys" | jq 'length'; }

# official.sh is the official action's entrypoint.sh reduced to a record: the same checks, one
# curl posting the deploy, jq reading the id, the id appended to GITHUB_OUTPUT. It posts the
# JSON body rollbar-deploy sends (the original posts the same fields as a form).
write_official() {
  cat >"$WORK/official.sh" <<'EOF'
#!/bin/bash
ENVIRONMENT=$1
VERSION=$2
if [[ -z "$ROLLBAR_ACCESS_TOKEN" ]]; then
  echo "Set the ROLLBAR_ACCESS_TOKEN env variable."
  exit 1
fi
if [[ -z "$ENVIRONMENT" ]]; then
  echo "Missing the environment argument."
  exit 1
fi
if [[ -z "$VERSION" ]]; then
  echo "Missing the version argument."
  exit 1
fi
RESPONSE=$(curl -sS -X POST "$ROLLBAR_API_URL/api/1/deploy/$DEPLOY_ID" \
                -H "X-ROLLBAR-ACCESS-TOKEN: $ROLLBAR_ACCESS_TOKEN" \
                -H "Content-Type: application/json" \
                --data-binary "@$DEPLOY_BODY")
ROLLBAR_DEPLOY_ID=$(echo $RESPONSE | jq -r '.data.deploy_id')
if [[ "$ROLLBAR_DEPLOY_ID" == "null" ]]; then
    exit 1
fi
echo "deploy_id=$ROLLBAR_DEPLOY_ID" >> $GITHUB_OUTPUT
EOF
  # The body rollbar-deploy sends for the same run, from its own dry run.
  run_ours --dry-run --json | grep '^{' | jq -c '.requests[-1].body' >"$WORK/body.json"
  [ -s "$WORK/body.json" ] || die "cannot read the request body from the dry run"
}

# Both run with a clean environment: a GitHub Actions step's variables, no proxies.
common_env=()
set_env() {
  common_env=(
    PATH="$PATH" HOME="$WORK/home"
    ROLLBAR_ACCESS_TOKEN="$TOKEN" ROLLBAR_API_URL="$FAKE_URL"
    GITHUB_OUTPUT="$WORK/github_output"
  )
  mkdir -p "$WORK/home"
  : >"$WORK/github_output"
}

# run_ours runs rollbar-deploy as a GitHub Actions step with the inputs the official action takes.
run_ours() {
  env -i "${common_env[@]}" GITHUB_ACTIONS=true GITHUB_SHA="$SHA" GITHUB_ACTOR=octocat \
    GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=acme/shop GITHUB_RUN_ID=11960822866 \
    GITHUB_ENV="$WORK/github_env" GITHUB_STEP_SUMMARY="$WORK/github_summary" \
    INPUT_ENVIRONMENT=production INPUT_VERSION="$SHA" INPUT_STATUS=succeeded INPUT_LOCAL_USERNAME=octocat \
    "$WORK/rollbar-deploy" "$@"
}

run_theirs() {
  env -i "${common_env[@]}" DEPLOY_BODY="$WORK/body.json" bash "$WORK/official.sh" production "$SHA" succeeded "" "" octocat
}

now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) exit 1; if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'; }

time_runs() {
  log "timing $N records by each, alternating"
  : >"$WORK/ours.us"
  : >"$WORK/theirs.us"
  : >"$WORK/ratio"
  { run_ours >/dev/null 2>&1 && run_theirs >/dev/null; } || die "a warm-up run failed"
  local before start ours theirs
  before=$(deploy_count)
  for _ in $(seq "$N"); do
    start=$(now_us)
    run_ours >/dev/null || die "rollbar-deploy failed"
    ours=$(($(now_us) - start))
    start=$(now_us)
    run_theirs >/dev/null || die "the official method failed"
    theirs=$(($(now_us) - start))
    echo "$ours" >>"$WORK/ours.us"
    echo "$theirs" >>"$WORK/theirs.us"
    awk -v o="$ours" -v t="$theirs" 'BEGIN {printf "%.6f\n", o / t}' >>"$WORK/ratio"
  done
  local recorded=$(($(deploy_count) - before))
  [ "$recorded" -eq $((2 * N)) ] || die "expected $((2 * N)) deploys recorded, the fake has $recorded"
  OURS_MS=$(median <"$WORK/ours.us" | awk '{printf "%.2f", $1 / 1000}')
  THEIRS_MS=$(median <"$WORK/theirs.us" | awk '{printf "%.2f", $1 / 1000}')
  RATIO=$(median <"$WORK/ratio" | awk '{printf "%.3f", $1}')
}

# hyperfine_check times the same two commands with hyperfine (no shell in between: env execs
# each), when it is installed, as a cross-check of the loop above.
hyperfine_check() {
  command -v hyperfine >/dev/null 2>&1 || { echo "hyperfine: not installed (cross-check skipped)"; return; }
  log "cross-checking with hyperfine"
  local ours theirs
  ours=$(printf '%q ' env -i "${common_env[@]}" GITHUB_ACTIONS=true GITHUB_SHA="$SHA" GITHUB_ACTOR=octocat \
    INPUT_ENVIRONMENT=production INPUT_LOCAL_USERNAME=octocat "$WORK/rollbar-deploy")
  theirs=$(printf '%q ' env -i "${common_env[@]}" DEPLOY_BODY="$WORK/body.json" bash "$WORK/official.sh" production "$SHA" succeeded)
  if ! hyperfine -N --warmup 3 --runs "$N" --export-json "$WORK/hyperfine.json" -n rollbar-deploy "$ours" -n "official method" "$theirs" >/dev/null 2>&1; then
    echo "hyperfine: failed (cross-check skipped)"
    return
  fi
  jq -r '.results[] | "hyperfine: \(.command) median \(.median * 100000 | round / 100) ms"' "$WORK/hyperfine.json"
}

peak_rss() {
  log "measuring peak memory"
  local kb max=0
  for _ in 1 2 3; do
    env -i "${common_env[@]}" GITHUB_ACTIONS=true GITHUB_SHA="$SHA" INPUT_ENVIRONMENT=production INPUT_LOCAL_USERNAME=octocat \
      /usr/bin/time -v -o "$WORK/time.txt" "$WORK/rollbar-deploy" >/dev/null
    kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
    [ "$kb" -gt "$max" ] && max=$kb
  done
  RSS_KB=$max
}

image_size() {
  IMAGE_BYTES=""
  local engine
  for engine in podman docker; do
    command -v "$engine" >/dev/null 2>&1 || continue
    if IMAGE_BYTES=$(timeout 20 "$engine" image inspect --format '{{.Size}}' "$IMAGE" 2>/dev/null) && [ -n "$IMAGE_BYTES" ]; then
      IMAGE_ENGINE=$engine
      return
    fi
    IMAGE_BYTES=""
  done
}

two_503s() {
  log "recording with two 503s injected before success"
  fake -X POST "$FAKE_URL/_fake/reset" >/dev/null
  fake -X POST "$FAKE_URL/_fake/faults" \
    -d '{"kind":"status","status":503,"times":2,"method":"POST","path":"/api/1/deploy"}' >/dev/null
  local start out rc=0
  start=$(now_us)
  out=$(run_ours --timeout 30s 2>"$WORK/503.err") || rc=$?
  RETRY_MS=$((($(now_us) - start) / 1000))
  RETRY_DEPLOYS=$(deploy_count)
  RETRY_POSTS=$(fake "$FAKE_URL/_fake/requests" | jq '[.[] | select(.method == "POST")] | length')
  RETRY_ID=$(fake "$FAKE_URL/_fake/deploys" | jq -r '.[0].id // empty')
  RETRY_OK=0
  if [ "$rc" = 0 ] && [ "$RETRY_DEPLOYS" = 1 ] && grep -qx "$RETRY_ID" <<<"$out" && [ "$RETRY_MS" -lt 30000 ]; then
    RETRY_OK=1
  else
    cat "$WORK/503.err" >&2
  fi
}

main() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build the binary and the fake server"
  need_tools
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/rollbar-deploy-bench.XXXXXX")
  build
  run_fake -quiet -rate-limit 1000000
  set_env
  write_official
  time_runs
  peak_rss
  image_size
  two_503s

  local bin_bytes
  bin_bytes=$(stat -c %s "$WORK/rollbar-deploy")
  printf '\nrollbar-deploy benchmark: %s records each, against the fake Rollbar on %s\n' "$N" "$FAKE_URL"
  printf '  rollbar-deploy median          %8s ms\n' "$OURS_MS"
  printf '  official method median        %8s ms   (bash + curl + jq)\n' "$THEIRS_MS"
  printf '  median ratio (ours / theirs)  %8s\n' "$RATIO"
  printf '  peak RSS                      %8s KiB  (%s bytes)\n' "$RSS_KB" "$((RSS_KB * 1024))"
  printf '  binary size                   %8s bytes\n' "$bin_bytes"
  if [ -n "$IMAGE_BYTES" ]; then
    printf '  image                         %8s bytes  (%s %s)\n' "$IMAGE_BYTES" "$IMAGE_ENGINE" "$IMAGE"
  else
    printf '  image: not built (%s)\n' "$IMAGE"
  fi
  printf '  two 503s then success         %s deploy(s), %s POSTs, %s ms, id %s\n' "$RETRY_DEPLOYS" "$RETRY_POSTS" "$RETRY_MS" "${RETRY_ID:-none}"
  hyperfine_check | sed 's/^/  /'

  printf '\nbudgets:\n'
  budget "ratio <= $MAX_RATIO:" "$(awk -v r="$RATIO" -v m="$MAX_RATIO" 'BEGIN {print (r <= m) ? 1 : 0}')" "$RATIO"
  if awk -v r="$RATIO" 'BEGIN {exit !(r > 0.5)}'; then printf '  note    the aim is a ratio <= 0.5\n'; fi
  budget "peak memory <= $MAX_RSS_BYTES bytes:" "$([ $((RSS_KB * 1024)) -le "$MAX_RSS_BYTES" ] && echo 1 || echo 0)" "$((RSS_KB * 1024))"
  budget "binary <= $MAX_BINARY_BYTES bytes:" "$([ "$bin_bytes" -le "$MAX_BINARY_BYTES" ] && echo 1 || echo 0)" "$bin_bytes"
  if [ -n "$IMAGE_BYTES" ]; then
    budget "image <= $MAX_IMAGE_BYTES bytes:" "$([ "$IMAGE_BYTES" -le "$MAX_IMAGE_BYTES" ] && echo 1 || echo 0)" "$IMAGE_BYTES"
  fi
  budget "two 503s: one deploy within the timeout:" "$RETRY_OK" "${RETRY_DEPLOYS} deploy(s) in ${RETRY_MS} ms"
  if [ "$BROKEN" = 1 ]; then
    printf '\nbench: a budget is broken\n' >&2
    exit 1
  fi
}

main
