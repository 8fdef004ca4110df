#!/usr/bin/env bash
# Builds the real Dockerfile and runs the image the way each CI runs it, against the fake Rollbar
# server (internal/rollbartest/fakerollbar) on 127.0.0.1:
#   gitlab      GitLab's Docker executor: the image's entrypoint, `sh` + the job script; a
#               started job writes a dotenv report, a later job gets ROLLBAR_DEPLOY_ID from it
#   drone       a Drone plugin: PLUGIN_* settings, two steps sharing the workspace
#               (.rollbar-deploy-id)
#   woodpecker  a Woodpecker plugin: CI=woodpecker, PLUGIN_* settings, the same two steps
#   gitlab component  the same with the job variables of templates/rollbar-deploy.yml
#   github      a Docker action as the runner starts it: INPUT_* for every input of action.yml,
#               file commands; the second step reads ROLLBAR_DEPLOY_ID from GITHUB_ENV
# and checks through /_fake/deploys that each flow made exactly one deploy, ended "succeeded".
#
#   bash scripts/image-test.sh
#
# Environment:
#   CONTAINER_ENGINE  docker or podman (default: docker when its daemon answers, else podman;
#                     podman is installed by scripts/container-setup.sh when neither works)
#   GO_IMAGE, BASE_IMAGE  base images (default: the local stand-ins when
#                     localhost/golang-standin:1 exists, else the Dockerfile's defaults)
#   IMAGE             tag to build (default rollbar-deploy:image-test)
#   MAX_IMAGE_BYTES   size budget of the final image (default 15 MB = 15000000)
#   KEEP_IMAGE=1      keep the image afterwards
# Containers run with the host network, so the fake server on 127.0.0.1 is reachable.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$(dirname "${BASH_SOURCE[0]}")/.."

IMAGE=${IMAGE:-rollbar-deploy:image-test}
MAX_IMAGE_BYTES=${MAX_IMAGE_BYTES:-15000000}
SHA=0123456789abcdef0123456789abcdef01234567

ENGINE=""
WORK=""
FAKE_PID=""
FAKE_URL=""
FAILED=0
PASSED_FLOWS=0
FAILED_FLOWS=0
DIE_PREFIX="image-test: FAIL: "

# fail MESSAGE…: reports a failed check and marks the current flow failed (see run_check).
fail() { printf 'image-test: FAIL: %s\n' "$*" >&2; FAILED=1; }

# cleanup_image runs in lib.sh's cleanup, after the fake server stops and before $WORK goes.
cleanup_image() {
  if [ -n "$ENGINE" ] && [ "${KEEP_IMAGE:-0}" != 1 ]; then
    "$ENGINE" rmi -f "$IMAGE" >/dev/null 2>&1 || true
    # The build stage left untagged by the build.
    if [ "$ENGINE" = podman ]; then podman image prune -f >/dev/null 2>&1 || true; fi
  fi
}
trap 'cleanup cleanup_image' EXIT
trap 'exit 130' INT TERM

pick_engine() {
  if [ -n "${CONTAINER_ENGINE:-}" ]; then
    ENGINE=$CONTAINER_ENGINE
  elif command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
    ENGINE=docker
  else
    if ! command -v podman >/dev/null 2>&1; then
      log "no container engine: running scripts/container-setup.sh"
      bash scripts/container-setup.sh
    fi
    ENGINE=podman
  fi
  command -v "$ENGINE" >/dev/null 2>&1 || die "$ENGINE is not installed"
  "$ENGINE" info >/dev/null 2>&1 || die "$ENGINE does not work here ('$ENGINE info' fails)"
  log "container engine: $ENGINE"
}

need_jq() {
  command -v jq >/dev/null 2>&1 && return 0
  log "installing jq"
  if ! { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }; then
    die "jq is needed (apt-get install jq)"
  fi
}

image_exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

build_image() {
  local args=()
  if [ -z "${GO_IMAGE:-}" ] && [ -z "${BASE_IMAGE:-}" ] && image_exists localhost/golang-standin:1; then
    GO_IMAGE=localhost/golang-standin:1
    BASE_IMAGE=localhost/busybox-standin:1
  fi
  [ -n "${GO_IMAGE:-}" ] && args+=(--build-arg "GO_IMAGE=$GO_IMAGE")
  [ -n "${BASE_IMAGE:-}" ] && args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
  local goproxy
  goproxy=$(go env GOPROXY 2>/dev/null || true)
  [ -n "$goproxy" ] && args+=(--build-arg "GOPROXY=$goproxy")
  log "building $IMAGE (GO_IMAGE=${GO_IMAGE:-default} BASE_IMAGE=${BASE_IMAGE:-default})"
  "$ENGINE" build --network host -t "$IMAGE" --build-arg VERSION=v0.0.0-image-test "${args[@]}" . \
    > "$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; die "image build failed"; }
  ok "built"
}

check_size() {
  local bytes
  bytes=$("$ENGINE" image inspect -f '{{.Size}}' "$IMAGE")
  printf 'image size: %s bytes (%s MB), budget %s bytes\n' "$bytes" \
    "$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1000000 }')" "$MAX_IMAGE_BYTES"
  [ "$bytes" -le "$MAX_IMAGE_BYTES" ] || fail "image is $bytes bytes, over the $MAX_IMAGE_BYTES budget"
  local version
  version=$("$ENGINE" run --rm --network host "$IMAGE" --version 2>&1) || fail "--version failed: $version"
  ok "--version: $version"
  local user
  user=$("$ENGINE" image inspect -f '{{.Config.User}}' "$IMAGE")
  case "$user" in ""|0|0:0|root|root:root) ok "runs as root ($user)" ;; *) fail "image runs as $user, not root" ;; esac
}

reset_fake() { curl -fsS -X POST "$FAKE_URL/_fake/reset" >/dev/null; }

# expect_one_deploy FLOW [ID]: one deploy, status succeeded, revision $SHA (and id ID).
expect_one_deploy() {
  local flow=$1 want_id=${2:-} deploys count status revision id
  deploys=$(curl -fsS "$FAKE_URL/_fake/deploys")
  count=$(jq 'length' <<<"$deploys")
  if [ "$count" != 1 ]; then
    fail "$flow: expected 1 deploy, the fake server has $count: $deploys"
    return
  fi
  status=$(jq -r '.[0].status' <<<"$deploys")
  revision=$(jq -r '.[0].revision' <<<"$deploys")
  id=$(jq -r '.[0].id' <<<"$deploys")
  [ "$status" = succeeded ] || fail "$flow: deploy $id ended '$status', not succeeded"
  [ "$revision" = "$SHA" ] || fail "$flow: deploy $id has revision '$revision', not $SHA"
  if [ -n "$want_id" ] && [ "$id" != "$want_id" ]; then
    fail "$flow: the deploy is $id, the first step reported $want_id"
  fi
  if [ "$status" = succeeded ] && [ "$revision" = "$SHA" ]; then
    ok "$flow: one deploy ($id, $(jq -r '.[0].environment' <<<"$deploys")), started then succeeded"
  fi
}

# run_container NAME ARGS…: runs the image with the host network; output in $WORK/NAME.out/.err.
run_container() {
  local name=$1
  shift
  if ! "$ENGINE" run --rm --network host "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"; then
    fail "$name: the container exited non-zero"
    sed 's/^/    | /' "$WORK/$name.err" >&2
    return 1
  fi
}

# GitLab's Docker executor keeps the image's entrypoint, passes `sh -c '<detect shell>'` as the
# command and writes the job script to the shell's standard input.
readonly GITLAB_DETECT_SHELL='if [ -x /usr/local/bin/bash ]; then
	exec /usr/local/bin/bash
elif [ -x /usr/bin/bash ]; then
	exec /usr/bin/bash
elif [ -x /bin/bash ]; then
	exec /bin/bash
elif [ -x /usr/local/bin/sh ]; then
	exec /usr/local/bin/sh
elif [ -x /usr/bin/sh ]; then
	exec /usr/bin/sh
elif [ -x /bin/sh ]; then
	exec /bin/sh
elif [ -x /busybox/sh ]; then
	exec /busybox/sh
else
	echo shell not found
	exit 1
fi'

flow_gitlab() {
  log "gitlab: started job (dotenv report), then a job with the id from it"
  reset_fake
  local dir=$WORK/gitlab id
  mkdir -p "$dir"
  local env=(
    -e CI=true -e GITLAB_CI=true -e CI_SERVER=yes -e CI_SERVER_NAME=GitLab
    -e CI_COMMIT_SHA="$SHA" -e CI_COMMIT_REF_NAME=main -e CI_COMMIT_BRANCH=main
    -e GITLAB_USER_LOGIN=gitlab-user -e CI_PROJECT_PATH=group/project
    -e CI_PROJECT_URL=https://gitlab.example.com/group/project
    -e CI_PIPELINE_ID=1001 -e CI_PIPELINE_URL=https://gitlab.example.com/group/project/-/pipelines/1001
    -e CI_JOB_URL=https://gitlab.example.com/group/project/-/jobs/5001
    -e CI_REPOSITORY_URL=https://gitlab-ci-token:secret-job-token@gitlab.example.com/group/project.git
    -e ROLLBAR_ACCESS_TOKEN=post-token -e ROLLBAR_ENVIRONMENT=production
    -e ROLLBAR_API_URL="$FAKE_URL"
    -v "$dir:/builds/group/project" -w /builds/group/project
  )
  # The job script on standard input, as the runner sends it.
  printf '%s\n' 'set -e' 'rollbar-deploy --status started --dotenv deploy.env' 'cat deploy.env' \
    > "$dir/job.sh"
  run_container gitlab-started -i "${env[@]}" "$IMAGE" sh -c "$GITLAB_DETECT_SHELL" < "$dir/job.sh" || return 0
  id=$(sed -n 's/^ROLLBAR_DEPLOY_ID=\([0-9][0-9]*\)$/\1/p' "$WORK/gitlab-started.out")
  if [ -z "$id" ]; then
    fail "gitlab: no ROLLBAR_DEPLOY_ID in the dotenv report"
    sed 's/^/    | /' "$WORK/gitlab-started.out" "$WORK/gitlab-started.err" >&2
    return 0
  fi
  grep -q '^ROLLBAR_DEPLOY_URL=' "$dir/deploy.env" || fail "gitlab: no ROLLBAR_DEPLOY_URL in the dotenv report"
  ok "gitlab: started deploy $id, dotenv: $(tr '\n' ' ' < "$dir/deploy.env")"
  # The brief form too: `sh -c 'script'` as the command.
  run_container gitlab-succeeded "${env[@]}" -e ROLLBAR_DEPLOY_ID="$id" "$IMAGE" \
    sh -c 'rollbar-deploy --status succeeded' || return 0
  expect_one_deploy gitlab "$id"
}

# component_env STATUS: the job variables templates/rollbar-deploy.yml gives its job, with the
# inputs' defaults and the input status=STATUS, as -e options (one per line).
component_env() {
  awk -v status="$1" '
    /^spec:/ { in_spec = 1 }
    /^---/ { in_spec = 0; in_job = 1; next }
    in_spec && /^    [a-z_]+:$/ { name = $1; sub(/:$/, "", name) }
    in_spec && /^      default:/ {
      value = $0; sub(/^      default: */, "", value); gsub(/^"|"$/, "", value); def[name] = value
    }
    in_job && /^  variables:/ { in_vars = 1; next }
    in_job && in_vars && !/^    / { in_vars = 0 }
    in_job && in_vars {
      line = $0; sub(/^ +/, "", line); sub(/ +#.*$/, "", line)
      key = line; sub(/:.*$/, "", key)
      value = line; sub(/^[^:]*: */, "", value)
      if (match(value, /\$\[\[ inputs\.[a-z_]+ \]\]/)) {
        input = substr(value, RSTART + 11, RLENGTH - 14)
        value = (input == "status") ? status : def[input]
      }
      print "-e"; print key "=" value
    }' templates/rollbar-deploy.yml
}

flow_gitlab_component() {
  log "gitlab component: the template's job variables, started → succeeded"
  reset_fake
  local dir=$WORK/gitlab-component id
  mkdir -p "$dir"
  local env=(
    -e CI=true -e GITLAB_CI=true -e CI_SERVER=yes -e CI_COMMIT_SHA="$SHA"
    -e GITLAB_USER_LOGIN=gitlab-user -e CI_PROJECT_URL=https://gitlab.example.com/group/project
    -e CI_PIPELINE_ID=1002 -e CI_PIPELINE_URL=https://gitlab.example.com/group/project/-/pipelines/1002
    # The pipeline's own variables: the component's empty inputs must leave them in charge.
    -e ROLLBAR_ACCESS_TOKEN=post-token -e ROLLBAR_ENVIRONMENT=production -e ROLLBAR_API_URL="$FAKE_URL"
    -v "$dir:/builds/group/project" -w /builds/group/project
  )
  local started succeeded
  mapfile -t started < <(component_env started)
  mapfile -t succeeded < <(component_env succeeded)
  [ ${#started[@]} -gt 10 ] || { fail "gitlab component: no job variables read from templates/rollbar-deploy.yml"; return 0; }
  run_container gitlab-component-started "${env[@]}" "${started[@]}" "$IMAGE" sh -c 'rollbar-deploy' || return 0
  id=$(sed -n 's/^ROLLBAR_DEPLOY_ID=\([0-9][0-9]*\)$/\1/p' "$dir/rollbar-deploy.env" 2>/dev/null)
  [ -n "$id" ] || { fail "gitlab component: no ROLLBAR_DEPLOY_ID in the dotenv report rollbar-deploy.env"; return 0; }
  ok "gitlab component: started deploy $id, dotenv report rollbar-deploy.env"
  run_container gitlab-component-succeeded "${env[@]}" "${succeeded[@]}" -e ROLLBAR_DEPLOY_ID="$id" "$IMAGE" \
    sh -c 'rollbar-deploy' || return 0
  expect_one_deploy "gitlab component" "$id"
}

flow_drone() {
  log "drone: plugin steps started → succeeded sharing the workspace"
  reset_fake
  local dir=$WORK/drone
  mkdir -p "$dir"
  local env=(
    -e CI=true -e DRONE=true -e DRONE_COMMIT_SHA="$SHA" -e DRONE_COMMIT="$SHA"
    -e DRONE_COMMIT_AUTHOR=drone-user -e DRONE_BRANCH=main -e DRONE_REPO=octo/app
    -e DRONE_BUILD_LINK=https://drone.example.com/octo/app/42 -e DRONE_BUILD_NUMBER=42
    -e DRONE_WORKSPACE=/drone/src
    -e PLUGIN_ACCESS_TOKEN=post-token -e PLUGIN_ENVIRONMENT=staging
    -e PLUGIN_API_URL="$FAKE_URL"
    -v "$dir:/drone/src" -w /drone/src
  )
  run_container drone-started "${env[@]}" -e PLUGIN_STATUS=started "$IMAGE" || return 0
  if [ ! -s "$dir/.rollbar-deploy-id" ]; then
    fail "drone: no .rollbar-deploy-id in the workspace after the started step"
    return 0
  fi
  local id
  id=$(tr -d '[:space:]' < "$dir/.rollbar-deploy-id")
  ok "drone: started deploy $id (stdout: $(tr -d '\n' < "$WORK/drone-started.out"))"
  run_container drone-succeeded "${env[@]}" -e PLUGIN_STATUS=succeeded "$IMAGE" || return 0
  expect_one_deploy drone "$id"
  [ ! -e "$dir/.rollbar-deploy-id" ] || fail "drone: .rollbar-deploy-id left behind after the final status"
}

flow_woodpecker() {
  log "woodpecker: plugin steps started → succeeded sharing the workspace"
  reset_fake
  local dir=$WORK/woodpecker
  mkdir -p "$dir"
  local env=(
    -e CI=woodpecker -e CI_SYSTEM_NAME=woodpecker -e CI_COMMIT_SHA="$SHA"
    -e CI_COMMIT_AUTHOR=woodpecker-user -e CI_COMMIT_BRANCH=main -e CI_REPO=octo/app
    -e CI_PIPELINE_URL=https://ci.example.com/repos/7/pipeline/12 -e CI_PIPELINE_NUMBER=12
    -e CI_WORKSPACE=/woodpecker/src/octo/app
    -e PLUGIN_ACCESS_TOKEN=post-token -e PLUGIN_ENVIRONMENT=production
    -e PLUGIN_API_URL="$FAKE_URL" -e PLUGIN_FAIL_ON_ERROR=always
    -v "$dir:/woodpecker/src/octo/app" -w /woodpecker/src/octo/app
  )
  run_container woodpecker-started "${env[@]}" -e PLUGIN_STATUS=started "$IMAGE" || return 0
  if [ ! -s "$dir/.rollbar-deploy-id" ]; then
    fail "woodpecker: no .rollbar-deploy-id in the workspace after the started step"
    return 0
  fi
  local id
  id=$(tr -d '[:space:]' < "$dir/.rollbar-deploy-id")
  ok "woodpecker: started deploy $id"
  run_container woodpecker-succeeded "${env[@]}" -e PLUGIN_STATUS=succeeded "$IMAGE" || return 0
  expect_one_deploy woodpecker "$id"
}

# The runner gives a Docker action INPUT_<NAME> for every input of action.yml ("" when not
# given), the step's env, and the file-command files under /github/file_commands.
action_inputs() {
  awk '/^inputs:/ { on = 1; next } on && /^[^ #]/ { on = 0 } on && /^  [a-z_-]+:$/ { sub(/^  /, ""); sub(/:$/, ""); print }' action.yml
}

# read_file_command FILE NAME: the value of NAME in a GITHUB_ENV/GITHUB_OUTPUT file
# (name=value or name<<DELIM … DELIM).
read_file_command() {
  awk -v name="$2" '
    delim != "" { if ($0 == delim) { delim = ""; found = 1; next } if (grab) value = value $0; next }
    index($0, name "<<") == 1 { delim = substr($0, length(name) + 3); grab = 1; value = ""; next }
    index($0, name "=") == 1 { value = substr($0, length(name) + 2); found = 1 }
    END { if (found) print value }' "$1"
}

flow_github() {
  log "github: Docker action steps started → succeeded (id through GITHUB_ENV)"
  reset_fake
  local dir=$WORK/github input step env_value out_id
  mkdir -p "$dir/workspace" "$dir/file_commands" "$dir/workflow" "$dir/home"
  printf '{"head_commit":{"id":"%s","committer":{"username":"web-flow"},"author":{"username":"gh-user"}}}\n' "$SHA" > "$dir/workflow/event.json"
  local common=(
    -e CI=true -e GITHUB_ACTIONS=true -e GITHUB_SHA="$SHA" -e GITHUB_REF=refs/heads/main
    -e GITHUB_REPOSITORY=octo/app -e GITHUB_SERVER_URL=https://github.com -e GITHUB_RUN_ID=99
    -e GITHUB_RUN_ATTEMPT=1 -e GITHUB_ACTOR=gh-actor -e GITHUB_EVENT_NAME=push
    -e GITHUB_WORKSPACE=/github/workspace -e GITHUB_EVENT_PATH=/github/workflow/event.json
    -e HOME=/github/home -e ROLLBAR_ACCESS_TOKEN=post-token -e ROLLBAR_API_URL="$FAKE_URL"
    -v "$dir/workspace:/github/workspace" -v "$dir/workflow:/github/workflow"
    -v "$dir/file_commands:/github/file_commands" -v "$dir/home:/github/home"
    -w /github/workspace
  )
  for step in started succeeded; do
    local inputs=()
    while IFS= read -r input; do
      case "$input" in
        environment) inputs+=(-e "INPUT_ENVIRONMENT=production") ;;
        status) inputs+=(-e "INPUT_STATUS=$step") ;;
        *) inputs+=(-e "INPUT_$(tr '[:lower:] ' '[:upper:]_' <<<"$input")=") ;;
      esac
    done < <(action_inputs)
    : > "$dir/file_commands/output_$step"
    : > "$dir/file_commands/env_$step"
    local step_env=()
    if [ "$step" = succeeded ]; then
      # What the runner does with GITHUB_ENV: later steps get those variables.
      env_value=$(read_file_command "$dir/file_commands/env_started" ROLLBAR_DEPLOY_ID)
      if [ -z "$env_value" ]; then
        fail "github: the started step wrote no ROLLBAR_DEPLOY_ID to GITHUB_ENV"
        sed 's/^/    | /' "$dir/file_commands/env_started" >&2
        return 0
      fi
      step_env=(-e "ROLLBAR_DEPLOY_ID=$env_value")
    fi
    run_container "github-$step" "${common[@]}" "${inputs[@]}" "${step_env[@]}" \
      -e GITHUB_OUTPUT="/github/file_commands/output_$step" \
      -e GITHUB_ENV="/github/file_commands/env_$step" \
      -e GITHUB_STEP_SUMMARY="/github/file_commands/summary_$step" "$IMAGE" || return 0
  done
  out_id=$(read_file_command "$dir/file_commands/output_started" deploy_id)
  [ -n "$out_id" ] || fail "github: no deploy_id output from the started step"
  [ -n "$(read_file_command "$dir/file_commands/output_started" deploy_url)" ] || fail "github: no deploy_url output"
  [ "$(read_file_command "$dir/file_commands/output_succeeded" status)" = succeeded ] ||
    fail "github: the succeeded step's status output is not 'succeeded'"
  if grep -q post-token "$dir"/file_commands/* "$WORK"/github-*.err; then
    fail "github: the token appears in a file command or the log"
  fi
  expect_one_deploy github "$out_id"
}

# run_check NAME FUNCTION: counts FUNCTION as passed unless it called fail.
run_check() {
  FAILED=0
  "$2"
  if [ "$FAILED" = 0 ]; then
    PASSED_FLOWS=$((PASSED_FLOWS + 1))
  else
    FAILED_FLOWS=$((FAILED_FLOWS + 1))
    printf 'image-test: %s FAILED\n' "$1" >&2
  fi
}

main() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build the fake server"
  command -v curl >/dev/null 2>&1 || die "curl is needed"
  WORK=$(mktemp -d)
  pick_engine
  need_jq
  build_image
  run_check "image size, --version, user" check_size
  start_fake
  run_check "gitlab flow" flow_gitlab
  run_check "gitlab component flow" flow_gitlab_component
  run_check "drone flow" flow_drone
  run_check "woodpecker flow" flow_woodpecker
  run_check "github action flow" flow_github
  echo "image-test: $PASSED_FLOWS passed, $FAILED_FLOWS failed"
  [ "$FAILED_FLOWS" = 0 ] || exit 1
}

main "$@"
