#!/bin/sh
# shellcheck disable=SC2086 # $sha256 is unquoted on purpose: "shasum -a 256" is three words.
# Puts the rollbar-deploy binary for this runner in the runner's tool cache, writes its path
# as `path=…` to GITHUB_OUTPUT (or prints it when GITHUB_OUTPUT is unset) and its directory to
# GITHUB_PATH. action.yml runs it as the action's first step (`shell: sh`); it runs the same
# outside a runner, given the same variables.
#
# The first way that applies, in this order (the log says which one it took):
#   1. the tool cache has the binary of this version: reused, for a released action only once
#      its SHA-256 is the pinned one (a cache that anything on a persistent runner can write is
#      trusted no more than a download);
#   2. action/release.txt pins a repository, a version and the SHA-256 of each release binary (a
#      release commit has it, written by `go run ./internal/release/cmd pin`): the binary for the
#      runner is downloaded (curl, else wget) from that repository's GitHub release, or from
#      RD_DOWNLOAD_URL, checked against its pinned SHA-256, and installed in the tool cache;
#   3. no pin (`uses: ./`, a branch, a SHA): built from the action's own source with the
#      runner's Go, cached under a key made of the Go sources' hash;
#   4. otherwise: a message saying what to do.
#
# When the binary cannot be had, fail_on_error decides, as it does for the binary's own errors:
# never: a warning, and the step succeeds without a path (the record step then skips, warning);
# config (the default): a warning for an outage (no answer, a timeout, HTTP 5xx or 429), an error
# for what the user must fix (a missing tool or release file, a checksum mismatch, no Go);
# always: an error.
#
# Variables: RUNNER_OS (Linux, macOS, Windows), RUNNER_ARCH (X64, ARM64), RUNNER_TOOL_CACHE
# (else RUNNER_TEMP; RUNNER_TEMP too when the tool cache cannot be written), GITHUB_ACTION_PATH
# (the action's directory; default: this script's parent), RD_DOWNLOAD_URL or
# ROLLBAR_DOWNLOAD_URL (a mirror: the binary is fetched from RD_DOWNLOAD_URL/vX.Y.Z/ASSET),
# RD_FAIL_ON_ERROR (the input) or ROLLBAR_FAIL_ON_ERROR, RD_ACTION_REPOSITORY (owner/name of the
# action), GITHUB_SERVER_URL.
#
# POSIX sh on purpose: a container job runs it in the job's image, which may have no bash
# (alpine, busybox); it runs under Git Bash's sh on Windows and /bin/sh on macOS alike.
set -eu

# say LEVEL MESSAGE: a workflow command; % would start an escape in it.
say() {
  printf '::%s title=rollbar-deploy action::%s\n' "$1" "$(printf '%s' "$2" | sed 's/%/%25/g')" >&2
}

# The failure policy, read as the binary reads fail_on_error; a value it refuses is left to
# the binary to name, and counts as the default here.
# (Patterns, not tr: every process this step starts is time in every deploy job.)
case ${RD_FAIL_ON_ERROR:-${ROLLBAR_FAIL_ON_ERROR:-}} in
  [Nn][Ee][Vv][Ee][Rr] | [Ff][Aa][Ll][Ss][Ee]) policy=never ;;
  [Aa][Ll][Ww][Aa][Yy][Ss] | [Tt][Rr][Uu][Ee]) policy=always ;;
  *) policy=config ;;
esac

# give_up KIND MESSAGE: the binary cannot be had. KIND is outage (the network or the server:
# a later run may get past it) or fix (the user must change something).
give_up() {
  if [ "$policy" = never ] || { [ "$policy" = config ] && [ "$1" = outage ]; }; then
    say warning "$2. The deploy is not recorded (fail_on_error: $policy)"
    exit 0
  fi
  say error "$2"
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

# to_native VARIABLE: native, in place, without a process where there is nothing to convert.
to_native() {
  [ "${RUNNER_OS:-}" = Windows ] || return 0
  eval "value=\$$1"
  [ -z "$value" ] || eval "$1=\$(native \"\$value\")"
}

# action_repository: prints the repository the action was taken from, for messages and the
# release's URL. The runner sets github.action_repository for the action but not for its own
# steps, where it is empty; it keeps a repository's action at _actions/OWNER/NAME/REF, which
# tells it too. A local action (uses: ./…) has neither: nothing is printed.
action_repository() {
  if [ -n "${RD_ACTION_REPOSITORY:-}" ]; then
    printf '%s\n' "$RD_ACTION_REPOSITORY"
    return
  fi
  printf '%s\n' "${GITHUB_ACTION_PATH:-}" | sed -n 's|\\|/|g; s|.*/_actions/\([^/]*/[^/]*\)/.*|\1|p'
}

case "${RUNNER_OS:-}" in
  Linux) goos=linux ;;
  macOS) goos=darwin ;;
  Windows) goos=windows ;;
  *) give_up fix "unsupported runner OS '${RUNNER_OS:-}': Linux, macOS and Windows runners are supported" ;;
esac
case "${RUNNER_ARCH:-}" in
  X64) goarch=amd64 arch=x64 ;;
  ARM64) goarch=arm64 arch=arm64 ;;
  *) give_up fix "unsupported runner architecture '${RUNNER_ARCH:-}': X64 and ARM64 runners are supported" ;;
esac
exe=rollbar-deploy
[ "$goos" = windows ] && exe=rollbar-deploy.exe
asset=rollbar-deploy_${goos}_${goarch}
[ "$goos" = windows ] && asset=$asset.exe

# macOS has shasum, not sha256sum; either prints "HASH  FILE".
if command -v sha256sum >/dev/null 2>&1; then
  sha256=sha256sum
elif command -v shasum >/dev/null 2>&1; then
  sha256="shasum -a 256"
else
  give_up fix "neither sha256sum nor shasum is on this job's PATH (in a container job: the job's image), so the binary cannot be checked: add coreutils or busybox to the image"
fi

action_path=${GITHUB_ACTION_PATH:-}
[ -n "$action_path" ] || action_path=$(dirname "$0")/..
temp=${RUNNER_TEMP:-}
cache_root=${RUNNER_TOOL_CACHE:-$temp}
to_native action_path
to_native temp
to_native cache_root
[ -n "$cache_root" ] || give_up fix "neither RUNNER_TOOL_CACHE nor RUNNER_TEMP is set: run this as an action step"
cache_root=$cache_root/rollbar-deploy
pin=$action_path/action/release.txt

if [ -f "$pin" ]; then
  tag='' pinned_repo='' want=''
  while read -r first second; do
    case $first in
      version) tag=$second ;;
      repository) pinned_repo=$second ;;
      *) [ "$second" != "$asset" ] || want=$first ;;
    esac
  done < "$pin"
  if [ -z "$tag" ] || [ -z "$want" ]; then give_up fix "$pin names no version or no SHA-256 for $asset"; fi
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

# A tool cache this job cannot write (a container job whose image runs as another user than
# the runner, a read-only shared cache) leaves the job's own temporary directory.
if ! { [ -d "$cache_root/$version/$arch" ] || mkdir -p "$cache_root/$version/$arch" 2>/dev/null; } ||
  ! [ -w "$cache_root/$version/$arch" ]; then
  [ -n "$temp" ] || give_up fix "the tool cache $cache_root cannot be written and RUNNER_TEMP is not set"
  echo "rollbar-deploy: the tool cache $cache_root cannot be written by this job: installing in $temp for this job alone"
  cache_root=$temp/rollbar-deploy
  mkdir -p "$cache_root/$version/$arch" 2>/dev/null ||
    give_up fix "neither the tool cache nor RUNNER_TEMP ($temp) can be written by this job's user (uid $(id -u)): run the container as the runner's user"
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

# sum FILE: sets got to FILE's SHA-256.
sum() {
  # shellcheck disable=SC2046 # split on purpose: "HASH  FILE"
  set -- $($sha256 "$1")
  got=$1
}

# Installed as @actions/tool-cache does: the binary, then a marker beside its directory, so that
# an install cut short is never taken for a complete one.
if [ -f "$dir.complete" ] && [ -f "$bin" ]; then
  if [ -z "${want:-}" ]; then
    echo "rollbar-deploy $version ($goos/$goarch): from the tool cache, $bin ($how)"
    output
    exit 0
  fi
  sum "$bin"
  if [ "$got" = "$want" ]; then
    echo "rollbar-deploy $version ($goos/$goarch): from the tool cache, $bin ($how, checksum verified)"
    output
    exit 0
  fi
  say warning "the tool cache's $bin has SHA-256 $got, but the release pins $want for $asset: refusing it, and installing it again"
  rm -f "$dir.complete" "$bin"
fi

# Fetched into the binary's own directory, so that the last move is a rename: a job that runs
# the cached binary at that moment keeps the file it opened.
part=$(mktemp "$dir/.$exe.XXXXXX")
trap 'rm -f "$part" "$part.log"' EXIT

# wget (GNU's and busybox's alike) reads only the lower-case proxy variables, which a runner
# behind a proxy may not set.
[ -n "${http_proxy:-}" ] || [ -z "${HTTP_PROXY:-}" ] || export http_proxy="$HTTP_PROXY"
[ -n "${https_proxy:-}" ] || [ -z "${HTTPS_PROXY:-}" ] || export https_proxy="$HTTPS_PROXY"
[ -n "${no_proxy:-}" ] || [ -z "${NO_PROXY:-}" ] || export no_proxy="$NO_PROXY"

# fetch URL: downloads URL to $part with curl, else wget; on failure, gives up, telling an
# outage from an answer that needs a fix.
fetch() {
  log=$part.log
  if command -v curl >/dev/null 2>&1; then
    code=$(curl --fail --silent --show-error --location --retry 3 --connect-timeout 20 --max-time 300 \
      --write-out '%{http_code}' --output "$part" -- "$1" 2>"$log") && return 0
  elif command -v wget >/dev/null 2>&1; then
    # GNU wget and busybox wget share these options; -q would hide GNU wget's error. A busybox
    # built without -T (Debian's) waits as long as the server keeps the connection.
    timeout=
    wget --help 2>&1 | grep -q -- '-T ' && timeout="-T 60"
    for attempt in 1 2 3; do
      # shellcheck disable=SC2086 # $timeout is empty or two words
      wget $timeout -O "$part" "$1" >"$log" 2>&1 && return 0
      # GNU: "ERROR 404: Not Found."; busybox: "server returned error: HTTP/1.1 404 Not Found".
      code=$(sed -n 's/.*ERROR \([0-9][0-9][0-9]\).*/\1/p; s/.*returned error: HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$log" | tail -n 1)
      case $code in 4??) [ "$code" = 408 ] || [ "$code" = 429 ] || break ;; esac
      [ "$attempt" = 3 ] || sleep "$attempt"
    done
  else
    give_up fix "neither curl nor wget is on this job's PATH (in a container job: the job's image), so the binary cannot be downloaded: add one to the image (apk add curl, apt-get install curl), or run the job without container:"
  fi
  why=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
  case ${code:-000} in
    408 | 429 | 000 | 5??) give_up outage "could not download $1 ($why): the server did not answer or was not available; a re-run may get it" ;;
    *) give_up fix "could not download $1 (HTTP $code): check that the release $tag has $asset, and download_url if set" ;;
  esac
}

if [ -n "${tag:-}" ]; then
  base=${RD_DOWNLOAD_URL:-${ROLLBAR_DOWNLOAD_URL:-}}
  if [ -z "$base" ]; then
    # The pin names the repository whose release has the binaries its sums are of: a fork's or
    # a vendored copy's too. A pin of before that (no repository line) is the action's own, or
    # for a local action (uses: ./) the workflow's repository checked out at a release commit.
    from=${pinned_repo:-$(action_repository)}
    from=${from:-${GITHUB_REPOSITORY:-}}
    [ -n "$from" ] || give_up fix "cannot tell which repository's release to download from: set download_url"
    base=${GITHUB_SERVER_URL:-https://github.com}/$from/releases/download
  fi
  url=${base%/}/$tag/$asset
  echo "rollbar-deploy $tag ($goos/$goarch): downloading $url"
  fetch "$url"
  sum "$part"
  [ "$got" = "$want" ] || give_up fix "$url has SHA-256 $got, but the release pins $want for $asset: refusing it"
  echo "checksum verified: $got"
else
  if ! command -v go >/dev/null 2>&1; then
    repo=$(action_repository)
    if [ -n "$repo" ]; then
      give_up fix "this ref of $repo has no released binary and the runner has no Go to build it: use a release tag (uses: $repo@v1), or add actions/setup-go before this step"
    fi
    give_up fix "the action at $action_path (uses: ./…) is not a release of rollbar-deploy and the runner has no Go to build it: use a release tag of its repository, or add actions/setup-go before this step"
  fi
  echo "rollbar-deploy ($goos/$goarch): building from $action_path with $(go env GOVERSION)"
  (cd "$action_path" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X main.version=$version" -o "$part" .) || give_up fix "go build failed (output above)"
fi

chmod 0755 "$part"
mv -f "$part" "$bin"
: > "$dir.complete"
echo "rollbar-deploy $version: installed $bin ($how)"
output
