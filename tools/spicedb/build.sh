#!/usr/bin/env bash
# build.sh builds the SpiceDB binary pinned by this Go module (go.mod's tool directive, go.sum's
# hashes) into .cache/spicedb/<version>/spicedb at the repository root, once; later calls reuse
# it and only print its path. ACCORD_SPICEDB_BIN, when set, names a binary to use instead (the
# official release or image binary of the same version). Prints the binary's path on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ -n "${ACCORD_SPICEDB_BIN:-}" ]; then
  [ -x "$ACCORD_SPICEDB_BIN" ] || { echo "ACCORD_SPICEDB_BIN=$ACCORD_SPICEDB_BIN is not an executable file" >&2; exit 1; }
  echo "$ACCORD_SPICEDB_BIN"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "go is not on PATH: SpiceDB is built from its Go module (Go 1.26+ needed), or set ACCORD_SPICEDB_BIN" >&2; exit 1; }

version="$(sed -n 's#^[[:space:]]*github.com/authzed/spicedb \(v[^ ]*\).*#\1#p' "$here/go.mod" | head -n 1)"
[ -n "$version" ] || { echo "no github.com/authzed/spicedb requirement in $here/go.mod" >&2; exit 1; }
out="$root/.cache/spicedb/$version/spicedb"
if [ -x "$out" ]; then
  echo "$out"
  exit 0
fi

mkdir -p "$(dirname "$out")"
echo "building SpiceDB $version from its Go module (first time ~3-4 minutes, then cached in $out)" >&2
started=$(date +%s)
# -mod=readonly: go.sum must already pin every module; nothing is added or upgraded here.
(cd "$here" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath -o "$out.tmp" github.com/authzed/spicedb/cmd/spicedb)
mv "$out.tmp" "$out"
echo "built $out in $(( $(date +%s) - started )) s" >&2
echo "$out"
