#!/usr/bin/env bash
# The GitHub Action's step time, Docker path against native path, the same deploy against the
# fake Rollbar server on 127.0.0.1, as whole processes:
#   docker   the image present, started as the runner starts a Docker action: `podman create`
#            with INPUT_* for every input of action.yml, the run's GITHUB_* variables and the
#            file-command directory mounted, then `podman start -a`
#   native   action.yml's two sh steps: action/install.sh with a warm tool cache (a released
#            action: a release pin made by internal/release/cmd, the binary already installed),
#            then the binary
#   source   the same for an unreleased ref (the warm step hashes the Go sources for its key)
# Each is run once untimed (a warm cache, podman's first start), then RUNS times; the median of
# each and the ratio native / docker are printed.
#
#   bash scripts/action-bench.sh [RUNS]     RUNS default 1
#
# Environment: IMAGE (default rollbar-deploy:image-test, built by make e2e-setup). Needs go,
# podman, curl, jq.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${1:-1}
IMAGE=${IMAGE:-rollbar-deploy:image-test}
SHA=0a1b2c3d4e5f60718293a4b5c6d7e8f901234567
TAG=v0.0.0-bench
WORK=""
FAKE_PID=""
FAKE_URL=""
DIE_PREFIX="action-bench: "
trap cleanup EXIT
trap 'exit 130' INT TERM

case "$RUNS" in '' | *[!0-9]* | 0) die "usage: bash scripts/action-bench.sh [RUNS]" ;; esac
podman image exists "$IMAGE" || die "$IMAGE is missing: build it with bash scripts/container-setup.sh --image=$IMAGE"
[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] || die "runs on Linux x86_64 (the image's platform)"

WORK=$(mktemp -d)
start_fake
mkdir -p "$WORK/workspace" "$WORK/file_commands" "$WORK/home" "$WORK/cache" "$WORK/temp" "$WORK/mirror/$TAG" "$WORK/action"

# A released action: the release pin over a dist whose linux/amd64 binary is real (the other
# five are not run here), served from a file:// mirror.
log "building the binary and a release pin ($TAG)"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$TAG" -o "$WORK/mirror/$TAG/rollbar-deploy_linux_amd64" .
for a in linux_arm64 darwin_amd64 darwin_arm64 windows_amd64.exe windows_arm64.exe; do
  echo "not run here" > "$WORK/mirror/$TAG/rollbar-deploy_$a"
done
go build -o "$WORK/release" ./internal/release/cmd
(cd "$WORK/action" && "$WORK/release" pin -repository octo/rollbar-deploy -version "$TAG" -dist "$WORK/mirror/$TAG")
mkdir -p "$WORK/action/action"
cp action/install.sh "$WORK/action/action/"

inputs=()
while IFS= read -r name; do
  case "$name" in
    environment) inputs+=("INPUT_ENVIRONMENT=production") ;;
    status) inputs+=("INPUT_STATUS=succeeded") ;;
    download_url) ;;
    *) inputs+=("INPUT_$(tr '[:lower:]' '[:upper:]' <<<"$name")=") ;;
  esac
done < <(awk '/^inputs:/ { on = 1; next } on && /^[^ #]/ { on = 0 } on && /^  [a-z_]+:$/ { sub(/^  /, ""); sub(/:$/, ""); print }' action.yml)

# What the runner gives every step (paths as seen inside the container for the Docker path).
run_env() { # run_env ROOT: ROOT is where workspace and file commands are
  printf '%s\n' CI=true GITHUB_ACTIONS=true "GITHUB_SHA=$SHA" GITHUB_REF=refs/heads/main \
    GITHUB_REPOSITORY=octo/app GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=99 \
    GITHUB_RUN_ATTEMPT=1 GITHUB_ACTOR=octocat GITHUB_EVENT_NAME=push \
    "GITHUB_WORKSPACE=$1/workspace" "GITHUB_OUTPUT=$1/file_commands/output" \
    "GITHUB_ENV=$1/file_commands/env" "GITHUB_STEP_SUMMARY=$1/file_commands/summary" \
    ROLLBAR_ACCESS_TOKEN=post-token "ROLLBAR_API_URL=$FAKE_URL" "${inputs[@]}"
}

docker_step() {
  local args=() id
  while IFS= read -r kv; do args+=(-e "$kv"); done < <(run_env /github)
  id=$(podman create --network host -w /github/workspace -e HOME=/github/home \
    -v "$WORK/workspace:/github/workspace" -v "$WORK/file_commands:/github/file_commands" -v "$WORK/home:/github/home" \
    "${args[@]}" "$IMAGE")
  podman start -a "$id" > /dev/null
  echo "$id" >> "$WORK/containers"
}

# native_step ACTION_DIR: the install step, then the run step, each as the runner runs a
# `shell: sh` step (sh -e SCRIPT).
native_step() {
  local envs=()
  mapfile -t envs < <(run_env "$WORK")
  : > "$WORK/file_commands/install"
  # shellcheck disable=SC2016 # the step's own sh expands it, as in action.yml
  env -i PATH="$PATH" HOME="$WORK/home" GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TOOL_CACHE="$WORK/cache" \
    RUNNER_TEMP="$WORK/temp" GITHUB_ACTION_PATH="$1" GITHUB_OUTPUT="$WORK/file_commands/install" \
    RD_DOWNLOAD_URL="file://$WORK/mirror" RD_ACTION_REPOSITORY=octo/rollbar-deploy \
    sh -e -c 'sh "$GITHUB_ACTION_PATH/action/install.sh"' > "$WORK/install.log"
  local bin
  bin=$(sed -n 's/^path=//p' "$WORK/file_commands/install")
  # shellcheck disable=SC2016 # the step's own sh expands it, as in action.yml
  (cd "$WORK/workspace" && env -i PATH="$PATH" HOME="$WORK/home" "${envs[@]}" RD_BINARY="$bin" \
    sh -e -c 'exec "$RD_BINARY"' > /dev/null)
}

now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
deploys() { curl -fsS "$FAKE_URL/_fake/deploys" | jq length; }

# time_path NAME COMMAND…: a warm-up run, then RUNS timed ones; each records one deploy.
time_path() {
  local name=$1 before start
  shift
  "$@"
  : > "$WORK/$name.us"
  before=$(deploys)
  for _ in $(seq "$RUNS"); do
    start=$(now_us)
    "$@"
    echo $(($(now_us) - start)) >> "$WORK/$name.us"
  done
  [ "$(($(deploys) - before))" = "$RUNS" ] || die "$name: expected $RUNS deploys recorded"
  median < "$WORK/$name.us" | awk '{ printf "%.1f", $1 / 1000 }'
}

log "timing: $RUNS run(s) of each after a warm-up"
docker_ms=$(time_path docker docker_step)
native_ms=$(time_path native native_step "$WORK/action")
grep -q 'from the tool cache' "$WORK/install.log" || die "the native step did not use the tool cache: $(cat "$WORK/install.log")"
source_ms=$(time_path source native_step "$PWD")
grep -q 'from the tool cache' "$WORK/install.log" || die "the source step did not use the tool cache: $(cat "$WORK/install.log")"
xargs -r podman rm -f < "$WORK/containers" > /dev/null 2>&1 || true

row() { printf '  %-66s %8s %s\n' "$@"; }
ratio() { awk -v n="$1" -v d="$2" 'BEGIN { printf "%.3f", n / d }'; }
printf '\nGitHub Action step, one deploy against the fake Rollbar (median of %s run(s), after a warm-up)\n' "$RUNS"
row "Docker path (podman create + start -a, $IMAGE)" "$docker_ms" ms
row "native path, released (install.sh, warm cache + binary)" "$native_ms" ms
row "native path, unreleased ref (source hash, warm + binary)" "$source_ms" ms
row "ratio native / Docker" "$(ratio "$native_ms" "$docker_ms")"
row "ratio unreleased native / Docker" "$(ratio "$source_ms" "$docker_ms")"
