"""Probing TensorFlow releases for `lab bisect` and `lab sweep`: each release's on-demand env made
(a venv, or an image with `kind`), the target run there through the one execute stage (a
scenario's trials, or a document's program), and a `bisect.Point` per release."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager, Dict, Iterator, List, Optional, Sequence, Tuple

from lab import bisect, pipeline, releases
from lab.environments import lookup, resolve
from lab.environments.declared import matrix_settings
from lab.environments.ondemand import DEFAULT_KIND, Spec
from lab.execute import EventFn
from lab.guest.catalog import Scenario
from lab.plan import DEFAULT_SEED

Progress = Callable[[List[str]], ContextManager[EventFn]]
"""Live progress of one probe's run: given its env names, a context yielding the (env, line) callback."""


@contextmanager
def quiet(names: List[str]) -> Iterator[EventFn]:
    yield lambda env, line: None


class Interrupted(Exception):
    """Ctrl-C stopped a probe's run."""


@dataclass(frozen=True)
class Settings:
    """How every release is probed."""

    python: Optional[str] = None
    """Every release's env on this CPython ('3.9'); None: each takes the newest its kind can."""
    kind: str = DEFAULT_KIND
    """The kind of the releases' on-demand envs ('interpreter', 'image')."""
    seed: int = DEFAULT_SEED
    timeout_s: float = pipeline.DEFAULT_TIMEOUT_S
    use_cache: bool = True


def span(good: str, bad: str, python: Optional[str] = None) -> Tuple[List[releases.Release], List[str]]:
    """The releases from `good` to `bad` (either may be a prefix: 2.5 is the newest final 2.5.x),
    and a line for each end given as a prefix, saying which release it names."""
    exclude_newer = matrix_settings()[1]
    notes = [note for _, note in (releases.pick(v, exclude_newer=exclude_newer) for v in (good, bad)) if note]
    return releases.between(good, bad, python, exclude_newer), notes


class Prober:
    """Makes each release's on-demand env and runs the target there; subclasses say how."""

    def __init__(self, target: bisect.AnyTarget, settings: Settings, progress: Progress = quiet) -> None:
        self.target = target
        self.settings = settings
        self.progress = progress

    def _envs(self, chosen: Sequence[releases.Release]) -> Tuple[List[str], Dict[str, str], Dict[str, str]]:
        """The releases' env names, and for each name its version and how its Python was chosen."""
        names, versions, whys = [], {}, {}
        for release in chosen:
            env, _ = lookup(Spec(release.version, self.settings.python, kind=self.settings.kind).text)
            names.append(env.name)
            versions[env.name], whys[env.name] = release.version, env.description
        return names, versions, whys

    def __call__(self, chosen: List[releases.Release]) -> List[bisect.Point]:
        names, versions, whys = self._envs(chosen)
        return self.probe(names, versions, whys)

    def probe(self, names: List[str], versions: Dict[str, str], whys: Dict[str, str]) -> List[bisect.Point]:
        raise NotImplementedError


class ScenarioProber(Prober):
    """A scenario's claims (or an observation) in each release, through the pipeline."""

    def __init__(self, target: bisect.Target, scenarios: Dict[str, Scenario], scenario_dirs: Sequence[Path],
                 settings: Settings, progress: Progress = quiet) -> None:
        super().__init__(target, settings, progress)
        self.scenarios = scenarios
        self.scenario_dirs = list(scenario_dirs)
        self.scenario_target = target

    def probe(self, names: List[str], versions: Dict[str, str], whys: Dict[str, str]) -> List[bisect.Point]:
        target, s = self.scenario_target, self.settings
        the_plan = pipeline.plan([self.scenarios[target.scenario]], list(target.modes), s.seed, names)
        with self.progress(names) as note:
            result = pipeline.run(self.scenarios, the_plan, self.scenario_dirs, None, s.timeout_s, s.use_cache,
                                  None, note, envs=resolve(names))
        if result.interrupted:
            raise Interrupted
        return bisect.points_of(result, target, versions, whys)


class BlockProber(Prober):
    """A document block's outcome (or a value it prints) in each release, through the verbatim runner:
    the block's program as written, once, with the blocks before it that it needs."""

    def __init__(self, target: bisect.BlockTarget, settings: Settings, progress: Progress = quiet) -> None:
        from lab.errors import UsageError
        from lab.verbatim.documents import DocumentError, read_document

        super().__init__(target, settings, progress)
        self.block_target = target
        try:
            document = read_document(target.document, target.document.name)
        except DocumentError as exc:
            raise UsageError(str(exc)) from None
        if target.block > len(document.blocks):
            raise UsageError(f"{target}: {target.document} has blocks #1 to #{len(document.blocks)}")
        # The blocks after it cannot be part of its program: they are left out, and not run.
        self.document = type(document)(document.name, document.path, document.kind,
                                       document.blocks[:target.block], document.shell)

    def probe(self, names: List[str], versions: Dict[str, str], whys: Dict[str, str]) -> List[bisect.Point]:
        from lab.verbatim.runner import Settings as RunSettings
        from lab.verbatim.runner import run_verbatim
        from lab.verbatim.variants import Variant

        s = self.settings
        envs = resolve(names)
        with self.progress(names) as note:
            result = run_verbatim([self.document], names, [Variant.AS_WRITTEN],
                                  RunSettings(timeout_s=min(s.timeout_s, 600.0), repeat=1, use_cache=s.use_cache),
                                  envs=envs, on_event=note)
        if result.interrupted:
            raise Interrupted
        outcomes = {o.env: o for o in result.outcomes if o.block == self.block_target.block}
        return [bisect.block_point(self.block_target, versions[env.name], env.name,
                                   str(env.describe().get("spec", "")), outcomes.get(env.name),
                                   result.problems.get(env.name, ""), env.describe(), whys.get(env.name, ""))
                for env in envs]
