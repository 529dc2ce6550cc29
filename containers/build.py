"""Build the matrix's images (skipping unchanged ones), time each, and probe the versions inside."""

# usage: python containers/build.py [ENV ...] [--offline] [--no-probe] [--quiet]
# The probe runs `python -m lab.guest.probe` in the image the way trials run (non-root,
# read-only, no network, a staged shipment at /lab) and prints the Python, TensorFlow,
# tf.keras and numpy versions the image reports.

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # runnable from a checkout

from lab.environments.declared import get_env, load_matrix
from lab.environments.image.build import build_image, docker_client, remove_stale_images
from lab.environments.shipment import Staged
from lab.errors import LabError

PROBE = ["python", "-m", "lab.guest.probe"]


def probe(client, tag: str) -> str:
    """Python, TF, tf.keras and numpy versions as seen inside the image."""
    with Staged([]) as shipment:  # the guest code alone: the probe needs no scenario
        container = client.containers.run(
            tag, PROBE, detach=True, network_mode="none", read_only=True, tmpfs={"/tmp": ""},
            environment={"HOME": "/tmp", "PYTHONPATH": "/lab", "PYTHONDONTWRITEBYTECODE": "1"},
            volumes={str(shipment.root): {"bind": "/lab", "mode": "ro"}},
        )
        try:
            code = container.wait(timeout=300)["StatusCode"]
            out = container.logs(stdout=True, stderr=False).decode().strip()
            if code != 0:
                err = container.logs(stdout=False, stderr=True).decode().strip().splitlines()
                return f"PROBE FAILED (exit {code}): {err[-1] if err else '?'}"
        finally:
            container.remove(force=True)
    try:
        found = json.loads(out.splitlines()[-1])
    except (IndexError, ValueError):
        return f"PROBE FAILED: no JSON line in its output: {out[-200:]!r}"
    return " ".join(str(found.get(key) or "?") for key in ("python", "tensorflow", "keras", "numpy"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("envs", nargs="*", help="env names (default: the whole matrix)")
    parser.add_argument("--offline", action="store_true", default=None, help="force the debootstrap recipe")
    parser.add_argument("--no-probe", action="store_true", help="do not run the version probe")
    parser.add_argument("--quiet", action="store_true", help="print only notices, not build steps")
    parser.add_argument("--remove-stale", action="store_true", help="untag lab-env images of old recipes first")
    args = parser.parse_args(argv)
    try:
        client = docker_client()
        envs = [get_env(name) for name in args.envs] if args.envs else load_matrix()
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code

    def show(line: str) -> None:
        if not args.quiet or not line.startswith((" ", "Step ", "---", "Removing", "Successfully")):
            print(f"  {line}", flush=True)

    if args.remove_stale:
        remove_stale_images(load_matrix(), client, show)
    failed = 0
    summary = []
    for env in envs:
        print(f"== {env.name}", flush=True)
        started = time.monotonic()
        try:
            status = build_image(env, client, show, offline=args.offline)
        except LabError as exc:
            failed += 1
            summary.append(f"{env.name:<22} FAILED after {time.monotonic() - started:.0f}s: {exc}")
            continue
        size = client.images.get(status.tag).attrs["Size"] / 2**20
        versions = "" if args.no_probe else probe(client, status.tag)
        summary.append(f"{env.name:<22} {time.monotonic() - started:6.0f}s  {size:6.0f} MiB  "
                       f"{status.tag}  py/tf/keras/numpy: {versions}")
    print("\n".join(["", "summary:"] + summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
