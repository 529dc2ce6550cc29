#!/bin/sh
# Makes /opt/venv from the env's hashed lock, inside a container of the env's runtime image, as
# root, with no network and the build folder mounted read-only at /build (lock.txt, wheels/).
# The container is then committed as the env's image: the venv is written once, in place.
# usage: install.sh PYTHON      (python3, or the copied host interpreter's path)
set -eu
"$1" -m venv /opt/venv
# --no-index: nothing from the network; --require-hashes: every file is the one the lock names.
# --no-build-isolation: the few sdist-only pins (TF 2.5's wrapt, termcolor) build with the
# venv's own setuptools, since an isolated build env would need an index to fetch one.
/opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-index \
    --find-links /build/wheels --no-build-isolation --require-hashes -r /build/lock.txt
/opt/venv/bin/python -c "import sys; assert sys.prefix == '/opt/venv', sys.prefix"
