"""Small helpers claims use to read normalized observations, and common premises; no TensorFlow, no numpy."""

from __future__ import annotations

import math
from typing import Any, Callable, List, Optional

from lab.guest.catalog import Premise, Undecided


def value(obs: Any) -> Any:
    """The plain value of an observation: a tensor's values (scalar or nested list), else itself."""
    if isinstance(obs, dict) and obs.get("kind") == "tensor":
        if "values" not in obs:
            raise ValueError("tensor too large to have its values recorded; use stat()")
        return obs["values"]
    return obs


def flat(obs: Any) -> List[Any]:
    """All values of an observation as one flat list."""
    v = value(obs)
    if isinstance(v, list):
        return [x for item in v for x in flat(item)]
    return [v]


def close(a: Any, b: Any, rel: float = 1e-6, abs_tol: float = 1e-6) -> bool:
    """Element-wise closeness of two observations (tensors or numbers) of the same size."""
    xs, ys = flat(a), flat(b)
    return len(xs) == len(ys) and all(
        isinstance(x, (int, float)) and isinstance(y, (int, float)) and math.isclose(x, y, rel_tol=rel, abs_tol=abs_tol)
        for x, y in zip(xs, ys))


def stat(obs: Any, name: str) -> float:
    """A summary statistic (mean, std, min, max) of a tensor observation, large or small."""
    if isinstance(obs, dict) and "summary" in obs:
        return float(obs["summary"][name])
    xs = [float(x) for x in flat(obs)]
    mean = sum(xs) / len(xs)
    return {"mean": mean, "min": min(xs), "max": max(xs),
            "std": math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs))}[name]


def raised(obs: Any, type_name: Optional[str] = None) -> bool:
    """Whether a caught block raised (optionally: an exception of this type name)."""
    if not isinstance(obs, dict) or obs.get("kind") not in ("exception", "no_exception"):
        raise ValueError(f"not a caught-exception observation: {obs!r}")
    return obs["kind"] == "exception" and (type_name is None or obs["type"] == type_name)


def raised_message(obs: Any) -> str:
    """'TypeError: message' for a caught exception."""
    return f"{obs['type']}: {obs['message']}"


def unless_raised(key: str, test: Callable[[Any], Any], what: str = "the example") -> Callable[[Any], Any]:
    """A predicate that is Undecided (INCONCLUSIVE, with the exception) when the block caught
    under `key` raised, else `test`: for claims about what the code does once it runs."""
    def check(o: Any) -> Any:
        if raised(o[key]):
            return Undecided(f"{what} raised {raised_message(o[key])}")
        return test(o)
    return check


def brief(obs: Any) -> str:
    """An observation's value in a few characters, for a verdict's reason: 0.305, [1.0, -0.5]."""
    v = value(obs)
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list):
        items = flat(v)
        shown = ", ".join(f"{x:.4g}" if isinstance(x, float) else str(x) for x in items[:5])
        return f"[{shown}{', ...' if len(items) > 5 else ''}]"
    return str(v)


def runs_to_the_end(key: str, what: str) -> Premise:
    """The premise that the block caught under `key` ran to the end; instead, what it raised."""
    return Premise(f"{what} runs to the end", lambda o: not raised(o[key]),
                   lambda o: f"{what} raises {raised_message(o[key])}")


def prints_a_value(count_key: str, first_error_key: str) -> Premise:
    """The premise of a claim about the values a loop printed: it completed at least one iteration
    (`count_key` counts them); instead, what the first iteration (caught under `first_error_key`) raised."""
    return Premise("the loop prints a value", lambda o: value(o[count_key]) > 0,
                   lambda o: f"the first iteration raises {raised_message(o[first_error_key])}")
