"""The entry that runs inside an environment: `python -m lab.guest --request R [--deadline S]`.

Two processes of lab code, then one child per job:
- the launcher (this process) imports no TensorFlow: it holds the deadline, dies with the host
  (`--host-pid`), and as a subreaper ends every descendant when the work ends, is cut short by
  the deadline, or is asked to stop (SIGTERM, SIGHUP, SIGINT);
- the worker imports TensorFlow once, then forks a child per job (lab/guest/server.py) and
  writes the labelled results on stdout, the channel the host reads.
Both are non-dumpable, so no job's child can reach the channel. Exit codes: 0 done, 2 a bad
request, 3 no TensorFlow, 124 the deadline passed, 143 asked to stop.
Standard library only (and TensorFlow in the worker), Python 3.7 and up.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from lab.guest import system

EXIT_BAD_REQUEST = 2
EXIT_NO_TENSORFLOW = 3
EXIT_DEADLINE = 124
EXIT_STOPPED = 143


def _arguments(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lab.guest")
    parser.add_argument("--request", required=True, help="the request: scenario folders and jobs (JSON)")
    parser.add_argument("--deadline", type=float, default=0.0, help="seconds after which every job is ended")
    parser.add_argument("--host-pid", type=int, default=0, help="end everything when this process dies")
    parser.add_argument("--parallel", type=int, default=1, help="jobs at once")
    parser.add_argument("--freeze", action="store_true", help="also report the installed distributions")
    return parser.parse_args(argv)


def _end_everything(worker: int) -> None:
    system.kill_group(worker)
    system.end_strays()


def launcher(argv: List[str]) -> int:
    args = _arguments(argv)
    system.not_dumpable()
    if args.host_pid:
        signal_on_parent_death(args.host_pid)
    system.become_subreaper()
    launcher_pid = os.getpid()
    worker = os.fork()
    if worker == 0:
        os.setpgid(0, 0)
        system.die_with_parent(launcher_pid)
        code = EXIT_BAD_REQUEST
        try:
            code = work(args)
        finally:
            sys.stdout.flush()
            os._exit(code)
    stopped: List[int] = []

    def stop(signum: int, frame: Any) -> None:
        stopped.append(signum)
        _end_everything(worker)

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGALRM):
        signal.signal(signum, stop)
    if args.deadline > 0:
        signal.setitimer(signal.ITIMER_REAL, args.deadline)
    status = 0
    while True:
        try:
            _, status = os.waitpid(worker, 0)
            break
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    signal.setitimer(signal.ITIMER_REAL, 0)
    system.end_strays()
    if stopped:
        return EXIT_DEADLINE if stopped[0] == signal.SIGALRM else EXIT_STOPPED
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def signal_on_parent_death(host_pid: int) -> None:
    """The host's death as a SIGTERM to this process (and at once if the host is already gone):
    not SIGKILL, so that this process ends its descendants before it goes."""
    system._prctl(system.PR_SET_PDEATHSIG, int(signal.SIGTERM))
    if os.getppid() != host_pid:
        os.kill(os.getpid(), signal.SIGTERM)


def _channel() -> Any:
    """The channel to the host is the stdout this process was given; fd 1 itself then points at
    stderr, so whatever TensorFlow or a library prints cannot corrupt it."""
    channel = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(channel, "wb")


def work(args: argparse.Namespace) -> int:
    from lab.guest.catalog import ScenarioError, load_scenarios
    from lab.guest.server import Server

    out = _channel()
    request: Dict[str, Any] = json.loads(Path(args.request).read_text())
    jobs: List[Dict[str, Any]] = request["jobs"]
    trials = [j for j in jobs if j.get("kind") == "trial"]
    scenarios = {}
    if trials:
        # Scenario folders are named relative to the shipment: the folder holding this `lab`.
        root = Path(__file__).resolve().parents[2]
        try:
            scenarios = load_scenarios([root / d for d in request["scenario_dirs"]])
        except ScenarioError as exc:
            print(f"lab-guest: {exc}", file=sys.stderr)
            return EXIT_BAD_REQUEST
        unknown = sorted({t["scenario"] for t in trials} - set(scenarios))
        if unknown:
            print(f"lab-guest: unknown scenario {unknown[0]!r}", file=sys.stderr)
            return EXIT_BAD_REQUEST
    tf = _tensorflow()
    if tf is None:
        return EXIT_NO_TENSORFLOW
    from lab.guest.facts import environment_facts, installed_distributions
    from lab.guest.jobs import program_child, session_child, trial_child

    facts = environment_facts(tf)  # also imports Keras here, once, rather than in every child
    _warm(tf)
    out.write(json.dumps({"facts": facts}).encode() + b"\n")
    if args.freeze:
        out.write(json.dumps({"freeze": installed_distributions()}).encode() + b"\n")
    out.flush()
    system.become_subreaper()
    system.not_dumpable()
    children = {"trial": trial_child(tf, scenarios, facts),
                "program": program_child(str(request.get("isolation", "fork"))), "session": session_child()}

    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        out.close()  # the channel is the worker's alone
        children[spec["kind"]](spec, fd, folder)

    default_timeout = float(request.get("job_timeout_s") or 3600)
    # Under the guest's own folder (the host's scratch folder, or a container's /tmp), which the
    # host removes even when this process is killed before it can.
    with tempfile.TemporaryDirectory(prefix="lab-jobs-", dir=os.getcwd()) as folder:
        Server(child, out, folder, args.parallel).serve(
            jobs, lambda spec: float(spec.get("timeout_s") or default_timeout))
    out.write(b'{"done": true}\n')
    out.flush()
    return 0


# What every child reaches through TensorFlow's lazy loaders (tf.keras above all: each child's
# reset calls tf.keras.backend.clear_session): resolved once here, where a profile found each
# child of TF 2.15 resolving them again for ~0.1 s. Attribute lookups and imports only: nothing
# that starts TensorFlow's runtime (its threads would not survive a fork) or builds a graph.
_WARM = ("keras.backend.clear_session", "keras.utils", "keras.layers.Dense", "keras.models.Sequential",
         "keras.optimizers.SGD", "keras.initializers", "keras.losses", "compat.v1.layers",
         "compat.v1.train.GradientDescentOptimizer", "random.set_seed", "compat.v1.reset_default_graph")


def _warm(tf: Any) -> None:
    for path in _WARM:
        found = tf
        try:
            for name in path.split("."):
                found = getattr(found, name)
        except Exception:  # not in this TensorFlow: its children will not find it either
            continue


def _tensorflow() -> Optional[Any]:
    try:
        import numpy  # noqa: F401  (warm, like TensorFlow: every child starts with both loaded)
    except ImportError:  # it comes with TensorFlow; a stand-in for tests may lack it
        pass
    try:
        import tensorflow as tf
    except Exception as exc:
        print(f"lab-guest: cannot import tensorflow: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
    return tf


if __name__ == "__main__":
    sys.exit(launcher(sys.argv[1:]))
