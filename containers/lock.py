"""Regenerate containers/locks/<env>.txt (pins with hashes) from containers/matrix.toml with uv."""

# usage: python containers/lock.py [ENV ...]        (no ENV: every env in the matrix)
# uv is the resolver: `pip install uv` (or it is found on PATH). It resolves for the env's
# Python and wheel platform, not the host's, so any host produces the same lock.

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from a checkout: lab need not be installed

from lab.environments.declared import Env, get_env, load_matrix  # noqa: E402 (after the sys.path line)


def uv_command() -> List[str]:
    """uv on PATH, else the uv installed next to this interpreter (`pip install uv`)."""
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if found:
        return [found]
    sys.exit("containers/lock.py: uv not found; `pip install uv` into the interpreter running this")


def lock(env: Env) -> None:
    """Compile one env's lock in place."""
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / f"{env.name}.in"
        req.write_text("\n".join(env.requirements) + "\n")
        cmd = uv_command() + [
            # A bare file name, run from its folder: the lock's "# via -r" notes must not carry
            # a temporary path, or every re-lock would change the lock and so every image tag.
            "pip", "compile", req.name, "--quiet",
            "--generate-hashes",
            "--python-version", env.python,
            "--python-platform", env.platform,
            "--output-file", str(env.lock.resolve()),
            "--custom-compile-command", f"python containers/lock.py {env.name}",
        ]
        if env.lock_exclude_newer:
            cmd += ["--exclude-newer", env.lock_exclude_newer]
        env.lock.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        subprocess.run(cmd, check=True, cwd=tmp)
    print(f"locked {env.name:<22} -> {env.lock.relative_to(ROOT)} ({time.monotonic() - started:.1f}s)")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("envs", nargs="*", help="env names (default: all in the matrix)")
    args = parser.parse_args(argv)
    envs = [get_env(name) for name in args.envs] if args.envs else load_matrix()
    for env in envs:
        lock(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
