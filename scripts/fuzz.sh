#!/usr/bin/env bash
# Runs every Go fuzz target of the module (func FuzzXxx in a _test.go file) for DURATION each.
# The seed corpora (f.Add, and testdata/fuzz/<target>/ where present) run first, so a failure
# that was found once stays found.
#
#   bash scripts/fuzz.sh [DURATION]     DURATION as go test -fuzztime takes it (default 10s)
#
# Environment:
#   FUZZ_FLAGS  more go test flags, e.g. "-parallel 4"
# A failing input is written to the package's testdata/fuzz/<target>/: commit it with the fix,
# as a regression seed. Exits non-zero when a target fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${1:-10s}
read -r -a extra <<<"${FUZZ_FLAGS:-}"

# Packages with fuzz targets, and each target's name, from the test sources themselves.
mapfile -t files < <(grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi

failed=()
count=0
for file in "${files[@]}"; do
  pkg="./$(dirname "${file#./}")"
  while read -r target; do
    count=$((count + 1))
    printf '==> %s %s (%s)\n' "$pkg" "$target" "$DURATION"
    if ! go test "${extra[@]}" -run '^$' -fuzz "^${target}\$" -fuzztime "$DURATION" "$pkg"; then
      failed+=("$pkg $target")
    fi
  done < <(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(f \*testing\.F\).*/\1/p' "$file")
done

if [ "${#failed[@]}" -gt 0 ]; then
  printf 'fuzz: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
printf 'fuzz: %d targets passed (%s each)\n' "$count" "$DURATION"
