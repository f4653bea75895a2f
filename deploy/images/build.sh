#!/usr/bin/env bash
# Builds the container images of the gateway and both mocks (idempotent: what is unchanged comes from Docker's
# cache, and the local base images are built once):
#   deploy/images/build.sh              upload-gateway/{gateway,mock-sandbox,mock-box}:local on a local base
#   BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0 deploy/images/build.sh     on Microsoft's runtime image
#   TAG=1.2.3 deploy/images/build.sh    another tag
# Without BASE_IMAGE, where no registry is reachable, the base is made here: a Debian minbase from debootstrap
# over the mirror apt uses (local/debian:bookworm-minbase), plus this machine's .NET runtime
# (upload-gateway/dotnet-aspnet:<runtime version>, base.Dockerfile). Needs a Docker engine, the .NET SDK, and for
# the local base debootstrap and root. Where no registry is reachable it also builds upload-gateway/haproxy:local
# from Debian's haproxy, for compose.yaml (HAPROXY_IMAGE).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/deploy/images"
tag=${TAG:-local}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
quiet_build() { # docker build, its log shown only if it fails
  if ! docker build "$@" >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    exit 1
  fi
}

base=${BASE_IMAGE:-}
if [ -z "$base" ]; then
  runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" { print $2 }' | sort -V | tail -1)
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  base=upload-gateway/dotnet-aspnet:$runtime
  os=local/debian:bookworm-minbase
  if ! docker image inspect "$os" >/dev/null 2>&1; then
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    mirror=${mirror:-http://deb.debian.org/debian}
    echo "building $os with debootstrap from $mirror"
    debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    # What a runtime image never reads: downloaded packages, package lists, documentation.
    rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/* \
      "$work"/rootfs/usr/share/doc/* "$work"/rootfs/usr/share/man/* "$work"/rootfs/usr/share/info/*
    tar -C "$work/rootfs" -c . | docker import --change 'CMD ["bash"]' - "$os" >/dev/null
    rm -rf "$work/rootfs"
  fi
  if ! docker image inspect "$base" >/dev/null 2>&1; then
    echo "building $base from $os and $dotnet_root"
    mkdir -p "$work/base/dotnet/shared"
    cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$work/base/dotnet/" 2>/dev/null || true
    for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
      mkdir -p "$work/base/dotnet/shared/$framework"
      cp -a "$dotnet_root/shared/$framework/$runtime" "$work/base/dotnet/shared/$framework/"
    done
    quiet_build -f "$here/base.Dockerfile" --build-arg "OS=$os" --tag "$base" "$work/base"
    rm -rf "$work/base"
  fi
  # The compose stack's load balancer, from Debian's haproxy (apt-get install -y haproxy).
  if command -v haproxy >/dev/null 2>&1; then
    mkdir -p "$work/haproxy/rootfs"
    binary=$(command -v haproxy)
    for file in "$binary" $(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u); do
      cp -L --parents "$file" "$work/haproxy/rootfs/"
    done
    if [ "$binary" != /usr/sbin/haproxy ]; then
      mkdir -p "$work/haproxy/rootfs/usr/sbin"
      cp -L "$binary" "$work/haproxy/rootfs/usr/sbin/haproxy"
    fi
    quiet_build -f "$here/haproxy.Dockerfile" --tag "upload-gateway/haproxy:$tag" "$work/haproxy"
    echo "built upload-gateway/haproxy:$tag ($(haproxy -v | head -1 | awk '{ print $3 }'))"
  fi
fi

for service in gateway mock-sandbox mock-box; do
  project=$(ls "$repo/$service"/*.csproj)
  rm -rf "$work/$service"
  dotnet publish "$project" -c Release -o "$work/$service/app" -p:UseAppHost=false -nologo -v:q -clp:ErrorsOnly >"$work/publish.log" 2>&1 \
    || { cat "$work/publish.log" >&2; exit 1; }
  # The development settings never ship: an image is configured by its environment and mounted files only.
  rm -f "$work/$service"/app/appsettings.Development.json
  quiet_build -f "$here/$service.Dockerfile" --build-arg "BASE=$base" --label "io.upload-gateway.base=$base" \
    --tag "upload-gateway/$service:$tag" "$work/$service"
  echo "built upload-gateway/$service:$tag on $base ($(docker image inspect -f '{{.Size}}' "upload-gateway/$service:$tag" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
done
