#!/usr/bin/env bash
# Runs this repository's GitHub Action (`uses: ./`, built from the Dockerfile) with nektos/act
# through podman, against the fake Rollbar server on 127.0.0.1, and checks through the fake
# server that each job of scripts/testdata/act-workflow.yml recorded one deploy, then updated
# it to "succeeded". It runs the workflow twice: with action.yml as on main (image: Dockerfile),
# and with action.yml rewritten as the release pins it (image: docker://ghcr.io/…:vX.Y.Z):
#   outputs     started → deploy → succeeded with deploy_id: ${{ steps.start.outputs.deploy_id }}
#   github-env  started → deploy → ${{ job.status }} with no id (ROLLBAR_DEPLOY_ID via GITHUB_ENV)
#
#   bash scripts/act-test.sh
#
# Needs: root on Debian with Go (podman is installed by scripts/container-setup.sh, act with
# `go install github.com/nektos/act@$ACT_VERSION` when missing). act builds the Dockerfile
# without build arguments, so when the public base images cannot be pulled the local stand-ins
# are tagged under the Dockerfile's default names for the run (and untagged afterwards).
# Environment: ACT_VERSION (default v0.2.89), RUNNER_IMAGE (act's ubuntu-latest image, default
# localhost/act-runner-standin:1), ACT_VERBOSE=1 for act's own log, ACT_LOG=FILE to keep it.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ACT_VERSION=${ACT_VERSION:-v0.2.89}
RUNNER_IMAGE=${RUNNER_IMAGE:-localhost/act-runner-standin:1}
WORKFLOW=scripts/testdata/act-workflow.yml

WORK=""
FAKE_PID=""
SERVICE_PID=""
FAKE_URL=""
ADDED_TAGS=()
DIE_PREFIX="act-test: FAIL: "

# cleanup_act runs in lib.sh's cleanup, after the fake server stops and before $WORK goes.
cleanup_act() {
  local tag
  # The action images act built (act-…-dockeraction), and the stand-in tags added here.
  if command -v podman >/dev/null 2>&1; then
    podman images --format '{{.Repository}}:{{.Tag}}' | grep -E '(^|/)act-[^:]*dockeraction' |
      xargs -r podman rmi -f >/dev/null 2>&1 || true
    for tag in "${ADDED_TAGS[@]}"; do podman untag "$(podman image inspect -f '{{.Id}}' "$tag" 2>/dev/null)" "$tag" >/dev/null 2>&1 || true; done
    # The build stages left untagged by these builds.
    podman image prune -f >/dev/null 2>&1 || true
  fi
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
  if [ -n "$WORK" ] && [ -n "${ACT_LOG:-}" ] && [ -f "$WORK/act-all.log" ]; then cp "$WORK/act-all.log" "$ACT_LOG"; fi
}
trap 'cleanup cleanup_act' EXIT
trap 'exit 130' INT TERM

ensure_tools() {
  command -v go >/dev/null 2>&1 || die "Go is needed"
  command -v curl >/dev/null 2>&1 || die "curl is needed"
  if ! command -v podman >/dev/null 2>&1 || ! image_exists "$RUNNER_IMAGE"; then
    log "setting up podman (scripts/container-setup.sh)"
    bash scripts/container-setup.sh
  fi
  if ! command -v jq >/dev/null 2>&1; then
    log "installing jq"
    if ! { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }; then
      die "jq is needed (apt-get install jq)"
    fi
  fi
  ACT=$(command -v act || true)
  local gobin
  gobin=$(go env GOBIN)
  [ -n "$gobin" ] || gobin=$(go env GOPATH)/bin
  if [ -z "$ACT" ] && [ -x "$gobin/act" ]; then ACT=$gobin/act; fi
  if [ -z "$ACT" ]; then
    log "installing act $ACT_VERSION"
    GOFLAGS="" go install "github.com/nektos/act@$ACT_VERSION"
    ACT=$gobin/act
  fi
  ok "act $("$ACT" --version | awk '{ print $NF }') at $ACT"
}

image_exists() { command -v podman >/dev/null 2>&1 && podman image exists "$1"; }

# The Dockerfile's default base images (ARG GO_IMAGE=…, ARG BASE_IMAGE=…) as podman names them.
default_base_image() {
  local name
  name=$(sed -n "s/^ARG $1=//p" Dockerfile | head -n 1)
  [ -n "$name" ] || die "no ARG $1 default in the Dockerfile"
  case "$name" in
    */*/*) echo "$name" ;;
    */*) echo "docker.io/$name" ;;
    *) echo "docker.io/library/$name" ;;
  esac
}

ensure_base_images() {
  local arg image standin
  for arg in GO_IMAGE BASE_IMAGE; do
    image=$(default_base_image "$arg")
    if image_exists "$image"; then
      ok "$image is present"
      continue
    fi
    if timeout 60 podman pull -q "$image" >/dev/null 2>&1; then
      ok "pulled $image"
      continue
    fi
    case "$arg" in
      GO_IMAGE) standin=localhost/golang-standin:1 ;;
      BASE_IMAGE) standin=localhost/busybox-standin:1 ;;
    esac
    image_exists "$standin" || die "$image cannot be pulled and $standin is missing (run scripts/container-setup.sh)"
    podman tag "$standin" "$image"
    ADDED_TAGS+=("$image")
    ok "$image: the stand-in $standin, for this run"
  done
}

start_podman_service() {
  log "starting the podman API service"
  podman system service --time=0 "unix://$WORK/podman.sock" > "$WORK/podman-service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 100); do
    [ -S "$WORK/podman.sock" ] && curl -fsS --unix-socket "$WORK/podman.sock" http://d/_ping >/dev/null 2>&1 && break
    kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$WORK/podman-service.log" >&2; die "podman system service exited"; }
    sleep 0.1
  done
  [ -S "$WORK/podman.sock" ] || die "the podman socket did not appear"
  export DOCKER_HOST="unix://$WORK/podman.sock"
  ok "DOCKER_HOST=$DOCKER_HOST"
}

# run_act DIR LABEL: runs the workflow with act in the repository at DIR.
run_act() {
  local dir=$1 label=$2
  log "act ($label): $WORKFLOW"
  local args=(
    push -W "$WORKFLOW"
    -P "ubuntu-latest=$RUNNER_IMAGE"
    --pull=false --action-offline-mode
    --container-daemon-socket -
    --network host
    --var "ROLLBAR_API_URL=$FAKE_URL"
    --secret ROLLBAR_ACCESS_TOKEN=post-token
    --env-file /dev/null --secret-file /dev/null --var-file /dev/null
    --no-cache-server
  )
  [ "${ACT_VERBOSE:-0}" = 1 ] && args+=(--verbose)
  # act asks which default image to use on its first run when it has no config: give it one.
  mkdir -p "$WORK/xdg/act"
  printf -- '-P ubuntu-latest=%s\n' "$RUNNER_IMAGE" > "$WORK/xdg/act/actrc"
  if ! (cd "$dir" && XDG_CONFIG_HOME="$WORK/xdg" timeout 600 "$ACT" "${args[@]}" < /dev/null) > "$WORK/act.log" 2>&1; then
    tail -n 80 "$WORK/act.log" >&2
    die "act ($label) failed (log above)"
  fi
  cat "$WORK/act.log" >> "$WORK/act-all.log"
  grep -E '(Success|Failure) - ' "$WORK/act.log" | sed 's/^/    | /' >&2 || true
  [ "$(grep -c 'Job succeeded' "$WORK/act.log")" = 2 ] || { tail -n 40 "$WORK/act.log" >&2; die "act ($label): not both jobs succeeded"; }
  ok "act ($label): both jobs succeeded"
}

# A copy of the repository whose action.yml is rewritten as the release workflow's pin job
# does (image: docker://ghcr.io/OWNER/rollbar-deploy:vX.Y.Z), with that image built locally:
# the released form of the action.
make_pinned_copy() {
  local tag=v0.0.0-act-test image
  image=ghcr.io/rollbar-deploy/rollbar-deploy
  log "building $image:$tag for the pinned action.yml"
  podman build -q --network host -t "$image:$tag" --build-arg "VERSION=$tag" . > /dev/null
  ADDED_TAGS+=("$image:$tag")
  mkdir -p "$WORK/pinned"
  tar --exclude=./.git -cf - . | tar -C "$WORK/pinned" -xf -
  grep -qx '  image: Dockerfile' "$WORK/pinned/action.yml" || die "action.yml has no '  image: Dockerfile' line for the release to rewrite"
  sed -i "s|^  image: Dockerfile\$|  image: docker://${image}:${tag}|" "$WORK/pinned/action.yml"
  rm -f "$WORK/pinned/Dockerfile"
  git -C "$WORK/pinned" init -q
  git -C "$WORK/pinned" add -A
  git -C "$WORK/pinned" -c user.name=act-test -c user.email=act-test@localhost commit -q -m "release: pin the image"
  ok "$(grep -n 'image:' "$WORK/pinned/action.yml" | tr -s ' ')"
}

# check_deploys LABEL
check_deploys() {
  log "checking the fake server's deploys ($1)"
  local deploys env count status id posts patches
  deploys=$(curl -fsS "$FAKE_URL/_fake/deploys")
  for env in act-outputs act-github-env; do
    count=$(jq --arg e "$env" '[.[] | select(.environment == $e)] | length' <<<"$deploys")
    [ "$count" = 1 ] || die "$env: expected 1 deploy, found $count: $deploys"
    status=$(jq -r --arg e "$env" '.[] | select(.environment == $e) | .status' <<<"$deploys")
    id=$(jq -r --arg e "$env" '.[] | select(.environment == $e) | .id' <<<"$deploys")
    [ "$status" = succeeded ] || die "$env: deploy $id ended '$status', not succeeded"
    ok "$env: one deploy ($id), succeeded"
  done
  posts=$(curl -fsS "$FAKE_URL/_fake/requests" | jq '[.[] | select(.method == "POST" and (.path | startswith("/api/1/deploy")))] | length')
  patches=$(curl -fsS "$FAKE_URL/_fake/requests" | jq '[.[] | select(.method == "PATCH")] | length')
  [ "$posts" = 2 ] || die "expected 2 POSTs (one started deploy per job), saw $posts"
  [ "$patches" = 2 ] || die "expected 2 PATCHes (one final status per job), saw $patches"
  ok "2 POST (started) + 2 PATCH (succeeded)"
  if grep -q 'post-token' "$WORK/act.log"; then
    die "the token appears in act's log"
  fi
  ok "the token does not appear in the log"
  curl -fsS -X POST "$FAKE_URL/_fake/reset" > /dev/null
}

main() {
  WORK=$(mktemp -d)
  ensure_tools
  ensure_base_images
  start_podman_service
  start_fake
  run_act . "uses: ./ built from the Dockerfile"
  check_deploys Dockerfile
  make_pinned_copy
  run_act "$WORK/pinned" "uses: ./ pinned to the image, as released"
  check_deploys pinned
  # Reached only when every check passed: each failure exits at once.
  echo "act-test: outputs and GITHUB_ENV flows, from the Dockerfile and pinned to an image (act $("$ACT" --version | awk '{ print $NF }'), podman)"
  echo "act-test: 4 passed, 0 failed"
}

main "$@"
