#!/bin/sh
# Makes /opt/venv from the env's hashed lock, inside a container of the env's runtime image, as
# root, with no network and the build folder mounted read-only at /build (lock.txt, wheels/, and
# uv when the host has one). The container is then committed as the env's image: the venv is
# written once, in place.
# usage: install.sh PYTHON      (python3, or the copied host interpreter's path)
set -eu
"$1" -m venv /opt/venv
# --no-index: nothing from the network; --require-hashes: every file is the one the lock names.
if [ -x /build/uv ] && /build/uv --version >/dev/null 2>&1; then
    # The host's uv (offered for Python 3.8+; skipped where it cannot run, e.g. a macOS host's):
    # it unpacks and byte-compiles in parallel, about 3x faster than pip for TensorFlow. The few
    # sdist-only pins (TF 2.5's wrapt, termcolor) build in isolation, their setuptools and wheel
    # found among the lock's own wheels.
    echo "lab-installer: $(/build/uv --version)"
    UV_NO_CACHE=1 /build/uv pip install --python /opt/venv/bin/python --no-index --find-links /build/wheels \
        --require-hashes --compile-bytecode -r /build/lock.txt
else
    echo "lab-installer: $(/opt/venv/bin/pip --version | cut -d' ' -f1-2)"
    # --no-build-isolation: the sdist-only pins build with the venv's own setuptools, since an
    # isolated build env would need an index to fetch one.
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-index \
        --find-links /build/wheels --no-build-isolation --require-hashes -r /build/lock.txt
fi
/opt/venv/bin/python -c "import sys; assert sys.prefix == '/opt/venv', sys.prefix"
