"""Block claims for the five source articles (shared/seeds): what each article says its code does.

Written as the articles state them, never tuned to what TensorFlow does. Every example block also
carries the claim the article makes by showing it: that it is a program that runs.
"""

from __future__ import annotations

from typing import Any, List

from lab.verbatim.claims import BlockClaim
from lab.verbatim.outcome import Outcome
from lab.verbatim.printed import close

A000, A001, A002, A003, A004 = ("000_8efaa3ae04d8cab7.txt", "001_97e30a257888b9ba.txt", "002_47706e3e358c726a.txt",
                                "003_08d97d8d132930d0.txt", "004_5ea5196b702c1a45.txt")
BLOCKS = {  # (document, block) -> the hash of the block's text the claims were written for
    (A000, 1): "b9ec60d58f13", (A000, 2): "cfb01e7fdd80", (A000, 3): "a2abc373b852",
    (A001, 1): "00c24614e845", (A001, 2): "a753492d456c", (A001, 3): "7b4fb71539cd",
    (A001, 4): "77957ee66ac1", (A001, 5): "9e07b3b70e00", (A001, 6): "0694a886ff2c",
    (A002, 1): "1a062e1cb673", (A002, 2): "1d127205f5a3", (A002, 3): "f60af00c93e9",
    (A003, 1): "0aaf944fee08",
    (A004, 1): "c8de4a447e4f", (A004, 2): "3a14b37a8f49", (A004, 3): "a6576a2a4484",
}


def _first(o: Outcome, label: str) -> Any:
    return o.value(label)[0]


def _decreasing(values: List[Any]) -> bool:
    return len(values) > 1 and all(b < a for a, b in zip(values, values[1:]))


def _claim(document: str, block: int, text: str, check: Any, quote: str = "", needs_run: bool = True) -> BlockClaim:
    return BlockClaim(document, block, BLOCKS[(document, block)], text, check, quote, needs_run)


def _runs(document: str, block: int) -> BlockClaim:
    return _claim(document, block, "the example's code runs", lambda o: o.ran, needs_run=False)


CLAIMS: List[BlockClaim] = [
    *(_runs(A000, b) for b in (1, 2, 3)),
    _claim(A000, 1, "the loss falls at every iteration: the weight is updated, not reset",
           lambda o: _decreasing(o.value("Loss"))),
    _claim(A000, 2, "the kernel changes between iterations: weights are not re-initialized",
           lambda o: not close(o.value("Weights")[0], o.value("Weights")[1])),
    _claim(A000, 3, "the weight changes during training and is never reset back to 1.0",
           lambda o: all(not close(v, 1.0) for v in o.value("Weight Value"))),
    *(_runs(A001, b) for b in (1, 2, 3, 4, 5, 6)),
    _claim(A001, 1, "tf.Variable(name=...) without an initial value declares a variable holding garbage values",
           lambda o: o.ran, needs_run=False),
    *(_runs(A002, b) for b in (1, 2, 3)),
    _claim(A002, 1, "the second initialization does not change the value",
           lambda o: close(_first(o, "Value after second init"), _first(o, "Value after first init"))),
    _claim(A002, 1, "the explicit assignment changes the value to 2.0",
           lambda o: close(_first(o, "Value after explicit assignment"), 2.0)),
    _claim(A002, 1, "running init_op after the assignment does not revert the value to 1.0",
           lambda o: not close(_first(o, "Value after init, following assignment"), 1.0)),
    _claim(A002, 2, "the repeated initialization does not reset the counter back to 0",
           lambda o: close(_first(o, "Counter after second init"), o.value("Counter")[-1])),
    _claim(A002, 3, "the second initialization does not change the random values",
           lambda o: close(_first(o, "Random variable second init"), _first(o, "Random variable first init"))),
    _claim(A002, 3, "running the initialization after assigning new random values leaves them unchanged",
           lambda o: close(_first(o, "Random variable init after assigning random"),
                           _first(o, "Random variable after assigning new random"))),
    _runs(A003, 1),
    *(_runs(A004, b) for b in (1, 2, 3)),
    _claim(A004, 1, "with `my_variable = my_variable - gradients` the printed value will likely remain static",
           lambda o: all(close(v, o.value("my_variable")[0]) for v in o.value("my_variable"))),
    _claim(A004, 2, "apply_gradients updates the variable: it reaches -1.0 after 10 steps of 0.1",
           lambda o: close(o.value("my_variable")[-1], -1.0, 1e-5)),
    _claim(A004, 3, "assign_sub updates the variable: it reaches -1.0 after 10 steps of 0.1",
           lambda o: close(o.value("my_variable")[-1], -1.0, 1e-5)),
]
"""The claims, in article and block order."""
