#!/usr/bin/env bash
# Tests the Heroku buildpack (buildpack/bin/*) offline, then the release phase it enables:
#   1. builds rollbar-deploy for linux-amd64 and publishes it, with a .sha256, under a file:// URL;
#   2. runs bin/detect, and bin/compile BUILD_DIR CACHE_DIR ENV_DIR with
#      ROLLBAR_DEPLOY_BINARY_URL in ENV_DIR, into a temporary build dir, and checks the result
#      (bin/rollbar-deploy runs --version, .profile.d puts it on PATH); also that a wrong
#      checksum fails the build and a missing one does not; runs bin/release;
#   3. runs the slug's `rollbar-deploy` as Heroku's release phase would (a clean environment,
#      HOME=the slug, .profile.d sourced, no .git, DYNO=release.1, dyno metadata, config vars)
#      against the fake Rollbar server and checks it saw one deploy; then a second release of
#      the same commit (a config-var change) with a read-capable token, which must not record
#      another.
#
#   bash scripts/buildpack-test.sh
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
SHA=89abcdef0123456789abcdef0123456789abcdef

WORK=""
FAKE_PID=""
FAKE_URL=""
DIE_PREFIX="buildpack-test: FAIL: "

trap cleanup EXIT
trap 'exit 130' INT TERM

build_release_asset() {
  log "building rollbar-deploy (linux/amd64) as a release asset"
  mkdir -p "$WORK/release"
  (cd "$REPO" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath \
    -ldflags "-s -w -X main.version=v0.0.0-buildpack-test" \
    -o "$WORK/release/rollbar-deploy_linux_amd64" .)
  (cd "$WORK/release" && sha256sum rollbar-deploy_linux_amd64 > rollbar-deploy_linux_amd64.sha256)
  ok "$(du -h "$WORK/release/rollbar-deploy_linux_amd64" | cut -f1) binary, $(cut -c1-16 "$WORK/release/rollbar-deploy_linux_amd64.sha256")…"
}

# compile_into NAME URL: runs bin/compile into a fresh build dir $WORK/NAME; status of compile.
compile_into() {
  local name=$1 url=$2
  mkdir -p "$WORK/$name/build" "$WORK/$name/cache" "$WORK/$name/env"
  printf '%s' "$url" > "$WORK/$name/env/ROLLBAR_DEPLOY_BINARY_URL"
  # Something of the app's own, which must survive.
  mkdir -p "$WORK/$name/build/bin"
  printf '#!/bin/sh\necho app\n' > "$WORK/$name/build/bin/start-web"
  chmod +x "$WORK/$name/build/bin/start-web"
  printf 'release: rollbar-deploy\nweb: bin/start-web\n' > "$WORK/$name/build/Procfile"
  "$REPO/buildpack/bin/compile" "$WORK/$name/build" "$WORK/$name/cache" "$WORK/$name/env" \
    > "$WORK/$name/compile.log" 2>&1
}

test_buildpack() {
  local url="file://$WORK/release/rollbar-deploy_linux_amd64" out

  log "bin/detect"
  mkdir -p "$WORK/detect"
  out=$("$REPO/buildpack/bin/detect" "$WORK/detect") || die "bin/detect exited non-zero"
  [ -n "$out" ] || die "bin/detect printed no name"
  ok "detect: $out"

  log "bin/compile from $url (with its .sha256)"
  compile_into app "$url" || { cat "$WORK/app/compile.log" >&2; die "bin/compile failed"; }
  sed 's/^/    | /' "$WORK/app/compile.log" >&2
  grep -q 'checksum verified' "$WORK/app/compile.log" || die "the checksum was not verified"
  local bin="$WORK/app/build/bin/rollbar-deploy"
  [ -x "$bin" ] || die "no executable bin/rollbar-deploy in the build dir"
  out=$("$bin" --version) || die "bin/rollbar-deploy --version failed"
  [[ "$out" == *v0.0.0-buildpack-test* ]] || die "unexpected --version: $out"
  ok "bin/rollbar-deploy --version: $out"
  [ -x "$WORK/app/build/bin/start-web" ] || die "the app's own bin/ was lost"
  ls "$WORK/app/build/.profile.d/"*.sh >/dev/null 2>&1 || die "no .profile.d script"
  # shellcheck disable=SC2016 # expanded by the inner shell
  out=$(env -i HOME="$WORK/app/build" PATH=/usr/bin:/bin bash -c \
    'for f in "$HOME"/.profile.d/*.sh; do . "$f"; done; command -v rollbar-deploy')
  [ "$out" = "$WORK/app/build/bin/rollbar-deploy" ] || die ".profile.d does not put bin/ on PATH (got '$out')"
  ok ".profile.d puts \$HOME/bin on PATH"

  log "bin/compile with a wrong checksum must fail"
  mkdir -p "$WORK/bad"
  cp "$WORK/release/rollbar-deploy_linux_amd64" "$WORK/bad/rollbar-deploy_linux_amd64"
  printf '%064d  rollbar-deploy_linux_amd64\n' 0 > "$WORK/bad/rollbar-deploy_linux_amd64.sha256"
  if compile_into badsum "file://$WORK/bad/rollbar-deploy_linux_amd64"; then
    die "bin/compile accepted a binary whose checksum does not match"
  fi
  grep -q 'checksum mismatch' "$WORK/badsum/compile.log" || { cat "$WORK/badsum/compile.log" >&2; die "no clear checksum error"; }
  [ ! -e "$WORK/badsum/build/bin/rollbar-deploy" ] || die "a binary with a bad checksum was installed"
  ok "refused: $(grep 'checksum mismatch' "$WORK/badsum/compile.log" | sed 's/^ *! *//')"

  log "bin/compile without a published checksum"
  mkdir -p "$WORK/nosum"
  cp "$WORK/release/rollbar-deploy_linux_amd64" "$WORK/nosum/"
  compile_into nosum "file://$WORK/nosum/rollbar-deploy_linux_amd64" || { cat "$WORK/nosum/compile.log" >&2; die "bin/compile failed without a checksum"; }
  ok "installed, $(grep -o 'no checksum published' "$WORK/nosum/compile.log")"

  log "bin/compile from a URL with nothing there must fail"
  if compile_into missing "file://$WORK/nowhere/rollbar-deploy_linux_amd64"; then
    die "bin/compile succeeded without a binary"
  fi
  ok "refused: $(tail -n 1 "$WORK/missing/compile.log" | sed 's/^ *! *//')"

  log "bin/release"
  out=$("$REPO/buildpack/bin/release" "$WORK/app/build") || die "bin/release failed"
  [ "$(head -n 1 <<<"$out")" = "---" ] || die "bin/release did not print YAML: $out"
  ok "release: $(tr '\n' ' ' <<<"$out")"
}

# release_phase VERSION TOKEN: runs the slug's rollbar-deploy as the release phase does.
release_phase() {
  local version=$1 token=$2
  # shellcheck disable=SC2016 # expanded by the inner shell, as on the dyno
  env -i HOME="$WORK/app/build" PATH=/usr/local/bin:/usr/bin:/bin \
    DYNO=release.1 PORT=5000 \
    HEROKU_APP_ID=01234567-89ab-cdef-0123-456789abcdef HEROKU_APP_NAME=example-app \
    HEROKU_RELEASE_VERSION="$version" HEROKU_RELEASE_CREATED_AT=2026-11-25T09:00:00Z \
    HEROKU_BUILD_COMMIT="$SHA" HEROKU_SLUG_COMMIT="$SHA" HEROKU_BUILD_DESCRIPTION="Deploy ${SHA:0:7}" \
    ROLLBAR_ACCESS_TOKEN="$token" ROLLBAR_ENV=production ROLLBAR_API_URL="$FAKE_URL" \
    bash -c 'for f in "$HOME"/.profile.d/*.sh; do . "$f"; done; cd "$HOME" && exec rollbar-deploy'
}

deploy_count() { curl -fsS "$FAKE_URL/_fake/deploys" | grep -o '"id": *[0-9]*' | wc -l | tr -d ' '; }

test_release_phase() {
  log "release phase: release: rollbar-deploy (v42, commit ${SHA:0:7})"
  [ ! -e "$WORK/app/build/.git" ] || die "the slug has a .git"
  local out deploys
  out=$(release_phase v42 post-token 2> "$WORK/release1.err") || { cat "$WORK/release1.err" >&2; die "rollbar-deploy failed in the release phase"; }
  sed 's/^/    | /' "$WORK/release1.err" >&2
  deploys=$(curl -fsS "$FAKE_URL/_fake/deploys")
  [ "$(deploy_count)" = 1 ] || die "expected 1 deploy, the fake server has: $deploys"
  grep -q "\"revision\": *\"$SHA\"" <<<"$deploys" || die "the deploy does not have revision $SHA: $deploys"
  grep -q '"environment": *"production"' <<<"$deploys" || die "the deploy is not in production: $deploys"
  grep -q '"status": *"succeeded"' <<<"$deploys" || die "the deploy is not succeeded: $deploys"
  ok "one deploy recorded: id $out"

  log "release phase again: a config-var change (v43, same commit), token that can read"
  release_phase v43 both-token > /dev/null 2> "$WORK/release2.err" || { cat "$WORK/release2.err" >&2; die "the second release phase failed"; }
  sed 's/^/    | /' "$WORK/release2.err" >&2
  [ "$(deploy_count)" = 1 ] || die "the same commit was recorded twice: $(curl -fsS "$FAKE_URL/_fake/deploys")"
  ok "still one deploy"
}

main() {
  command -v go >/dev/null 2>&1 || die "Go is needed"
  command -v curl >/dev/null 2>&1 || die "curl is needed"
  command -v sha256sum >/dev/null 2>&1 || die "sha256sum is needed"
  WORK=$(mktemp -d)
  build_release_asset
  start_fake
  test_buildpack
  test_release_phase
  # Reached only when every check passed: each failure exits at once.
  echo "buildpack-test: detect, compile (checksum ok, wrong, missing; no binary), release, release phase (record, no duplicate)"
  echo "buildpack-test: 9 passed, 0 failed"
}

main "$@"
