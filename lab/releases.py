"""TensorFlow's releases as PyPI lists them: final versions, and which CPython has a Linux wheel of each."""

from __future__ import annotations

import functools
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, List, Optional, Tuple

from lab.cache import cache_root
from lab.errors import LabError, UsageError

if TYPE_CHECKING:
    from packaging.tags import Tag
    from packaging.version import Version as _Version

PACKAGES = ("tensorflow", "tensorflow-cpu")
PYTHONS = ("3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
"""The CPythons an on-demand environment may be made from (those pyenv serves here)."""
INDEX_TTL_S = 24 * 3600
# Linux x86_64 wheels of any glibc: the PEP 600 tags and their legacy aliases.
_LINUX = tuple(f"manylinux_2_{minor}_x86_64" for minor in range(5, 100)) + (
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64")

Version = Tuple[int, ...]


def _parse(text: str) -> Optional[_Version]:
    """`text` as a PEP 440 version; None when it is none. (packaging is imported here, not above:
    containers/ci_matrix.py reads the matrix, and with it the kinds, on the standard library alone.)"""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


def version_key(text: str) -> Version:
    """'2.15.1' -> (2, 15, 1): a final release's version compares as its numbers (ValueError
    when `text` is no version)."""
    version = _parse(text)
    if version is None:
        raise ValueError(f"{text!r} is not a version")
    return version.release


def _final(text: str) -> bool:
    """2.15.0 is final; 2.15.0rc1, 2.16.0.dev2024, 2.1.0.post1 and local versions are not."""
    version = _parse(text)
    return version is not None and not (version.is_prerelease or version.is_postrelease or version.local)


@functools.cache
def _installable(python: str) -> FrozenSet[Tag]:
    """The wheel tags CPython `python` ('3.7') takes on Linux x86_64 (cp37-cp37m-manylinux2010_x86_64, ...)."""
    from packaging.tags import cpython_tags

    major, minor = (int(part) for part in python.split("."))
    return frozenset(cpython_tags(python_version=(major, minor), platforms=_LINUX))


def wheel_pythons(filename: str) -> FrozenSet[str]:
    """The CPythons of PYTHONS that can install the wheel `filename` on Linux x86_64 ({} for an sdist)."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename
    from packaging.version import InvalidVersion

    try:
        _, _, _, wheel_tags = parse_wheel_filename(filename)
    except (InvalidWheelFilename, InvalidVersion):
        return frozenset()
    return frozenset(p for p in PYTHONS if wheel_tags & _installable(p))


@dataclass(frozen=True)
class Release:
    """One final release of a TensorFlow distribution on PyPI."""

    version: str
    """'2.15.1'."""
    pythons: FrozenSet[str]
    """The CPythons ('3.11') with a manylinux x86_64 wheel of it."""
    uploaded: str
    """When its first file was uploaded (ISO 8601, UTC)."""

    @property
    def key(self) -> Version:
        return version_key(self.version)


def index_url(package: str) -> str:
    """PyPI's JSON API for `package`; LAB_PYPI_JSON points at a mirror of the same shape."""
    base = os.environ.get("LAB_PYPI_JSON", "https://pypi.org/pypi").rstrip("/")
    return f"{base}/{package}/json"


def _fetch(package: str) -> Dict[str, Any]:
    # Cached for a day: a bisection asks for the index many times, and the --exclude-newer
    # cut below makes a fresher copy give the same list anyway.
    path = cache_root() / "index" / f"{package}.json"
    if path.is_file() and time.time() - path.stat().st_mtime < INDEX_TTL_S:
        try:
            return json.loads(path.read_text())
        except ValueError:
            pass  # a torn write: fetch again
    url = index_url(package)
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            body = answer.read()
        data = json.loads(body)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if path.is_file():  # offline: a stale list is better than none
            return json.loads(path.read_text())
        raise LabError(f"cannot read the release list of {package} from {url} ({exc}); "
                       "check the network, or set LAB_PYPI_JSON to a mirror") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(body)
    tmp.replace(path)
    return data


def parse_releases(data: Dict[str, Any], exclude_newer: str = "") -> List[Release]:
    """The final releases in a PyPI JSON document that have a Linux x86_64 CPython wheel,
    uploaded before `exclude_newer` (so the list is the same next year), oldest version first."""
    found = []
    for version, files in (data.get("releases") or {}).items():
        if not _final(version) or not files:
            continue
        uploaded = min(str(f.get("upload_time_iso_8601") or "") for f in files)
        if exclude_newer and uploaded >= exclude_newer.replace("Z", ""):
            continue
        pythons = {p for f in files if not f.get("yanked") for p in wheel_pythons(str(f.get("filename", "")))}
        if pythons:
            found.append(Release(version, frozenset(pythons), uploaded))
    return sorted(found, key=lambda r: r.key)


_memo: Dict[Tuple[str, str], List[Release]] = {}


def releases(package: str = "tensorflow", exclude_newer: str = "") -> List[Release]:
    """The final releases of `package` (memoized per process)."""
    if (package, exclude_newer) not in _memo:
        _memo[(package, exclude_newer)] = parse_releases(_fetch(package), exclude_newer)
    return _memo[(package, exclude_newer)]


def find(version: str, package: str = "tensorflow", exclude_newer: str = "") -> Optional[Release]:
    return next((r for r in releases(package, exclude_newer) if r.version == version), None)


def pick(text: str, package: str = "tensorflow", exclude_newer: str = "") -> Tuple[str, str]:
    """The release `text` names, and how it was chosen: a final release is itself (''); fewer than
    three parts (`2.5`) name the newest final release they begin (2.5.3: '2.5 is 2.5.3, the newest
    final 2.5.x'). A one-line UsageError when there is none."""
    if find(text, package, exclude_newer) is not None:
        return text, ""
    parsed = _parse(text)
    if parsed is None:
        raise UsageError(f"TensorFlow {text!r} is not a version: write it as 2.15.1, or 2.15 for the newest 2.15.x")
    prefix = parsed.release
    if _final(text) and len(prefix) < 3 and parsed.epoch == 0:
        found = [r for r in releases(package, exclude_newer) if r.key[:len(prefix)] == prefix]
        if found:
            return found[-1].version, f"{text} is {found[-1].version}, the newest final {text}.x"
    raise UsageError(f"TensorFlow {text} is not a final release on PyPI{nearest(text, exclude_newer)}")


def between(good: str, bad: str, python: Optional[str] = None, exclude_newer: str = "") -> List[Release]:
    """Every final release from `good` to `bad`, both included, in version order (from the full
    `tensorflow` package, which has every version); with `python`, only those with its wheels.
    Either end may be a prefix (`2.5`: the newest final 2.5.x, see `pick`)."""
    ends = [version_key(pick(version, exclude_newer=exclude_newer)[0]) for version in (good, bad)]
    low, high = sorted(ends)
    usable = {python} if python else set(PYTHONS)  # a release no usable Python has a wheel for is left out
    chosen = [r for r in releases(exclude_newer=exclude_newer) if low <= r.key <= high and r.pythons & usable]
    return chosen if ends[0] <= ends[1] else chosen[::-1]


def nearest(version: str, exclude_newer: str = "") -> str:
    """'; the nearest are 2.16.1, 2.15.1' for a version that is not a release."""
    try:
        key = version_key(version)
    except ValueError:
        return " (write it as 2.15.1)"
    ordered = sorted(releases(exclude_newer=exclude_newer), key=lambda r: _distance(r.key, key))
    return f"; the nearest are {', '.join(r.version for r in ordered[:2])}" if ordered else ""


def _distance(a: Version, b: Version) -> Tuple[int, ...]:
    width = max(len(a), len(b))
    pa, pb = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return tuple(abs(x - y) for x, y in zip(pa, pb))
