#!/usr/bin/env bash
# Checks .github/workflows/*.yml with actionlint (the workflows never run on these machines; this is their check).
# actionlint is built from source with the Go toolchain through the Go module proxy the first time and cached in
# .cache/actionlint/<version>/ (gitignored); later runs reuse the binary. Run from anywhere: `pnpm lint:workflows`.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=1.7.12
BIN_DIR="$PWD/.cache/actionlint/$VERSION"
BIN="$BIN_DIR/actionlint"
if [ ! -x "$BIN" ] || [ "$("$BIN" -version 2>/dev/null | head -n 1)" != "v$VERSION" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "actionlint: the Go toolchain is needed to build actionlint $VERSION (go install); install Go 1.24+" >&2
    exit 1
  fi
  echo "actionlint: building actionlint $VERSION with $(go version | cut -d' ' -f3) into .cache/actionlint/$VERSION" >&2
  started=$SECONDS
  mkdir -p "$BIN_DIR"
  GOBIN="$BIN_DIR" GOFLAGS=-modcacherw go install "github.com/rhysd/actionlint/cmd/actionlint@v$VERSION"
  echo "actionlint: built in $((SECONDS - started)) s" >&2
fi
# With shellcheck installed (.ci/run installs it), actionlint also checks every `run:` script.
if ! command -v shellcheck >/dev/null 2>&1; then
  echo "actionlint: shellcheck is not installed, so the run: scripts are not checked (apt-get install shellcheck)" >&2
fi
"$BIN" -no-color "$@"
echo "actionlint: .github/workflows/*.yml OK ($(ls .github/workflows/*.yml | wc -l) workflows)" >&2
