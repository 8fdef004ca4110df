#!/usr/bin/env bash
# Installs what the tests of the packaging need on a fresh Debian machine, as root: podman for
# e2e/drivers and scripts/act-test.sh, the image they run, gitlab-ci-local. It checks nothing:
# the checks are Go (e2e/drivers, run by `make e2e`).
#
#   bash scripts/container-setup.sh                 # install + configure + base images
#   bash scripts/container-setup.sh --image=rollbar-deploy:image-test --gitlab-ci-local
#
# What it does (each part is skipped when already done, so a second run takes seconds):
#   1. installs podman, runc, busybox-static (and jq, for scripts/bench.sh and action-bench.sh);
#   2. writes /etc/containers/containers.conf: runc as the runtime, no default ulimits, host
#      network for every container (so a server on 127.0.0.1 is reachable from inside);
#   3. builds local stand-ins for the base images from this machine's busybox and Go toolchain,
#      so that nothing is pulled from a registry:
#        localhost/busybox-standin:1       busybox (sh and applets) + CA certificates
#        localhost/golang-standin:1        the above + the host's Go toolchain at /usr/local/go
#        localhost/act-go-runner-standin:1 the Go stand-in with a bash shim: act's job image,
#                                          with Go on PATH as on hosted runners
#   4. --image=NAME builds the Dockerfile as NAME from the stand-ins;
#   5. --gitlab-ci-local installs rsync (apt) and gitlab-ci-local $GITLAB_CI_LOCAL_VERSION (npm,
#      into ${XDG_CACHE_HOME:-~/.cache}/rollbar-deploy/, linked as /usr/local/bin/gitlab-ci-local).
set -euo pipefail

readonly BUSYBOX_STANDIN=localhost/busybox-standin:1
readonly GOLANG_STANDIN=localhost/golang-standin:1
readonly RUNNER_STANDIN=localhost/act-go-runner-standin:1
readonly GITLAB_CI_LOCAL_VERSION=4.60.1

log() { printf 'container-setup: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

work=""
cleanup() { [ -n "$work" ] && rm -rf "$work"; return 0; }
trap cleanup EXIT

install_packages() {
  local need=()
  command -v podman >/dev/null 2>&1 || need+=(podman)
  command -v runc >/dev/null 2>&1 || need+=(runc)
  [ -x /bin/busybox ] || need+=(busybox-static)
  command -v jq >/dev/null 2>&1 || need+=(jq)  # bench.sh and action-bench.sh read the fake's JSON with it
  # uidmap and slirp are pulled in by podman's Recommends on most systems; not needed as root.
  if [ ${#need[@]} -eq 0 ]; then
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "installing ${need[*]} needs root"
  log "installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${need[@]}" containernetworking-plugins catatonit >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

configure() {
  # crun cannot run in some sandboxes (cgroups in hybrid mode, rlimits): use runc, keep the
  # rlimits, and share the host network.
  local conf=/etc/containers/containers.conf want
  want=$(cat <<'CONF'
[containers]
default_ulimits = []
netns = "host"
[engine]
runtime = "runc"
CONF
)
  if [ -f "$conf" ] && [ "$(cat "$conf")" = "$want" ]; then
    return 0
  fi
  if [ -f "$conf" ] && [ ! -f "$conf.before-rollbar-deploy" ]; then
    cp "$conf" "$conf.before-rollbar-deploy"
  fi
  mkdir -p /etc/containers
  printf '%s\n' "$want" > "$conf"
  log "wrote $conf"
}

build_standins() {
  work=$(mktemp -d)
  if ! podman image exists "$BUSYBOX_STANDIN"; then
    log "building $BUSYBOX_STANDIN"
    [ -f /etc/ssl/certs/ca-certificates.crt ] || die "/etc/ssl/certs/ca-certificates.crt is missing (apt-get install ca-certificates)"
    mkdir -p "$work/base/bin" "$work/base/etc/ssl/certs" "$work/base/tmp"
    cp /bin/busybox "$work/base/bin/busybox"
    cp /etc/ssl/certs/ca-certificates.crt "$work/base/etc/ssl/certs/"
    cat > "$work/base/Containerfile" <<'CF'
FROM scratch
COPY bin/busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY etc /etc
COPY tmp /tmp
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
CF
    podman build -q -t "$BUSYBOX_STANDIN" "$work/base" >/dev/null
  fi

  if ! podman image exists "$GOLANG_STANDIN"; then
    log "building $GOLANG_STANDIN from $(go env GOROOT) ($(go env GOVERSION))"
    mkdir -p "$work/go"
    cp -a "$(go env GOROOT)" "$work/go/go"
    cat > "$work/go/Containerfile" <<CF
FROM $BUSYBOX_STANDIN
COPY go /usr/local/go
ENV PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    GOPATH=/go GOTOOLCHAIN=local
WORKDIR /go
CF
    podman build -q -t "$GOLANG_STANDIN" "$work/go" >/dev/null
  fi

  if ! podman image exists "$RUNNER_STANDIN"; then
    log "building $RUNNER_STANDIN"
    mkdir -p "$work/runner"
    printf '#!/bin/sh\nexec /bin/sh "$@"\n' > "$work/runner/bash"
    chmod +x "$work/runner/bash"
    printf 'FROM %s\nCOPY bash /bin/bash\n' "$GOLANG_STANDIN" > "$work/runner/Containerfile"
    podman build -q -t "$RUNNER_STANDIN" "$work/runner" >/dev/null
  fi
}

# build_image NAME: the Dockerfile as NAME, with the stand-ins for base images that cannot be pulled.
build_image() {
  local args=(--build-arg VERSION=v0.0.0-image-test --build-arg "GO_IMAGE=$GOLANG_STANDIN" --build-arg "BASE_IMAGE=$BUSYBOX_STANDIN") goproxy
  goproxy=$(go env GOPROXY 2>/dev/null || true)
  [ -n "$goproxy" ] && args+=(--build-arg "GOPROXY=$goproxy")
  log "building $1"
  work=${work:-$(mktemp -d)}
  podman build --network host -t "$1" "${args[@]}" "$(dirname "${BASH_SOURCE[0]}")/.." > "$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; die "image build failed"; }
  # The build stage, left untagged.
  podman image prune -f >/dev/null 2>&1 || true
}

# install_gitlab_ci_local: gitlab-ci-local of the pinned version, which starts (its re2
# dependency is a native module: an install whose build was skipped fails at the first call).
install_gitlab_ci_local() {
  local prefix=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/rollbar-deploy/gitlab-ci-local-$GITLAB_CI_LOCAL_VERSION
  local gcl=$prefix/bin/gitlab-ci-local
  if ! command -v rsync >/dev/null 2>&1; then  # it copies the repository with rsync
    log "installing rsync"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsync >/dev/null
  fi
  if [ "$("$gcl" --version 2>/dev/null)" != "$GITLAB_CI_LOCAL_VERSION" ]; then
    command -v npm >/dev/null 2>&1 || die "npm is missing: install Node.js 20 or later (apt-get install nodejs npm)"
    log "installing gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION into $prefix (builds its native re2 module: a few minutes)"
    mkdir -p "$prefix"
    # npm 11 runs a dependency's install script only when allowed; re2 needs its own to build.
    npm install --global --prefix "$prefix" --no-audit --no-fund --allow-scripts=re2 \
      "gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION" > "$prefix/npm-install.log" 2>&1 ||
      { tail -n 30 "$prefix/npm-install.log" >&2; die "npm install gitlab-ci-local failed"; }
    [ "$("$gcl" --version 2>/dev/null)" = "$GITLAB_CI_LOCAL_VERSION" ] ||
      die "gitlab-ci-local installed but does not start (log: $prefix/npm-install.log)"
  fi
  ln -sf "$gcl" /usr/local/bin/gitlab-ci-local
}

main() {
  install_packages
  configure
  podman info >/dev/null 2>&1 || die "podman does not work here: run 'podman info' to see why"
  command -v go >/dev/null 2>&1 || die "no Go toolchain for the stand-in images"
  build_standins
  local arg
  for arg in "$@"; do
    case "$arg" in
      --image=*) build_image "${arg#--image=}" ;;
      --gitlab-ci-local) install_gitlab_ci_local ;;
      -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
      *) die "unknown argument: $arg" ;;
    esac
  done
  podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'standin|busybox|golang' >&2 || true
}

main "$@"
