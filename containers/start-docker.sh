#!/bin/sh
# Make Docker usable for the lab on a Debian/Ubuntu host, idempotently: install docker.io and
# debootstrap when missing, start dockerd in the background when no daemon answers, and wait
# (bounded) for it. Run as root: sudo containers/start-docker.sh
set -eu
WAIT_S="${WAIT_S:-60}"
LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"

if [ "$(id -u)" != 0 ]; then
    echo "start-docker.sh: run as root (sudo containers/start-docker.sh)" >&2; exit 1
fi

# debootstrap builds the offline base image when no registry serves python:<v>-slim.
sh "$(dirname "$0")/apt-missing.sh" dockerd=docker.io debootstrap=debootstrap

if docker info >/dev/null 2>&1; then
    echo "docker daemon already answers"; exit 0
fi
if pgrep -x dockerd >/dev/null 2>&1; then
    echo "dockerd is running but not answering yet; waiting"
elif command -v systemctl >/dev/null 2>&1 && systemctl start docker 2>/dev/null; then
    echo "started docker with systemctl"
else
    # No systemd (containers, CI sandboxes): run the daemon detached, its log in $LOG.
    nohup dockerd >"$LOG" 2>&1 &
    echo "started dockerd (pid $!, log $LOG)"
fi

waited=0
until docker info >/dev/null 2>&1; do
    if [ "$waited" -ge "$WAIT_S" ]; then
        echo "start-docker.sh: dockerd did not answer within ${WAIT_S}s; see $LOG" >&2; exit 1
    fi
    sleep 1; waited=$((waited + 1))
done
echo "docker daemon answers ($(docker info --format '{{.ServerVersion}} {{.Driver}}'))"
