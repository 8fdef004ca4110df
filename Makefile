# What CI runs (.ci/run, .github/workflows/ci.yml), by the names a newcomer looks for:
#
#   make test    unit, scenario and end-to-end tests (go test ./...); make race: the same, -race
#   make lint    golangci-lint (.golangci.yml, go vet among its linters), actionlint, shellcheck on every script
#   make e2e     as root: podman, the image and gitlab-ci-local installed (scripts/container-setup.sh),
#                then the real CI runs (e2e/drivers) and the action under act
#   make bench   one pass of the Go benchmarks, then the budgets as whole processes (scripts/bench.sh);
#                make action-bench: the action's Docker path against its native path
#   make release-build  the release's six binaries, and GOOS=windows go vet
#   make fuzz    every fuzz target for FUZZTIME (default 10s)
#   make docs    docs/settings.md's table and action.yml's input descriptions, made from the settings
#                table, and docs/ci.md's table, made from the CIs (go generate); go test fails when
#                they differ from what they are made from
#
# The tools are installed when missing, at the versions below.
SHELL := bash
export PATH := $(shell go env GOPATH)/bin:$(PATH)

GOLANGCI_LINT_VERSION := v2.15.0
ACTIONLINT_VERSION := v1.7.12
IMAGE ?= rollbar-deploy:image-test
FUZZTIME ?= 10s
BENCH_RUNS ?= 30
SHELLCHECK_FLAGS ?=
SCRIPTS := entrypoint action/install.sh buildpack/bin/detect buildpack/bin/compile buildpack/bin/release .ci/run $(wildcard scripts/*.sh)

.PHONY: test race lint release-build e2e e2e-setup drivers act bench action-bench fuzz docs

test:
	go test ./...

race:
	go test -race ./...

# golangci-lint runs go vet among its linters.
lint:
	command -v golangci-lint >/dev/null || go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	golangci-lint run
	command -v actionlint >/dev/null || go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	actionlint
	actionlint scripts/testdata/act-workflow.yml scripts/testdata/act-workflow-container.yml
	@if ! command -v shellcheck >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; fi
	@if command -v shellcheck >/dev/null; then shellcheck $(SHELLCHECK_FLAGS) $(SCRIPTS) && echo "shellcheck: $(words $(SCRIPTS)) scripts"; \
	else echo "lint: shellcheck skipped: not installed, and installing it needs root (apt-get install shellcheck)"; fi

# The release's six binaries, as release.yml builds them, and vet of what Windows compiles.
release-build:
	GOOS=windows go vet ./...
	dist=$$(mktemp -d) && go run ./internal/release/cmd build -version v0.0.0-ci -out "$$dist" && cat "$$dist/checksums.txt" && rm -rf "$$dist"

e2e: e2e-setup drivers act

e2e-setup:
	bash scripts/container-setup.sh --image=$(IMAGE) --gitlab-ci-local

# -count=1: the tests run tools and the image, which go test's cache cannot see change.
drivers:
	RUN_CONTAINER_TESTS=1 ROLLBAR_DEPLOY_IMAGE=$(IMAGE) go test -count=1 -timeout 15m -v ./e2e/drivers

act:
	bash scripts/act-test.sh

bench:
	go test -run '^$$' -bench . -benchtime 1x ./internal/...
	IMAGE=$(IMAGE) bash scripts/bench.sh $(BENCH_RUNS)

# The action's step: its Docker path against its native path (needs the image: make e2e-setup).
action-bench:
	IMAGE=$(IMAGE) bash scripts/action-bench.sh

fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

docs:
	go generate ./internal/config ./internal/ci
