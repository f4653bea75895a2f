#!/usr/bin/env bash
# Every table of issue 14 in one command (docs/BENCHMARKS.md, "The whole benchmark"): throughput, ratios to direct
# and nginx and CPU s/GiB with and without client digests; tus against the v1 part path; added p50 for 256 KiB parts
# at c = 1 and 4; the scale scenario. With a worktree as the argument (built here in Release), every gateway path also
# runs against that build, interleaved ("…-before"). The report goes to $OUT (default bench-report.md); progress to stderr.
#
#   bench/full.sh                       # this checkout
#   bench/full.sh ../perf-before        # and the before of a change, e.g. git worktree add ../perf-before e67a2e2
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
# The mocks store every part: on a VM's disk that costs more CPU than any proxy and buries the comparison
# (docs/BENCHMARKS.md, fourth round), so the data goes to tmpfs when the machine has one. WORK=DIR overrides.
work=${WORK:-}
if [[ -z $work && -d /dev/shm && -w /dev/shm ]]; then
  work=/dev/shm
fi
run() { dotnet run -c Release --no-build --project "$repo/bench" -- ${work:+--work-dir "$work"} "$@"; }
{
  echo "# bench/full.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$repo" rev-parse --short HEAD)${before:+ against $(git -C "$before" rev-parse --short HEAD)}"
  echo
  echo "## 1. Throughput, CPU s/GiB, client digests on and off (8 MiB parts)"
  run --file-size 256MiB --concurrency 1,4 --repetitions 3 --paths direct,nginx,gateway --client-digest on,off "${compare[@]}"
  echo
  echo "## 2. tus PATCH against the v1 part path (8 MiB parts, c = 1)"
  run --file-size 128MiB --concurrency 1 --repetitions 3 --paths direct,gateway,tus "${compare[@]}"
  echo
  echo "## 3. Added p50 per part, 256 KiB parts"
  run --file-size 32MiB --part-size 256KiB --concurrency 1,4 --repetitions 3 --paths direct,gateway "${compare[@]}"
  echo
  echo "## 4. Scale: small sessions through two gateway instances on one Redis"
  run --scale 10,100,1000 --repetitions 1
} >"$out"
echo "wrote $out" >&2
