# shellcheck shell=bash
# Helpers shared by the test scripts under scripts/; sourced, it only defines functions:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# They use the caller's variables: DIE_PREFIX (die's message prefix, e.g. "act-test: FAIL: "),
# WORK (the run's temporary directory), FAKE_PID and FAKE_URL (the fake Rollbar server).

# log MESSAGE…: prints a step heading on stderr.
log() { printf '==> %s\n' "$*" >&2; }

# ok MESSAGE…: prints a passed check on stderr.
ok() { printf '    ok: %s\n' "$*" >&2; }

# die MESSAGE…: prints MESSAGE after $DIE_PREFIX on stderr and exits 1.
die() { printf '%s%s\n' "${DIE_PREFIX:-}" "$*" >&2; exit 1; }

# cleanup [COMMAND…]: EXIT trap: stops the fake server, runs COMMAND, removes $WORK if set, exits with $?.
cleanup() {
  local rc=$?
  if [ -n "${FAKE_PID:-}" ]; then kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; fi
  if [ "$#" -gt 0 ]; then "$@"; fi
  if [ -n "${WORK:-}" ]; then rm -rf "$WORK"; fi
  exit "$rc"
}

# build_fake: builds the fake Rollbar server (./internal/rollbartest/fakerollbar) into $WORK/fakerollbar.
build_fake() { go build -o "$WORK/fakerollbar" ./internal/rollbartest/fakerollbar; }

# run_fake [FLAG…]: starts $WORK/fakerollbar on 127.0.0.1 with FLAGs, waits for its URL, sets FAKE_PID and FAKE_URL.
# shellcheck disable=SC2120 # FLAGs are optional: bench.sh passes some, the other callers none.
run_fake() {
  "$WORK/fakerollbar" -addr 127.0.0.1:0 -addr-file "$WORK/fake.url" "$@" > "$WORK/fake.log" 2>&1 &
  FAKE_PID=$!
  for _ in $(seq 100); do
    [ -s "$WORK/fake.url" ] && break
    kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.log" >&2; die "fake server exited"; }
    sleep 0.1
  done
  [ -s "$WORK/fake.url" ] || die "fake server did not start"
  FAKE_URL=$(cat "$WORK/fake.url")
}

# start_fake: builds and starts the fake Rollbar server (build_fake, run_fake), reporting its URL.
start_fake() {
  log "starting the fake Rollbar server"
  build_fake
  run_fake
  ok "fake server at $FAKE_URL"
}
