#!/bin/sh
# Install, as root, the Debian packages whose command is missing; nothing when all are there.
# usage: containers/apt-missing.sh COMMAND=PACKAGE ...   e.g. dockerd=docker.io munged=munge
set -eu
missing=""
for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing="$missing ${pair#*=}"
done
[ -n "$missing" ] || exit 0
echo "installing:$missing"
apt-get update -qq
# shellcheck disable=SC2086  # package names are words on purpose
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
