"""Job kinds: what the execute stage runs in an environment, each kind registered by its job type.

A job is a value the host plans (a scenario's twin in a mode: a `Trial`; a document's program
text: a `ProgramJob`). Its kind says what the guest is asked, the cache key, which answer the
host accepts and the outcome of one that did not come back. Everything else (scheduling,
caching, time limits, collecting) is the execute stage's, the same for every kind. Importing
this package registers every kind.
"""

from lab.jobs import program, session, trial
from lab.jobs.registry import JobKind, Kinds, Outcome, register

__all__ = ["JobKind", "Kinds", "Outcome", "program", "register", "session", "trial"]
