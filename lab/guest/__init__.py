"""What runs inside an environment, and the API scenario modules are written with.

This package (with `lab/__init__.py`) is exactly what the lab ships into an environment:
standard library only, Python 3.7 to 3.13. It is the only lab code that imports TensorFlow,
and only in its entries (`__main__`, `probe`); the host imports it to list, show and judge scenarios.
"""

from lab.guest.catalog import Claim, Mode, Scenario, Source, Undecided, scenario

__all__ = ["Claim", "Mode", "Scenario", "Source", "Undecided", "scenario"]
