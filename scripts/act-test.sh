#!/usr/bin/env bash
# Runs this repository's GitHub Action under nektos/act with podman, as a user's workflow runs it:
# sets up what the Go tests of action/act_test.go need (podman with the stand-in job images, act,
# a podman API socket as DOCKER_HOST) and runs them. The checks are the tests': one deploy
# recorded and finished through GITHUB_ENV, the binary built from source once and then reused,
# no image built or pulled for the action; and in busybox container jobs (no bash, no curl) a
# release installed with wget from a mirror, a replaced cached binary refused, fail_on_error
# never passing a failed install.
#
#   bash scripts/act-test.sh
#
# Needs: root on Debian with Go. Environment: ACT_VERSION (default v0.2.89), ACT_RUNNER_IMAGE
# (the job image, default localhost/act-go-runner-standin:1: Go on PATH, as hosted runners),
# ACT_LOG=FILE to keep act's log of each test (FILE.TestName).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ACT_VERSION=${ACT_VERSION:-v0.2.89}
export ACT_RUNNER_IMAGE=${ACT_RUNNER_IMAGE:-localhost/act-go-runner-standin:1}
DIE_PREFIX="act-test: FAIL: "
WORK=$(mktemp -d)
SERVICE_PID=""
stop_service() { if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi; }
trap 'cleanup stop_service' EXIT
trap 'exit 130' INT TERM

# podman and the job image (scripts/container-setup.sh builds it: Go on PATH, busybox sh as the
# job's "bash"), unless make e2e-setup just did.
podman image exists "$ACT_RUNNER_IMAGE" 2>/dev/null || bash scripts/container-setup.sh

gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin=$(go env GOPATH)/bin
export PATH="$gobin:$PATH"
if ! command -v act >/dev/null 2>&1; then
  log "installing act $ACT_VERSION"
  GOFLAGS="" go install "github.com/nektos/act@$ACT_VERSION"
fi
ok "act $(act --version | awk '{ print $NF }')"

podman system service --time=0 "unix://$WORK/podman.sock" > "$WORK/podman-service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 100); do
  curl -fsS --unix-socket "$WORK/podman.sock" http://d/_ping >/dev/null 2>&1 && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$WORK/podman-service.log" >&2; die "podman system service exited"; }
  sleep 0.1
done
export DOCKER_HOST="unix://$WORK/podman.sock"
ok "DOCKER_HOST=$DOCKER_HOST"

tests=(TestActionUnderAct TestActionInAContainerJob)
log "go test -run ${tests[*]} ./action"
go test -count=1 -timeout 20m -v -run "^($(IFS='|'; echo "${tests[*]}"))\$" ./action > "$WORK/test.log" 2>&1 || { tail -n 80 "$WORK/test.log" >&2; die "the act tests did not pass"; }
grep -E '^(=== RUN|--- |\s+act_test|ok)' "$WORK/test.log"
# A test that skipped (act or podman missing) is no pass.
for t in "${tests[@]}"; do
  grep -q "^--- PASS: $t" "$WORK/test.log" || { tail -n 20 "$WORK/test.log" >&2; die "$t did not run"; }
done
echo "act-test: ${#tests[@]} passed, 0 failed"
