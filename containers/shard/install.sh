#!/bin/sh
# Makes the shard image (examples/engines/indexed-job.yaml) in a container of the shared offline
# runtime (containers/Dockerfile.offline), as root, with no network and the build folder mounted
# read-only at /build: checkout/ (this checkout, its matrix declaring the envs as venvs),
# envs.txt (their names), lab-lock.txt (lab's own dependencies, hashed) and wheels/ (every file
# of those locks, hash-checked on the host). The container is then committed as the image, with
# LAB_CACHE_DIR=/opt/lab-cache and /opt/lab/bin first on PATH (containers/shard_image.py).
# usage: install.sh PYTHON      (python3: the runtime's)
set -eu
export LAB_CACHE_DIR=/opt/lab-cache
cp -R /build/checkout /lab

# lab's own dependencies in their own venv, /opt/lab: the envs' venvs hold their locks alone.
"$1" -m venv /opt/lab
echo "lab-installer: $(/opt/lab/bin/pip --version | cut -d' ' -f1-2)"
/opt/lab/bin/pip install --no-cache-dir --disable-pip-version-check --no-index --find-links /build/wheels \
    --require-hashes -r /build/lab-lock.txt
# lab itself from /lab, as an editable install makes it: a .pth and the `lab` command (pip would
# need setuptools>=68 to build it, newer than the runtime's).
site="$(/opt/lab/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo /lab >"$site/lab-checkout.pth"
printf '#!/opt/lab/bin/python\nfrom lab.cli import entry\nentry()\n' >/opt/lab/bin/lab
chmod 755 /opt/lab/bin/lab
/opt/lab/bin/python -m compileall -q /lab/lab /lab/scenarios

# The envs' venvs, made by lab as any run makes an interpreter env, from the same wheels: pip
# reads PIP_NO_INDEX and PIP_FIND_LINKS, so nothing comes from an index.
# shellcheck disable=SC2046  # env names are words
PIP_NO_INDEX=1 PIP_FIND_LINKS=/build/wheels /opt/lab/bin/lab envs build $(cat /build/envs.txt)
# Pods run as the unprivileged user, and lab takes a lock file beside each venv it uses.
chown -R lab:lab "$LAB_CACHE_DIR"
