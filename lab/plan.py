"""The plan: which jobs (trials: scenario x mode with a seed; document programs) run in which environments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Tuple

from lab.guest.catalog import Mode

DEFAULT_SEED = 1
MAX_SEED = 2**32 - 1  # numpy's seeds are 32-bit: a larger one crashes every twin


@dataclass(frozen=True)
class Trial:
    """One twin of one scenario, to be run with a seed."""

    scenario: str
    """The scenario id."""
    mode: Mode
    """Which twin."""
    seed: int
    """The seed set before the twin runs."""

    def __str__(self) -> str:
        return f"{self.scenario}[{self.mode.value}]"


@dataclass(frozen=True)
class Plan:
    """Every trial in every environment: the whole of the work, decided before any of it runs."""

    trials: Tuple[Trial, ...]
    """Scenario x mode, graph before eager, in the order the scenarios were selected."""
    envs: Tuple[str, ...]
    """The environments' names, in the order given."""
    seed: int
    """The one seed every trial runs with."""
    modes: Tuple[Mode, ...]
    """The modes asked for."""
    per_env: Tuple[Tuple[str, Tuple[Trial, ...]], ...] = ()
    """A shard's plan (lab/shards.py): each env's own trials; empty: every trial in every env."""
    programs: Tuple[Any, ...] = ()
    """Document programs (lab.jobs.program.ProgramJob) every env runs besides the trials."""

    def trials_for(self, env: str) -> Tuple[Trial, ...]:
        """The trials `env` runs."""
        return next((trials for name, trials in self.per_env if name == env), self.trials)

    def jobs_for(self, env: str) -> Tuple[Any, ...]:
        """Every job `env` runs: its trials, then the programs."""
        return self.trials_for(env) + self.programs
