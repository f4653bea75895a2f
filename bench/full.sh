#!/usr/bin/env bash
# Every table of issue 27 in one command (bench/README.md, "The whole benchmark in one command"): the v1 path beside
# nginx and haproxy with every client; every front at c = 1 beside @tus/server; tus in one PATCH; the added p50 of
# 256 KiB parts; 10,000 sessions on one Redis and on a Redis Cluster. Each run ends with its summary per front and
# issue 27's targets as met/MISSED. With a worktree as the argument (built here in Release), every gateway path of
# (1)–(4) also runs against that build, interleaved ("…-before"). The report goes to $OUT (default bench-report.md);
# progress to stderr. PIN=1 gives the process under test a core of its own (--pin) in (1).
#
#   bench/full.sh                       # this checkout
#   bench/full.sh ../perf-before        # and the before of a change, e.g. git worktree add ../perf-before 785c08f
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
before=${1:-}
out=${OUT:-bench-report.md}
dotnet build -c Release "$repo/bench" -v q -nologo >&2
compare=()
if [[ -n $before ]]; then
  dotnet build -c Release "$before/gateway/Gateway.csproj" -v q -nologo >&2
  compare=(--compare-repo "$(cd "$before" && pwd)")
fi
pin=()
if [[ ${PIN:-} == 1 ]]; then
  pin=(--pin)
fi
# The mocks store every part: on a VM's disk that costs more CPU than any proxy and buries the comparison
# (docs/BENCHMARKS.md, fourth round), so the data goes to tmpfs when the machine has one. WORK=DIR overrides.
work=${WORK:-}
if [[ -z $work && -d /dev/shm && -w /dev/shm ]]; then
  work=/dev/shm
fi
run() {
  echo "\`\`\`"
  echo "bench $*"
  echo "\`\`\`"
  echo
  dotnet run -c Release --no-build --project "$repo/bench" -- ${work:+--work-dir "$work"} "$@"
}
{
  echo "# bench/full.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$repo" rev-parse --short HEAD)${before:+ against $(git -C "$before" rev-parse --short HEAD)}"
  echo
  echo "## 1. The v1 path beside the plain proxies, every client (8 MiB parts, c = 4)"
  run --file-size 512MiB --concurrency 4 --repetitions 3 --backends sandbox,box --paths direct,nginx,haproxy,gateway \
    --clients dotnet,curl,dotnet:8KiB "${pin[@]}" "${compare[@]}"
  echo
  echo "## 2. Every front beside the plain proxies and @tus/server (8 MiB parts and PATCHes, c = 1)"
  run --file-size 256MiB --concurrency 1 --repetitions 5 --backends sandbox,box \
    --paths nginx,haproxy,gateway,tus,tus-peer,box-front --tus-patch 8MiB "${compare[@]}"
  echo
  echo "## 3. tus in one PATCH of the whole file"
  run --file-size 256MiB --concurrency 1 --repetitions 5 --backends sandbox,box --paths tus,tus-peer --tus-patch 256MiB "${compare[@]}"
  echo
  echo "## 4. Added p50 per part, 256 KiB parts (c = 1)"
  run --file-size 64MiB --part-size 256KiB --concurrency 1 --repetitions 6 --backends sandbox --paths direct,nginx,gateway "${compare[@]}"
  echo
  echo "## 5. Scale: 10,000 concurrent sessions through two gateway instances, one Redis"
  run --scale 1000,10000 --part-size 64KiB --scale-parts 2 --repetitions 1
  echo
  echo "## 6. The same on a 3-master Redis Cluster"
  run --scale 1000,10000 --part-size 64KiB --scale-parts 2 --repetitions 1 --scale-cluster
} >"$out"
echo "wrote $out" >&2
