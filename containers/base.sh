#!/bin/sh
# Build a Debian base image with python3 + venv from Debian's own packages, for hosts where
# no container registry answers (docker pull fails) but Debian's apt mirror does.
# usage: containers/base.sh SUITE TAG [MIRROR]     e.g. containers/base.sh bookworm lab-base:bookworm-0123abcd
set -eu
suite="$1"; tag="$2"; mirror="${3:-http://deb.debian.org/debian}"
root="$(mktemp -d /var/tmp/lab-base-$suite.XXXXXX)"
trap 'rm -rf "$root"' EXIT
# minbase keeps the image small; python3-venv brings ensurepip, so the image can make a venv
# offline; ca-certificates is left out on purpose: images install only from a local wheel dir.
debootstrap --variant=minbase --include=python3,python3-venv "$suite" "$root" "$mirror"
# apt lists and caches are host-time noise that would only grow the image.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
tar -C "$root" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["python3"]' \
    --message "debootstrap --variant=minbase $suite ($mirror) + python3 python3-venv" - "$tag"
