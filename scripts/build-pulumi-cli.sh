#!/usr/bin/env bash
# Builds the Pulumi CLI from the Go module proxy at a pinned version, once, and caches the binary
# outside the repository (the build takes ~27 min cold on 2 cores). Prints the binary's path.
# npm's `pulumi` package and the install script download the CLI from a host this workplace cannot
# reach, and `go install pkg@version` refuses modules with `replace` directives, hence a scratch module.
#   PULUMI_VERSION        pinned version (default v3.274.1)
#   ENGINE_CACHE_DIR      cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/dashboards-engine)
set -euo pipefail

VERSION="${PULUMI_VERSION:-v3.274.1}"
CACHE="${ENGINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dashboards-engine}"
OUT="$CACHE/pulumi-$VERSION/bin"
BIN="$OUT/pulumi"

if [[ -x "$BIN" ]] && "$BIN" version 2>/dev/null | grep -qx "$VERSION"; then
  printf '%s\n' "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; else
    echo "build-pulumi-cli: Go is required (apt-get install golang, or /usr/local/go)" >&2; exit 1
  fi
fi

SCRATCH="$CACHE/pulumi-$VERSION/module"
mkdir -p "$SCRATCH" "$OUT"
cd "$SCRATCH"
[[ -f go.mod ]] || go mod init dashboards.local/pulumi-cli >&2
# The build is long: say so, so a silent CI log is not mistaken for a hang.
echo "build-pulumi-cli: building Pulumi CLI $VERSION from the Go module proxy (about 30 min cold)" >&2
# `-tool` records the CLI as a tool of the scratch module; without it `go mod tidy` drops it (no
# Go file imports a main package).
go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$VERSION" "github.com/pulumi/pulumi/sdk/v3@$VERSION" >&2
go mod tidy -e >&2 || true
go build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION" \
  -o "$BIN.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
mv "$BIN.tmp" "$BIN"
"$BIN" version >&2
printf '%s\n' "$BIN"
