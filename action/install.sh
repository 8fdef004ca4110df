#!/usr/bin/env bash
# shellcheck disable=SC2086 # $sha256 is unquoted on purpose: "shasum -a 256" is three words.
# Puts the rollbar-deploy binary for this runner in the runner's tool cache, writes its path
# as `path=…` to GITHUB_OUTPUT (or prints it when GITHUB_OUTPUT is unset) and its directory to
# GITHUB_PATH. action.yml runs it as
# the action's first step; it runs the same outside a runner, given the same variables.
#
# The first way that applies, in this order (the log says which one it took):
#   1. the tool cache has the binary of this version: reused;
#   2. action/release.txt pins a version and the SHA-256 of each release binary (a release
#      commit has it, written by `go run ./internal/release/cmd pin`): the binary for the runner
#      is downloaded from the GitHub release, or from RD_DOWNLOAD_URL, checked against its pinned
#      SHA-256, and installed in the tool cache;
#   3. no pin (`uses: ./`, a branch, a SHA): built from the action's own source with the
#      runner's Go, cached under a key made of the Go sources' hash;
#   4. otherwise: an ::error:: saying what to do.
#
# Variables: RUNNER_OS (Linux, macOS, Windows), RUNNER_ARCH (X64, ARM64), RUNNER_TOOL_CACHE
# (else RUNNER_TEMP), GITHUB_ACTION_PATH (the action's directory; default: this script's
# parent), RD_DOWNLOAD_URL or ROLLBAR_DOWNLOAD_URL (a mirror: the binary is fetched from
# RD_DOWNLOAD_URL/vX.Y.Z/ASSET),
# RD_ACTION_REPOSITORY (owner/name of the action, else GITHUB_REPOSITORY), GITHUB_SERVER_URL.
#
# POSIX sh on purpose: it must run under Git Bash on Windows, bash 3.2 on macOS and the busybox
# sh of minimal self-hosted images alike.
set -eu

err() {
  echo "::error title=rollbar-deploy action::$*" >&2
  exit 1
}

# native PATH [-w]: a Windows path (C:\…) as Git Bash's tools want it (/c/…); with -w, the
# other way, as the runner and pwsh or cmd steps want it.
native() {
  if [ "${RUNNER_OS:-}" = Windows ] && command -v cygpath >/dev/null 2>&1; then
    cygpath "${2:--u}" "$1"
  else
    printf '%s\n' "$1"
  fi
}

# macOS has shasum, not sha256sum; either prints "HASH  FILE".
sha256=sha256sum
command -v sha256sum >/dev/null 2>&1 || sha256="shasum -a 256"

case "${RUNNER_OS:-}" in
  Linux) goos=linux ;;
  macOS) goos=darwin ;;
  Windows) goos=windows ;;
  *) err "unsupported runner OS '${RUNNER_OS:-}': Linux, macOS and Windows runners are supported" ;;
esac
case "${RUNNER_ARCH:-}" in
  X64) goarch=amd64 arch=x64 ;;
  ARM64) goarch=arm64 arch=arm64 ;;
  *) err "unsupported runner architecture '${RUNNER_ARCH:-}': X64 and ARM64 runners are supported" ;;
esac
exe=rollbar-deploy
[ "$goos" = windows ] && exe=rollbar-deploy.exe
asset=rollbar-deploy_${goos}_${goarch}
[ "$goos" = windows ] && asset=$asset.exe

action_path=$(native "${GITHUB_ACTION_PATH:-$(dirname "$0")/..}")
cache_root=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-}}
[ -n "$cache_root" ] || err "neither RUNNER_TOOL_CACHE nor RUNNER_TEMP is set: run this as an action step"
cache_root=$(native "$cache_root")/rollbar-deploy
pin=$action_path/action/release.txt

if [ -f "$pin" ]; then
  tag=$(sed -n 's/^version //p' "$pin")
  want=$(awk -v a="$asset" '$2 == a { print $1 }' "$pin")
  if [ -z "$tag" ] || [ -z "$want" ]; then err "$pin names no version or no SHA-256 for $asset"; fi
  version=${tag#v}
  how="release $tag"
else
  # The binary depends on the Go sources alone (-trimpath, no VCS stamp): their hash is the key.
  sums=$(cd "$action_path" && find . -path ./.git -prune -o -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum \) -print |
    LC_ALL=C sort | tr '\n' '\0' | xargs -0 $sha256)
  key=$(printf '%s\n' "$sums" | $sha256 | cut -c1-16)
  version=0.0.0-src.$key
  how="built from the action's source, key $key"
fi

dir=$cache_root/$version/$arch
bin=$dir/$exe

# The binary's directory also goes on the job's PATH, so that a later run: step can call
# rollbar-deploy (watch, id=$(rollbar-deploy …)) itself.
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "path=$bin" >> "$GITHUB_OUTPUT"
  else
    printf '%s\n' "$bin"
  fi
  if [ -n "${GITHUB_PATH:-}" ]; then
    native "$dir" -w >> "$GITHUB_PATH"
  fi
}

# Installed as @actions/tool-cache does: the directory, then a marker beside it, so that an
# install cut short is never taken for a complete one.
if [ -f "$dir.complete" ] && [ -f "$bin" ]; then
  echo "rollbar-deploy $version ($goos/$goarch): from the tool cache, $bin ($how)"
  output
  exit 0
fi

tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rollbar-deploy.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -n "${tag:-}" ]; then
  base=${RD_DOWNLOAD_URL:-${ROLLBAR_DOWNLOAD_URL:-}}
  if [ -z "$base" ]; then
    # github.action_repository can be empty inside composite actions; the
    # runner keeps an action at _actions/OWNER/NAME/REF, which tells it too.
    repo=${RD_ACTION_REPOSITORY:-}
    path=$(printf '%s' "${GITHUB_ACTION_PATH:-}" | tr "\\" /)
    case $path in
      */_actions/*/*/*) rest=${path#*/_actions/}; repo=${repo:-${rest%%/*}/$(printf '%s' "${rest#*/}" | cut -d/ -f1)} ;;
    esac
    repo=${repo:-${GITHUB_REPOSITORY:-}}
    [ -n "$repo" ] || err "cannot tell which repository's release to download from: set download_url"
    base=${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download
  fi
  url=${base%/}/$tag/$asset
  echo "rollbar-deploy $tag ($goos/$goarch): downloading $url"
  curl --fail --silent --show-error --location --retry 3 --connect-timeout 20 --max-time 300 \
    --output "$tmp/$exe" -- "$url" || err "could not download $url: check the runner's network access to it, or set download_url to a mirror"
  got=$($sha256 "$tmp/$exe" | cut -d' ' -f1)
  [ "$got" = "$want" ] || err "$url has SHA-256 $got, but the release pins $want for $asset: refusing it"
  echo "checksum verified: $got"
else
  if ! command -v go >/dev/null 2>&1; then
    err "this ref of the action has no released binary and the runner has no Go to build it: use a release tag (uses: OWNER/rollbar-deploy@v1), or add actions/setup-go before this step"
  fi
  echo "rollbar-deploy ($goos/$goarch): building from $action_path with $(go env GOVERSION)"
  (cd "$action_path" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X main.version=$version" -o "$tmp/$exe" .) || err "go build failed (output above)"
fi

chmod 0755 "$tmp/$exe"
mkdir -p "$dir"
mv -f "$tmp/$exe" "$bin"
: > "$dir.complete"
echo "rollbar-deploy $version: installed $bin ($how)"
output
