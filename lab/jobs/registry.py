"""The job kinds' protocol and registry: each kind's module registers a factory for its job type."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol

from lab.channel import JobLine
from lab.status import Status


class Outcome(Protocol):
    """What any job came to: a trial's Record, a program's ProgramResult."""

    @property
    def status(self) -> Status: ...

    @property
    def duration_s(self) -> float: ...


class JobKind(Protocol):
    """The host's side of one kind of job."""

    name: str
    """The kind's name in the guest's request ('trial', 'program')."""

    def spec(self, job: Any) -> Dict[str, Any]:
        """What the guest is asked to do for the job (JSON), its 'kind' included."""
        ...

    def label(self, job: Any) -> str:
        """The job in a progress line or a message, and its name in the schedule's history."""
        ...

    def key(self, job: Any, env: str, identity: str) -> str:
        """The record cache's key of the job in an environment of this identity."""
        ...

    def accept(self, job: Any, env: str, answers: List[JobLine], facts: Mapping[str, Any]) -> Optional[Outcome]:
        """The outcome of the guest's answers for this job (one per attempt, validated here);
        None when they are no valid answer (the line is refused)."""
        ...

    def missing(self, job: Any, env: str, status: Status, why: str, facts: Mapping[str, Any]) -> Outcome:
        """The outcome of a job the guest did not answer: `status`, saying why."""
        ...

    def from_cache(self, job: Any, env: str, data: Any) -> Optional[Outcome]:
        """A cached outcome, checked as strictly as a fresh one; None to run the job again."""
        ...

    def to_cache(self, outcome: Any) -> Optional[Dict[str, Any]]:
        """What the cache keeps of an outcome; None for one that should run again."""
        ...


KindFactory = Callable[[Mapping[str, Any]], JobKind]
"""Makes a kind for one run, from the run's scenario catalog (a trial's cache key hashes its code)."""
_FACTORIES: Dict[type, KindFactory] = {}


def register(job_type: type, factory: KindFactory) -> None:
    """Make `factory`'s kind the one that runs jobs of `job_type` (each kind's module registers itself)."""
    _FACTORIES[job_type] = factory


class Kinds:
    """The kinds of one run, one per job type, made when first needed."""

    def __init__(self, scenarios: Mapping[str, Any]) -> None:
        self.scenarios = scenarios
        self._made: Dict[type, JobKind] = {}

    def of(self, job: Any) -> JobKind:
        job_type = type(job)
        if job_type not in self._made:
            if job_type not in _FACTORIES:
                raise TypeError(f"no job kind registered for {job_type.__name__}: import its module (lab/jobs/)")
            self._made[job_type] = _FACTORIES[job_type](self.scenarios)
        return self._made[job_type]
