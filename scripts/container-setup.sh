#!/usr/bin/env bash
# Installs what the tests of the packaging need on a fresh Debian machine, as root: podman for
# e2e/drivers and scripts/act-test.sh, the image they run, gitlab-ci-local. It checks nothing:
# the checks are Go (e2e/drivers, run by `make e2e`).
#
#   bash scripts/container-setup.sh                 # install + configure + base images
#   bash scripts/container-setup.sh --image=rollbar-deploy:image-test --gitlab-ci-local
#   bash scripts/container-setup.sh --tag=golang:1.25-alpine=localhost/golang-standin:1
#
# What it does (each part is skipped when already done, so a second run takes seconds):
#   1. installs podman, runc, busybox-static (and jq, for scripts/act-test.sh and bench.sh);
#   2. writes /etc/containers/containers.conf: runc as the runtime, no default ulimits, host
#      network for every container (so a server on 127.0.0.1 is reachable from inside);
#   3. makes the base images available: if the public ones (docker.io/library/golang,
#      docker.io/library/busybox) can be pulled, only the small act job image is built;
#      otherwise it builds local stand-ins from this machine's busybox and Go toolchain:
#        localhost/busybox-standin:1       busybox (sh and applets) + CA certificates
#        localhost/golang-standin:1        the above + the host's Go toolchain at /usr/local/go
#        localhost/act-runner-standin:1    the busybox stand-in with a bash shim (a job image for act)
#   4. --tag=NAME=IMAGE tags IMAGE as NAME too (act builds the Dockerfile without build
#      arguments, so the stand-ins must answer to the Dockerfile's default base image names);
#   5. --image=NAME builds the Dockerfile as NAME, from the stand-ins when they are here;
#   6. --gitlab-ci-local installs rsync (apt) and gitlab-ci-local $GITLAB_CI_LOCAL_VERSION (npm,
#      into ${XDG_CACHE_HOME:-~/.cache}/rollbar-deploy/, linked as /usr/local/bin/gitlab-ci-local).
#
# Environment: CONTAINER_SETUP_FORCE_STANDINS=1 builds the stand-ins without trying to pull.
set -euo pipefail

readonly BUSYBOX_STANDIN=localhost/busybox-standin:1
readonly GOLANG_STANDIN=localhost/golang-standin:1
readonly RUNNER_STANDIN=localhost/act-runner-standin:1
readonly PROBE_IMAGE=docker.io/library/busybox:1.37
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
  command -v jq >/dev/null 2>&1 || need+=(jq)  # act-test.sh and bench.sh read the fake's JSON with it
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

can_pull_public_images() {
  [ "${CONTAINER_SETUP_FORCE_STANDINS:-0}" = 1 ] && return 1
  # A pull, not a look in local storage: scripts/act-test.sh tags the stand-ins under public
  # names. No registry at all answers quickly; a slow one is given 60 seconds.
  timeout 60 podman pull -q "$PROBE_IMAGE" >/dev/null 2>&1
}

# build_standins all|runner: "runner" builds only what act needs for its job container.
build_standins() {
  local which=$1
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

  if [ "$which" = all ] && ! podman image exists "$GOLANG_STANDIN"; then
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
    printf 'FROM %s\nCOPY bash /bin/bash\n' "$BUSYBOX_STANDIN" > "$work/runner/Containerfile"
    podman build -q -t "$RUNNER_STANDIN" "$work/runner" >/dev/null
  fi
}

# build_image NAME: the Dockerfile as NAME, with the stand-ins for base images that cannot be pulled.
build_image() {
  local args=(--build-arg VERSION=v0.0.0-image-test) goproxy
  if podman image exists "$GOLANG_STANDIN"; then
    args+=(--build-arg "GO_IMAGE=$GOLANG_STANDIN" --build-arg "BASE_IMAGE=$BUSYBOX_STANDIN")
  fi
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

apply_tags() {
  local arg spec name image
  for arg in "$@"; do
    case "$arg" in
      --image=* | --gitlab-ci-local) ;;  # done in main, after the tags
      --tag=*=*)
        spec=${arg#--tag=}
        name=${spec%%=*}
        image=${spec#*=}
        # A short name such as golang:1.25-alpine is what a Dockerfile's FROM resolves to
        # docker.io/library/…; tag that fully qualified name so podman finds it locally.
        case "$name" in
          */*/*) ;;
          */*) name=docker.io/$name ;;
          *) name=docker.io/library/$name ;;
        esac
        podman tag "$image" "$name"
        log "tagged $image as $name"
        ;;
      -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
      *) die "unknown argument: $arg" ;;
    esac
  done
}

main() {
  install_packages
  configure
  podman info >/dev/null 2>&1 || die "podman does not work here: run 'podman info' to see why"
  if podman image exists "$GOLANG_STANDIN" && podman image exists "$BUSYBOX_STANDIN" &&
    podman image exists "$RUNNER_STANDIN"; then
    log "stand-in images present"
  elif can_pull_public_images; then
    log "public base images can be pulled: only the act job image is built locally"
    build_standins runner
  else
    command -v go >/dev/null 2>&1 || die "no registry reachable and no Go toolchain for the stand-ins"
    build_standins all
  fi
  apply_tags "$@"
  local arg
  for arg in "$@"; do
    case "$arg" in
      --image=*) build_image "${arg#--image=}" ;;
      --gitlab-ci-local) install_gitlab_ci_local ;;
    esac
  done
  podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'standin|busybox|golang' >&2 || true
}

main "$@"
