"""The sandbox of local and interpreter guests: bubblewrap (`bwrap`) where it is installed and works.

Inside it a guest has no network, sees the filesystem read-only but for its scratch folder and a
private /tmp, has no Docker socket (nor any other socket under /run), cannot read /etc/shadow,
gets only the variables on an allow-list, holds no capability, and dies with the lab (SIGKILL,
and with it everything in its own PID namespace, new sessions included). `--no-sandbox` (`use(False)`)
runs guests as before: as the user, with the user's files, network and variables.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

BWRAP = "bwrap"
TMP_BYTES = 1 << 30
"""The private /tmp, as a container's."""
ALLOWED = ("PATH", "HOME", "LANG", "LANGUAGE", "TZ", "USER", "LOGNAME", "MPLBACKEND")
"""Variables a guest keeps as they are; everything else is dropped but ALLOWED_PREFIXES."""
ALLOWED_PREFIXES = ("LC_", "LAB_", "TF_", "KERAS_", "PYTHON", "CUDA_", "OMP_", "MKL_", "KMP_", "OPENBLAS_", "LD_")
"""The variables that change what a twin computes (the local env's identity covers them, see
lab/environments/local.py) and the locale: tokens, keys and sockets (GITHUB_TOKEN, AWS_*,
SSH_AUTH_SOCK, DOCKER_HOST) stay outside."""
SECRETS = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-")
"""Readable by root whatever its capabilities (root owns them): hidden."""
HIDDEN_DIRS = ("/run", "/var/run")
"""Sockets live there (Docker's, D-Bus's): an empty folder instead."""

_wanted = True
_checked: Dict[str, str] = {}
_lock = threading.Lock()


def use(enabled: bool) -> None:
    """Whether the guests this process starts from now on are sandboxed (`--no-sandbox`: False)."""
    global _wanted
    _wanted = enabled


def unavailable() -> str:
    """'' when bwrap runs here; else why not (not installed, or it cannot make namespaces: an
    unprivileged container). Checked once per process, by running it."""
    with _lock:
        if "why" not in _checked:
            _checked["why"] = _probe()
        return _checked["why"]


def _probe() -> str:
    found = shutil.which(BWRAP)
    if found is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        # The very command guests get (--proc, --size, the tmpfs mounts), so a bwrap too old for one
        # of its options, or a container that refuses /proc, says so here instead of crashing trials.
        with tempfile.TemporaryDirectory(prefix="lab-sandbox-probe-") as scratch:
            done = subprocess.run(wrap(["true"], Path(scratch), [], os.environ), capture_output=True, text=True,
                                  timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap cannot run ({exc})"
    if done.returncode != 0:
        return f"bwrap cannot make a sandbox here ({(done.stderr.strip().splitlines() or ['?'])[-1][:200]})"
    return ""


def state() -> str:
    """What the manifest says of local and interpreter guests: 'bwrap', 'off' or 'none: why'."""
    if not _wanted:
        return "off (--no-sandbox)"
    why = unavailable()
    return f"none: {why}" if why else "bwrap"


def active() -> bool:
    if not _wanted:
        return False
    why = unavailable()
    if why and not _checked.get("warned"):
        _checked["warned"] = why
        # Said once on stderr, not only in the manifest: a writer checking a post found online
        # expects the sandbox the help promises.
        sys.stderr.write(f"lab: warning: local and interpreter guests run without a sandbox, as you, with your "
                         f"files and network: {why} (--no-sandbox says you know; image envs stay locked down)\n")
    return not why


def _isolation() -> List[str]:
    # --as-pid-1: the guest's launcher is the namespace's init, not a process of bwrap's. bwrap's
    # would hold the channel to the host as its stdout and, being dumpable, let a job's child open
    # it through /proc/1/fd; the launcher is not dumpable, and when it ends so does every process
    # of the namespace.
    return ["--die-with-parent", "--unshare-net", "--unshare-pid", "--as-pid-1", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--new-session", "--cap-drop", "ALL"]


def variables(environ: Mapping[str, str]) -> Dict[str, str]:
    """The allow-listed part of `environ`, with /tmp as the temporary folder (the private one)."""
    kept = {k: v for k, v in environ.items() if k in ALLOWED or k.startswith(ALLOWED_PREFIXES)}
    kept.update(TMPDIR="/tmp", MPLCONFIGDIR="/tmp/matplotlib")
    return kept


def _docker_socket(environ: Mapping[str, str]) -> Optional[str]:
    host = environ.get("DOCKER_HOST", "")
    return host[len("unix://"):] if host.startswith("unix://") else None


def under_hidden(path: Path) -> Optional[Path]:
    """The folder to show again in the sandbox for an interpreter at `path` (a venv's or a
    prefix's root) when it lies under /tmp or /run, which the sandbox replaces; else None."""
    path = Path(os.path.abspath(path))
    root = path.parent.parent if path.parent.name == "bin" else path.parent
    hidden = [Path("/tmp"), *(Path(d) for d in HIDDEN_DIRS)]
    if any(h in root.parents for h in hidden):
        return root
    return None


def wrap(command: Sequence[str], scratch: Path, readable: Sequence[Path], environ: Mapping[str, str]) -> List[str]:
    """`command` run in the sandbox: `scratch` writable (and its working folder), `readable`
    (the shipment) visible again over the private /tmp. bwrap passes its own environment on:
    start it with `variables(environ)` (not on its command line, where `ps` would show them)."""
    args = [shutil.which(BWRAP) or BWRAP, *_isolation(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    for hidden in HIDDEN_DIRS:
        if os.path.isdir(hidden) and not os.path.islink(hidden):
            args += ["--tmpfs", hidden]
    for path in [*SECRETS, _docker_socket(environ)]:
        if path and os.path.lexists(path) and not os.path.isdir(path):
            args += ["--ro-bind", "/dev/null", path]
    for folder in readable:
        args += ["--ro-bind", str(folder), str(folder)]
    args += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch)]
    return [*args, "--", *command]


def keyed(identity: Optional[str]) -> Optional[str]:
    """An environment's identity (the record cache's key) with the sandbox in it: what a job can
    reach (a secret, the network) changes its outcome, so the two never share a cached one."""
    return f"{identity}+sandbox" if identity and active() else identity
