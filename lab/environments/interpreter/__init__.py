"""The `interpreter` kind: venvs made from a base Python and a hashed lock, declared or on demand."""

from lab.environments.interpreter.environment import InterpreterEnvironment

__all__ = ["InterpreterEnvironment"]
