#!/usr/bin/env bash
# Runs a real GitLab pipeline locally with gitlab-ci-local (shell executor, no containers):
# scripts/testdata/gitlab/.gitlab-ci.yml, whose deploy-start job records a started deploy and
# writes a dotenv report, a deploy job, and a deploy-finish job in a later stage that runs
# `rollbar-deploy --status succeeded` with the id GitLab hands over from that report. Rollbar is
# the fake server (internal/rollbartest/fakerollbar) on 127.0.0.1; /_fake/deploys and
# /_fake/requests must show exactly one deploy of the test repository's commit, started and then
# updated to succeeded.
#
#   bash scripts/gitlab-test.sh
#
# Installs what is missing: rsync (apt, as root), gitlab-ci-local (npm, into a cache prefix, not
# the system). Environment:
#   GITLAB_CI_LOCAL         a gitlab-ci-local to use instead of installing one
#   GITLAB_CI_LOCAL_PREFIX  npm prefix to install it into (default
#                           ${XDG_CACHE_HOME:-$HOME/.cache}/rollbar-deploy/gitlab-ci-local-VERSION)
#   KEEP_WORK=1             keep the temporary directory (the repository, the jobs' logs)
# (gitlab-ci-local takes any GCL_* variable as an option, hence no such names here.)
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

GITLAB_CI_LOCAL_VERSION=4.60.1
GITLAB_CI_LOCAL_PREFIX=${GITLAB_CI_LOCAL_PREFIX:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/rollbar-deploy/gitlab-ci-local-$GITLAB_CI_LOCAL_VERSION}
TOKEN=post-token # a token the fake accepts for recording
WORK=""
FAKE_PID=""
FAKE_URL=""
DIE_PREFIX="gitlab-test: FAIL: "

# keep_work runs in lib.sh's cleanup with KEEP_WORK=1: it keeps $WORK by emptying the name.
keep_work() {
  if [ -n "$WORK" ] && [ "${KEEP_WORK:-0}" = 1 ]; then
    log "kept $WORK"
    WORK=""
  fi
}
trap 'cleanup keep_work' EXIT
trap 'exit 130' INT TERM

need_rsync() {
  command -v rsync >/dev/null 2>&1 && return
  log "installing rsync (gitlab-ci-local copies the repository with it)"
  [ "$(id -u)" = 0 ] || die "rsync is missing and installing it needs root: apt-get install rsync"
  command -v apt-get >/dev/null 2>&1 || die "rsync is missing and there is no apt-get to install it with"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsync >/dev/null
  command -v rsync >/dev/null 2>&1 || die "rsync did not install"
}

# gcl_works tells whether $1 is a gitlab-ci-local of the pinned version that starts (its re2
# dependency is a native module: an install whose build was skipped fails at the first call).
gcl_works() {
  [ -x "$1" ] && [ "$("$1" --version 2>/dev/null)" = "$GITLAB_CI_LOCAL_VERSION" ]
}

need_gitlab_ci_local() {
  if [ -n "${GITLAB_CI_LOCAL:-}" ]; then
    "$GITLAB_CI_LOCAL" --version >/dev/null 2>&1 || die "GITLAB_CI_LOCAL=$GITLAB_CI_LOCAL does not run"
    GCL=$GITLAB_CI_LOCAL
    return
  fi
  GCL=$GITLAB_CI_LOCAL_PREFIX/bin/gitlab-ci-local
  gcl_works "$GCL" && return
  command -v npm >/dev/null 2>&1 || die "npm is missing: install Node.js 20 or later (apt-get install nodejs npm)"
  log "installing gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION into $GITLAB_CI_LOCAL_PREFIX (builds its native re2 module: a few minutes)"
  mkdir -p "$GITLAB_CI_LOCAL_PREFIX"
  # npm 11 runs a dependency's install script only when allowed; re2 needs its own to build.
  if ! npm install --global --prefix "$GITLAB_CI_LOCAL_PREFIX" --no-audit --no-fund --allow-scripts=re2 \
      "gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION" >"$GITLAB_CI_LOCAL_PREFIX/npm-install.log" 2>&1; then
    tail -n 30 "$GITLAB_CI_LOCAL_PREFIX/npm-install.log" >&2
    die "npm install gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION failed (log: $GITLAB_CI_LOCAL_PREFIX/npm-install.log)"
  fi
  if ! gcl_works "$GCL"; then
    "$GCL" --version 2>&1 | tail -n 5 >&2 || true
    die "gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION installed but does not start (log: $GITLAB_CI_LOCAL_PREFIX/npm-install.log)"
  fi
}

build() {
  log "building rollbar-deploy and the fake Rollbar"
  mkdir -p "$WORK/bin"
  CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=gitlab-test" -o "$WORK/bin/rollbar-deploy" .
  build_fake
}

# make_repo makes the git repository gitlab-ci-local runs in: the pipeline file, one commit, and
# the remote it derives the project's URLs from.
make_repo() {
  REPO=$WORK/repo
  mkdir -p "$REPO"
  cp "$ROOT/scripts/testdata/gitlab/.gitlab-ci.yml" "$REPO/"
  printf 'rollbar-deploy gitlab-test\n' >"$REPO/README.md"
  local git=(git -C "$REPO" -c user.name="Jane Doe" -c user.email=jane@example.com -c init.defaultBranch=main
    -c commit.gpgsign=false)
  "${git[@]}" init -q
  "${git[@]}" add .
  "${git[@]}" commit -q -m "deploy me"
  "${git[@]}" remote add origin https://gitlab.example.com/group/project.git
  SHA=$("${git[@]}" rev-parse HEAD)
  ok "test repository at $SHA"
}

run_pipeline() {
  log "running the pipeline with gitlab-ci-local"
  # HOME is the work dir so that no ~/.gitlab-ci-local/variables.yml of this machine joins in.
  if ! (cd "$REPO" && HOME="$WORK/home" PATH="$WORK/bin:$PATH" timeout 300 "$GCL" \
      --shell-executor-no-image --shell-isolation --no-color --home "$WORK/home" \
      --variable "ROLLBAR_ACCESS_TOKEN=$TOKEN" --variable "ROLLBAR_API_URL=$FAKE_URL" \
      >"$WORK/pipeline.log" 2>&1); then
    cat "$WORK/pipeline.log" >&2
    die "the pipeline failed (above: gitlab-ci-local's log)"
  fi
  sed 's/^/    | /' "$WORK/pipeline.log" >&2
  grep -q "deploy-finish.*PASS\|PASS.*deploy-finish" "$WORK/pipeline.log" || die "deploy-finish did not pass"
  if grep -q "$TOKEN" "$WORK/pipeline.log"; then die "the access token shows in the jobs' output"; fi
}

# check asks the fake what it was sent: one deploy of the commit, started then succeeded.
check() {
  log "checking what Rollbar was sent"
  FAKE_URL=$FAKE_URL SHA=$SHA node - <<'EOF' || die "the fake Rollbar did not see the expected deploy"
const base = process.env.FAKE_URL, sha = process.env.SHA;
const fail = (msg, data) => { console.error(`    ${msg}` + (data ? `\n${JSON.stringify(data, null, 2)}` : "")); process.exit(1); };
(async () => {
  const get = async (path) => (await fetch(base + path)).json();
  const deploys = await get("/_fake/deploys");
  if (deploys.length !== 1) fail(`want exactly one deploy, got ${deploys.length}`, deploys);
  const d = deploys[0];
  if (d.revision !== sha) fail(`want revision ${sha}, got ${d.revision}`, d);
  if (d.status !== "succeeded") fail(`want status succeeded, got ${d.status}`, d);
  if (d.environment !== "production") fail(`want environment production (CI_ENVIRONMENT_NAME), got ${d.environment}`, d);
  // The project's URLs derive from the repository's remote.
  if (!(d.comment || "").startsWith("https://gitlab.example.com/group/project/")) fail(`want the pipeline URL as the comment, got ${d.comment}`, d);
  if (!d.local_username) fail("want GITLAB_USER_LOGIN as the local username", d);

  const api = (await get("/_fake/requests")).filter((r) => r.path.startsWith("/api/"));
  const calls = api.map((r) => `${r.method} ${r.path} ${r.status}`);
  const want = ["POST /api/1/deploy 200", `PATCH /api/1/deploy/${d.id} 200`];
  if (JSON.stringify(calls) !== JSON.stringify(want)) fail(`want the calls ${want.join(", ")}; got ${calls.join(", ")}`);
  const [create, update] = api.map((r) => JSON.parse(r.body));
  if (create.status !== "started") fail(`the first call should record a started deploy`, create);
  if (update.status !== "succeeded") fail(`the second call should set succeeded`, update);
  for (const r of api) {
    if (r.raw_query || r.body.includes("post-token")) fail("the token went somewhere other than its header", r);
  }
  console.error(`    ok: one deploy (${d.id}) of ${sha}, started by deploy-start, succeeded by deploy-finish`);
})().catch((e) => fail(`asking the fake: ${e}`));
EOF
}

main() {
  command -v go >/dev/null 2>&1 || die "go is missing"
  command -v git >/dev/null 2>&1 || die "git is missing"
  command -v node >/dev/null 2>&1 || die "node is missing: install Node.js 20 or later"
  need_rsync
  need_gitlab_ci_local
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/gitlab-test.XXXXXX")
  mkdir -p "$WORK/home"
  build
  run_fake
  ok "fake Rollbar at $FAKE_URL"
  make_repo
  run_pipeline
  check
  log "gitlab-test: PASS"
}

main "$@"
