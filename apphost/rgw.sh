#!/usr/bin/env bash
# A one-node Ceph RADOS Gateway: one ceph-mon, one ceph-osd on memstore (data in RAM) and one radosgw on loopback,
# from one ceph.conf, with the user and bucket a client is given. The one launcher of the repository: ./run's AppHost,
# the tests' fixture (tests/TestSupport/CephRgw.cs) and the benchmark's --backends s3 (bench/Services/) all run it.
#
#   rgw.sh [options] PARENT     the cluster's folder is a fresh rgw.XXXXXX under PARENT (./run: .run/)
#     --dir DIR                 use DIR itself (made if missing) instead of a fresh folder under PARENT
#     --port N                  the port radosgw listens on (default: $RGW_PORT)
#     --memstore-bytes N        RAM the osd may fill (default 4 GiB; only what is written is used)
#     --set 'name = value'      one more setting of radosgw's section (repeatable), e.g. a smaller multipart minimum
#     --detach                  start the daemons in sessions of their own, print the ready line and exit 0, leaving
#                               them running; whoever ran it stops them by the pid files in DIR/run (radosgw's is
#                               client.rgw.dev.pid) and restarts radosgw alone with: radosgw -c DIR/ceph.conf -n client.rgw.dev
#
# Without --detach it stays in the foreground with the three daemons as its children and, on TERM or INT (the AppHost
# stopping), stops them and removes the folder; it exits too if a daemon ends by itself. Either way a failed start
# stops what it started and removes the folder.
#
# Environment: RGW_PORT (unless --port), S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY.
#
# Why each setting (../shared/docs/ENVIRONMENT.md, "A real S3 server"): radosgw defaults to cephx and a secure mon
# connection, so its own section turns both off; the mon proposes every 50 ms, not every second (radosgw's first
# start sends ~20 mon commands); the lifecycle threads are off (they delay TERM); 32 threads, not 512 (a faster start,
# and beast serves many connections per thread); memstore is sized above what a client writes, since a full memstore
# makes PUTs hang rather than fail.
set -euo pipefail
dir="" parent="" port=${RGW_PORT:-} memstore=$((4 << 30)) detach=false extra=()
while (($#)); do
  case $1 in
    --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
    --port) port=${2:?--port needs a port}; shift 2 ;;
    --memstore-bytes) memstore=${2:?--memstore-bytes needs a size in bytes}; shift 2 ;;
    --set) extra+=("${2:?--set needs 'name = value'}"); shift 2 ;;
    --detach) detach=true; shift ;;
    -*) echo "rgw: unknown option $1" >&2; exit 2 ;;
    *) parent=$1; shift ;;
  esac
done
[[ -n $dir || -n $parent ]] || { echo "rgw: give the folder to make the cluster folder in (or --dir)" >&2; exit 2; }
: "${port:?give --port or RGW_PORT}" "${S3_BUCKET:?}" "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}"
if [[ -n $dir ]]; then
  mkdir -p "$dir"
else
  mkdir -p "$parent"
  dir=$(mktemp -d "$parent/rgw.XXXXXX")
fi
conf=$dir/ceph.conf
export CEPH_CONF=$conf

pids=()
stop() {
  trap - TERM INT EXIT
  # radosgw first (it holds the mon and osd sessions), then the osd, then the mon.
  local pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
# A daemon (NAME, command…): a child of this script in the foreground; detached, in a session of its own with no tie
# to our output, and a pid file NAME.pid in the run folder (mon and osd write theirs, radosgw -f writes none).
daemon() {
  local name=$1; shift
  if $detach; then
    setsid "$@" </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/run/$name.pid"
  else
    "$@" &
  fi
  pids+=($!)
}
trap stop EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

free_port() { # a loopback port nothing listens on, from the range Linux does not hand out as ephemeral
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
wait_for() { # what, command…: up to 60 s
  local what=$1; shift
  for _ in $(seq 1 600); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "rgw: $what did not happen within 60 s; the logs are in $dir/log" >&2
  tail -n 5 "$dir"/log/*.log >&2 || true
  return 1
}

mon_port=$(free_port)
fsid=$(cat /proc/sys/kernel/random/uuid)
mkdir -p "$dir"/{mon/ceph-a,osd/ceph-0,run,log,crash}
cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
crash dir = $dir/crash
keyring = $dir/keyring
mon data = $dir/mon/\$cluster-\$id
mon cluster log file = $dir/log/cluster.log
mon data avail crit = 1
mon allow pool size one = true
mon max pg per osd = 1000
paxos propose interval = 0.05
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd data = $dir/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = $memstore
[client.rgw.dev]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw thread pool size = 32
rgw enable lc threads = false
auth client required = none
ms mon client mode = crc
CONF
for setting in "${extra[@]}"; do echo "$setting" >>"$conf"; done

monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" --enable-all-features \
  --set-min-mon-release pacific "$dir/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$dir/monmap"
daemon mon.a ceph-mon -f -i a
wait_for "the mon answering" timeout 5 ceph mon stat
osd_uuid=$(cat /proc/sys/kernel/random/uuid)
osd=$(ceph osd new "$osd_uuid")
ceph-osd -i "$osd" --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1
daemon "osd.$osd" ceph-osd -f -i "$osd"
wait_for "the osd coming up" bash -c 'ceph osd stat -f json | grep -q "\"num_up_osds\":1"'
daemon client.rgw.dev radosgw -f -n client.rgw.dev
wait_for "radosgw listening on $port" curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"
radosgw-admin user create --uid=dev --display-name="S3 client" \
  --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null
# curl's SigV4 signs the payload hash only when given the header. The user just created can still be unknown to the
# running radosgw for a moment (a 401, seen once in CI), so the bucket's create is tried until it is accepted: a
# refused create made nothing, and trying again is safe.
wait_for "radosgw accepting the S3 user's bucket" curl -fsS -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" \
  --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
  -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
  "http://127.0.0.1:$port/$S3_BUCKET"
echo "rgw: ready on 127.0.0.1:$port (mon :$mon_port, memstore, folder $dir), bucket $S3_BUCKET"
if $detach; then
  trap - EXIT TERM INT
  exit 0
fi

# Until the AppHost stops it, or a daemon ends by itself (then the others are stopped too).
wait -n "${pids[@]}"
echo "rgw: a daemon exited by itself; stopping the others" >&2
exit 1
