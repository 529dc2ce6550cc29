"""Probing TensorFlow releases for `lab bisect` and `lab sweep`: each release's on-demand env made
(a venv, or an image with `kind`), the target run there through the one execute stage (a
scenario's trials, or a document's program), and a `bisect.Point` per release."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, ContextManager, Dict, Iterator, List, Optional, Tuple

from lab import api, bisect, pipeline, releases
from lab.environments import lookup
from lab.environments.declared import matrix_settings
from lab.environments.ondemand import DEFAULT_KIND, Spec
from lab.pipeline import Result
from lab.plan import DEFAULT_SEED
from lab.verbatim.runner import Settings as ProgramSettings
from lab.verbatim.variants import Variant

Notes = Tuple[api.Progress, api.Answers]
Progress = Callable[[List[str]], ContextManager[Notes]]
"""Live progress of one probe's run: given its env names, a context yielding the (env, line) and
(env, done, total) callbacks (lab/cli/display.py's `progress`)."""


@contextmanager
def quiet(names: List[str]) -> Iterator[Notes]:
    yield (lambda env, line: None), (lambda env, done, total: None)


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
    """Makes each release's on-demand env and runs the target there through `lab.api.execute`."""

    def __init__(self, target: bisect.AnyTarget, settings: Settings, progress: Progress = quiet) -> None:
        self.target = target
        self.settings = settings
        self.progress = progress

    def __call__(self, chosen: List[releases.Release]) -> List[bisect.Point]:
        names, versions, whys = [], {}, {}
        for release in chosen:
            env, _ = lookup(Spec(release.version, self.settings.python, kind=self.settings.kind).text)
            names.append(env.name)
            versions[env.name], whys[env.name] = release.version, env.description
        with self.progress(names) as (note, answered):
            result = api.execute(self.work(tuple(names)), self.options(), note, answered)
        if result.interrupted:
            raise Interrupted
        return self.points(result, versions, whys)

    def work(self, names: Tuple[str, ...]) -> api.Work:
        raise NotImplementedError

    def options(self) -> api.Options:
        return api.Options(None, self.settings.timeout_s, self.settings.use_cache)

    def points(self, result: Result, versions: Dict[str, str], whys: Dict[str, str]) -> List[bisect.Point]:
        raise NotImplementedError


class ScenarioProber(Prober):
    """A scenario's claims (or an observation) in each release."""

    def __init__(self, target: bisect.Target, settings: Settings, progress: Progress = quiet) -> None:
        super().__init__(target, settings, progress)
        self.scenario_target = target

    def work(self, names: Tuple[str, ...]) -> api.Work:
        target = self.scenario_target
        return api.Work((target.scenario,), modes=tuple(m.value for m in target.modes), seed=self.settings.seed,
                        envs=names)

    def points(self, result: Result, versions: Dict[str, str], whys: Dict[str, str]) -> List[bisect.Point]:
        return bisect.points_of(result, self.scenario_target, versions, whys)


class BlockProber(Prober):
    """A document block's outcome (or a value it prints) in each release: the document's programs as
    written, once each (the block's program joins the blocks before it that it needs)."""

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

    def work(self, names: Tuple[str, ...]) -> api.Work:
        return api.Work(envs=names, documents=(self.block_target.document,), variants=(Variant.AS_WRITTEN.value,),
                        of_documents=True)

    def options(self) -> api.Options:
        programs = ProgramSettings(timeout_s=min(self.settings.timeout_s, 600.0), repeat=1,
                                   use_cache=self.settings.use_cache)
        return api.Options(None, self.settings.timeout_s, self.settings.use_cache, programs=programs)

    def points(self, result: Result, versions: Dict[str, str], whys: Dict[str, str]) -> List[bisect.Point]:
        block = self.block_target.block
        outcomes = {o.env: o for o in result.blocks if o.block == block and o.variant == Variant.AS_WRITTEN.value}
        return [bisect.block_point(self.block_target, versions[env.name], env.name,
                                   str(env.description.get("spec", "")), outcomes.get(env.name),
                                   env.problem if env.unavailable else "", env.description, whys.get(env.name, ""))
                for env in result.outcomes]
