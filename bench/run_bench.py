"""The benchmark: compare-all's wall time beside its floor, a naive run and a cached rerun, in one run.

Speed is reported as ratios of times measured side by side on the same machine, never
asserted by a test: `make bench [ARGS="--env tf2.15 --env tf2.21 --naive-envs tf2.15"]`. Every
container mounts one staged shipment (lab/__init__.py, lab/guest/, the scenario modules) at
/lab, as compare-all's do; `--scenario ID` (repeatable) limits the scenarios for a short run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

if __package__ in (None, ""):  # run as a script (`make bench`): the repository root makes `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import forkcost, sidebyside
from bench.report import Bench, Measurement, image_rows, judge, render, slowest_line, table, work_bound, write_json
from lab import __version__, api, pipeline
from lab.cores import available_cores
from lab.environments import LOCAL, resolve, resolve_names
from lab.environments.batch import Batch
from lab.environments.declared import get_env
from lab.environments.image.build import docker_client, image_status
from lab.environments.image.runner import DockerRunner, remove_leftovers
from lab.environments.shipment import Shipment, Staged
from lab.errors import LabError
from lab.execute import EnvOutcome
from lab.guest.catalog import Mode
from lab.jobs import Kinds
from lab.plan import DEFAULT_SEED, Plan, Trial
from lab.record import FINISHED, Record
from lab.results import git_commit
from lab.scenario import configured_scenario_dirs, load_scenarios
from lab.schedule import History, history_path
from lab.scratch import scratch_dir

# The floor imports TensorFlow (the guest's probe, from the shipment) and proves it did by
# printing its versions.
IMPORT_ONLY = ["python", "-m", "lab.guest.probe"]
TIMEOUT_S = pipeline.DEFAULT_TIMEOUT_S


class BenchError(LabError):
    """A measurement that cannot be trusted (a floor container that did not import TensorFlow)."""


def timed(fn: Callable[[], Any]) -> Tuple[float, Any]:
    """Wall seconds of fn() (monotonic: immune to clock adjustments), and its result."""
    start = time.monotonic()
    result = fn()
    return time.monotonic() - start, result


def _runner(name: str, client: Any) -> DockerRunner:
    """The env's DockerRunner."""
    env = get_env(name)
    return DockerRunner(env, image_status(env, client).tag, client, timeout_s=TIMEOUT_S)


def _pool(jobs: Sequence[Callable[[], Any]], workers: int) -> List[Any]:
    """Each job's result in order, at most `workers` at a time."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lab-bench")
    try:
        return [f.result() for f in [pool.submit(job) for job in jobs]]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # on Ctrl-C, do not start the queued containers


def _imported(lines: Sequence[str]) -> Optional[str]:
    """The TensorFlow version the probe printed (its last line), or None."""
    try:
        found = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return found.get("tensorflow") if isinstance(found, dict) else None


def _container_floor(name: str, shipment: Shipment, client: Any) -> None:
    """A container of the env's image, started with DockerRunner's settings, that only imports TensorFlow."""
    runner = _runner(name, client)
    with scratch_dir(f"bench-{name}") as tmp:
        io = Path(tmp)
        (io / "request.json").write_text("{}")
        os.chmod(io / "request.json", 0o644)
        container = client.containers.run(runner.image, IMPORT_ONLY, **runner.options(io, shipment))
        try:
            container.wait(timeout=TIMEOUT_S)
            printed = container.logs(stdout=True, stderr=False).decode(errors="replace").strip().splitlines()
        finally:
            container.remove(force=True, v=True)  # with its volumes (issue 26)
    if not _imported(printed):  # without this a failing import would make a flatteringly fast floor
        raise BenchError(f"the import-only container of {name} failed: {printed[-3:]}")


def _interpreter_floor(name: str, shipment: Shipment) -> None:
    """The venv's Python importing TensorFlow once (the probe), as its guest would."""
    from lab.environments.interpreter import InterpreterEnvironment
    from lab.environments.process import guest_variables

    env = InterpreterEnvironment(get_env(name))
    env.prepare(lambda line: None)
    python = str(env.venv / "bin" / "python") if env.venv else ""
    done = subprocess.run([python, "-m", "lab.guest.probe"], capture_output=True, text=True, timeout=TIMEOUT_S,
                          env=guest_variables(shipment, env.spec.environment), stdin=subprocess.DEVNULL)
    if done.returncode != 0 or not _imported(done.stdout.strip().splitlines()[-1:]):
        raise BenchError(f"the import-only process of {name} failed: {done.stderr.strip()[-300:]}")


def _longest_first(names: Sequence[str]) -> List[str]:
    """The envs in the order compare-all starts them: the longest to start (last run's history) first."""
    history = History(history_path())
    return sorted(names, key=lambda n: -history.work(n, []).start_s)


def floor(names: Sequence[str], shipment: Shipment, client: Any, workers: int) -> Measurement:
    """One process per env that only imports TensorFlow (a container for an image env), longest first,
    `workers` at a time: what compare-all cannot go below."""
    def one(name: str) -> None:
        if get_env(name).kind != "image":
            return _interpreter_floor(name, shipment)
        return _container_floor(name, shipment, client)

    seconds, _ = timed(lambda: _pool([lambda n=n: one(n) for n in _longest_first(names)], workers))
    return Measurement("floor", seconds, list(names), 0)


class PeakMemory:
    """The host's used memory (MemTotal - MemAvailable), sampled every 0.2 s while it is entered:
    the peak and the rise over the start. Host-wide: other processes' memory counts too."""

    def __init__(self) -> None:
        self.start = self.peak = self._used()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _used() -> int:
        try:
            fields = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
            return (int(fields["MemTotal"].split()[0]) - int(fields["MemAvailable"].split()[0])) * 1024
        except (OSError, KeyError, ValueError):
            return 0

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._used())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    def note(self) -> str:
        rise = (self.peak - self.start) / 2**30
        return f"host memory peak {self.peak / 2**30:.1f} GiB, +{rise:.1f} GiB over the start"


def _failed_note(records: Sequence[Record]) -> str:
    bad = [r for r in records if r.status not in FINISHED]
    return f"{len(bad)} trials did not finish ({bad[0].status.value})" if bad else ""


def compare_all(names: Sequence[str], the_plan: Plan, label: str = "compare-all",
                ) -> Tuple[Measurement, List[EnvOutcome], Dict[str, float]]:
    """compare-all through lab.api, as the command runs it, with the cache OFF (every trial runs);
    also when each env finished, from its events."""
    start, finished = time.monotonic(), {}

    def note(env: str, message: str) -> None:
        if message == "done" or message.startswith("failed"):
            finished[env] = time.monotonic() - start

    work = api.Work(plan=the_plan)
    with PeakMemory() as memory:
        seconds, result = timed(lambda: api.execute(work, api.Options(timeout_s=TIMEOUT_S, use_cache=False), note))
    if result.interrupted:
        raise KeyboardInterrupt
    outcomes = list(result.outcomes)
    records = result.records
    notes = [n for n in (_failed_note(records), memory.note()) if n]
    return Measurement(label, seconds, list(names), len(records), note="; ".join(notes)), outcomes, finished


def naive(names: Sequence[str], trials: Sequence[Trial], shipment: Shipment, client: Any,
          workers: int) -> Measurement:
    """Every trial in its own container (one TensorFlow import each), `workers` at a time."""
    jobs = [lambda n=n, t=t: _runner(n, client).run(Batch(n, [t], Kinds({})), shipment).outcomes
            for n in names for t in trials]
    seconds, batches = timed(lambda: _pool(jobs, workers))
    records = [r for batch in batches for r in batch]
    return Measurement("naive", seconds, list(names), len(records), note=_failed_note(records))


def _lab_command() -> List[str]:
    script = Path(sys.executable).parent / "lab"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from lab.cli import entry; entry()"]


def _twice(command: Sequence[str], ok: Sequence[int]) -> Tuple[float, float, int]:
    """The real CLI `command` twice on a fresh record cache (the wheels kept), each with its own
    --out: the first run's seconds, the second's (end to end, process start included), and how
    many of the second's records came from the cache."""
    with tempfile.TemporaryDirectory(prefix="lab-bench-") as tmp:
        environ = {**os.environ, "LAB_RECORD_CACHE": str(Path(tmp) / "cache")}

        def once(out: str) -> float:
            argv = _lab_command() + [*command, "--out", str(Path(tmp) / out)]
            seconds, done = timed(lambda: subprocess.run(argv, env=environ, capture_output=True, text=True))
            if done.returncode not in ok:
                raise BenchError(f"lab {command[0]} exited {done.returncode}: {done.stderr.strip()[-300:]}")
            return seconds

        fill = once("fill")
        seconds = once("rerun")
        envs = json.loads((Path(tmp) / "rerun" / "manifest.json").read_text())["envs"]
        return fill, seconds, sum(int(e.get("cached_trials") or 0) for e in envs.values())


def cached_rerun(names: Sequence[str], ids: Sequence[str], trials: int) -> Measurement:
    """`lab compare-all` twice on a fresh cache; the second timed (4: some trial did not finish, still timed)."""
    fill, seconds, cached = _twice(["compare-all", *ids, *[arg for n in names for arg in ("--env", n)]], (0, 4))
    return Measurement("cached rerun", seconds, list(names), trials,
                       note=f"{cached} of {trials} records from the cache; filling it took {fill:.1f} s")


LOCAL_SCENARIO = "tf1-reinit"


def cached_local() -> Measurement:
    """`lab run tf1-reinit` (the local env) twice on a fresh cache; the second timed."""
    fill, seconds, cached = _twice(["run", LOCAL_SCENARIO], (0,))
    return Measurement("cached local run", seconds, [LOCAL], 2,
                       note=f"lab run {LOCAL_SCENARIO}: {cached} of 2 records from the cache; the first run took "
                            f"{fill:.1f} s")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run_bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--env", action="append", help="matrix env (repeatable); default every matrix env")
    parser.add_argument("--scenario", action="append", metavar="ID",
                        help="scenario id (repeatable); default every scenario")
    parser.add_argument("--naive-envs", action="append", help="run the slow naive measurement only on these")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive measurement")
    parser.add_argument("--out", type=Path, default=Path("results"), help="folder for bench-<UTC time>.json")
    parser.add_argument("--verbatim-env", action="append",
                        help="env for the verbatim section (repeatable); default local and tf1.15")
    parser.add_argument("--verbatim-only", action="store_true", help="only the verbatim section (no Docker rows)")
    parser.add_argument("--no-bisect", action="store_true", help="skip the bisect rows (bench/bisection.py)")
    parser.add_argument("--bisect-only", action="store_true", help="only the bisect rows (no Docker, needs PyPI)")
    parser.add_argument("--other-lab", metavar="PYTHON",
                        help="also run compare-all of the lab this Python imports (an older checkout's venv), "
                             "side by side with this one, both through the CLI")
    parser.add_argument("--no-verbatim", action="store_true", help="skip the verbatim section")
    args = parser.parse_args(argv)
    from bench import bisection, verbatim

    if args.verbatim_only:
        print(verbatim.render(verbatim.measure(args.verbatim_env or ["local", "tf1.15"])), end="")
        return 0
    if args.bisect_only:
        try:
            print(table(bisection.measure()), end="")
        except LabError as exc:
            print(f"bench: error: {exc}", file=sys.stderr)
            return 3
        return 0
    client = None
    try:
        client = docker_client()
        remove_leftovers(client)  # containers of dead lab processes would slow every row
        bench = measure(args, client)
        if not args.no_bisect:
            bench.measurements += bisection.measure()
    except LabError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        if client is not None:
            remove_leftovers(client, own=True)  # the pool's containers: none is left behind
        return 130
    if not args.no_verbatim:
        bench.meta["verbatim"] = verbatim.measure(args.verbatim_env or ["local", "tf1.15"])
    print(render(bench), end="")
    if not args.no_verbatim:
        print(verbatim.render(bench.meta["verbatim"]), end="")
    print(f"json: {write_json(bench, args.out)}")
    return 0


def builds(names: Sequence[str], client: Any) -> List[Measurement]:
    """Each image env's last build on this host (seconds, when known) and its size."""
    rows = []
    for name in names:
        if get_env(name).kind != "image":
            continue
        status = image_status(get_env(name), client)
        size = f"{status.size_bytes / 1e9:.2f} GB" if status.size_bytes else "size unknown"
        rows.append(Measurement(f"image build {name}", status.build_s or 0.0, [name], 0,
                                note=size if status.build_s else f"{size}; not built on this host: no time"))
    return rows


def _matrix_envs(names: Sequence[str], kinds: Sequence[str] = ("image", "interpreter")) -> List[str]:
    """The matrix envs among `names` ('all' expanded), of these kinds: the floor starts their processes."""
    chosen = [n for n in resolve_names(names) if n != LOCAL]
    for n in chosen:
        if get_env(n).kind not in kinds:
            raise BenchError(f"{n} is a {get_env(n).kind} env; this measurement takes {' or '.join(kinds)} envs")
    return chosen


def measure(args: argparse.Namespace, client: Any) -> Bench:
    """Every row, on the same envs, one after the other on an otherwise idle machine."""
    names = _matrix_envs(args.env or ["all"])
    naive_names = _matrix_envs(args.naive_envs, ["image"]) if args.naive_envs else [
        n for n in names if get_env(n).kind == "image"]
    for env in resolve(names, client=client):  # builds and venvs are not what is measured: make them first
        env.prepare(lambda line, n=env.name: print(f"[{n}] {line}", file=sys.stderr))
    scenario_dirs = configured_scenario_dirs()  # what the CLI's compare-all (the cached rerun) loads too
    scenarios = load_scenarios(scenario_dirs)
    selected = pipeline.select(scenarios, args.scenario or [], everything=not args.scenario)
    trials = list(pipeline.plan(selected, list(Mode), DEFAULT_SEED).trials)
    cores = available_cores()
    env_workers = cores  # Execution's bound: compare-all and the floor share it

    # The machine is shared: say how busy it was, since others' containers slow every row.
    busy = {"load_before": round(os.getloadavg()[0], 2), "others_containers": len(client.containers.list())}

    def step(what: str) -> None:
        print(f"bench: {what}", file=sys.stderr, flush=True)

    with Staged(scenario_dirs) as shipment:  # one shipment at /lab in every container, as compare-all's
        # Untimed warm-up: the first container of an image reads TensorFlow from disk; every row
        # below should see the same warm page cache, or the first measured would pay for the rest.
        step("warm-up (untimed)")
        floor(names, shipment, client, env_workers)
        step(f"floor: import TensorFlow in {len(names)} envs")
        base = floor(names, shipment, client, env_workers)
        step(f"compare-all: {len(trials)} trials x {len(names)} envs, cache off")
        the_plan = pipeline.plan(selected, list(Mode), DEFAULT_SEED, names)
        compare, outcomes, finished = compare_all(names, the_plan)
        compare_naive = naive_row = None
        if not args.no_naive:
            if set(naive_names) != set(names):  # the naive ratio must divide times taken on the same envs
                step(f"compare-all on the naive subset {','.join(naive_names)}")
                label = f"compare-all[{','.join(naive_names)}]"
                subset = pipeline.plan(selected, list(Mode), DEFAULT_SEED, naive_names)
                compare_naive, _, _ = compare_all(naive_names, subset, label)
            step(f"naive: {len(trials) * len(naive_names)} containers, {cores} at a time")
            naive_row = naive(naive_names, trials, shipment, client, cores)
    step("cached rerun: lab compare-all twice on a fresh cache")
    cached = cached_rerun(names, args.scenario or [], compare.trials)
    step(f"cached local run: lab run {LOCAL_SCENARIO} twice on a fresh cache")
    local = cached_local()
    step("the cost of a trial: batches of no-op trials")
    fork_envs = resolve([LOCAL, *[n for n in names if get_env(n).kind == "image"][:1]], client=client)
    trial_costs = forkcost.measure(fork_envs)
    side: List[Measurement] = []
    if args.other_lab:
        step(f"compare-all side by side with the lab of {args.other_lab} (CLI, cache off)")
        side = list(sidebyside.measure(args.other_lab, names))

    twins_s = sum(r.duration_s for o in outcomes for r in o.records)
    rows = (judge(base, compare, naive_row, compare_naive, cached, local)
            + [work_bound(compare, base, twins_s, cores)] + side + trial_costs + image_rows(builds(names, client)))
    meta = {"lab_version": __version__, "git": git_commit(), "cores": cores, "envs": names,
            "naive_envs": naive_names if naive_row else [], "trials_per_env": len(trials),
            "scenarios": len(selected), **busy, "load_after": round(os.getloadavg()[0], 2),
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    return Bench(rows, {o.name: slowest_line(o.records, finished.get(o.name)) for o in outcomes}, meta)


if __name__ == "__main__":
    sys.exit(main())
