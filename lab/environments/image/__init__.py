"""The `image` kind: pinned containers built from the matrix's locks (the only code that imports docker)."""

from lab.environments.image.environment import ImageEnvironment

__all__ = ["ImageEnvironment"]
