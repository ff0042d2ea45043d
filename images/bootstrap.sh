#!/usr/bin/env bash
# Builds saferun's offline base image without any image registry:
#   debootstrap --variant=minbase --include=python3,python3-pip bookworm DIR ; tar -C DIR -c . | docker import - NAME
# Usage: images/bootstrap.sh IMAGE_NAME [MIRROR]
# Needs root and debootstrap (apt-get install debootstrap). MIRROR defaults to debootstrap's own.
set -euo pipefail
name=${1:?usage: bootstrap.sh IMAGE_NAME [MIRROR]}
mirror=${2:-}
if ! command -v debootstrap >/dev/null; then
  echo "debootstrap is not installed: apt-get install debootstrap" >&2
  exit 3
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "the offline bootstrap needs root (debootstrap creates device nodes and chroots)" >&2
  exit 3
fi
dir=$(mktemp -d -t saferun-bootstrap.XXXXXX)
trap 'rm -rf --one-file-system "$dir"' EXIT
echo "debootstrap: bookworm minbase + python3 + pip into a temporary directory"
debootstrap --variant=minbase --include=python3,python3-pip bookworm "$dir" ${mirror:+"$mirror"} >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; rm -f "$dir.log"; exit 4; }
rm -f "$dir.log"
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
echo "docker import $name"
tar -C "$dir" -c . | docker import --change 'CMD ["python3"]' - "$name" >/dev/null
echo "imported $name"
