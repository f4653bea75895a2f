#!/usr/bin/env bash
# Builds the tests' local Redis image from the installed redis-server package (no registry needed):
#   tests/redis-image/build.sh [tag]        default tag gateway-tests/redis:local
# then run the tests with TEST_REDIS_IMAGE=<tag>. Needs redis-server and a Docker engine.
set -euo pipefail
tag=${1:-gateway-tests/redis:local}
here=$(cd "$(dirname "$0")" && pwd)
binaries=(/usr/bin/redis-server /usr/bin/redis-cli /bin/sh)
for binary in "${binaries[@]}"; do
  [ -x "$binary" ] || { echo "build.sh: $binary is missing (apt-get install -y redis-server)" >&2; exit 1; }
done

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
# Every library ldd resolves ("name => /path (addr)") and the loader itself ("/lib64/ld-linux… (addr)").
libraries=$(ldd "${binaries[@]}" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u)
mkdir "$context/rootfs"
for file in "${binaries[@]}" $libraries; do
  # -L: copy what a symlink points at (/bin/sh is dash) under the link's own name.
  cp -L --parents "$file" "$context/rootfs/"
done
cp "$here/Dockerfile" "$context/Dockerfile"
# The newer docker client warns that the engine's builder is the legacy one: say it only if the build fails.
if ! docker build --tag "$tag" "$context" >"$context/build.log" 2>&1; then
  cat "$context/build.log" >&2
  exit 1
fi
echo "built $tag ($(redis-server --version | grep -o 'v=[0-9.]*'), $(du -sh "$context/rootfs" | cut -f1))"
