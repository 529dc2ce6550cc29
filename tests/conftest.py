"""Shared fixtures: fixture scenarios, a real-TensorFlow local runner, the golden switch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lab.scenario import DEFAULT_SCENARIO_DIR, load_scenarios
from tests.support import LocalBatch

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_SCENARIOS = FIXTURES / "scenarios"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite the expected reports under tests/golden")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def fixture_scenarios():
    return load_scenarios([FIXTURE_SCENARIOS])


@pytest.fixture(scope="session")
def real_scenarios():
    return load_scenarios([DEFAULT_SCENARIO_DIR])


@pytest.fixture(scope="session")
def fixture_runner() -> LocalBatch:
    return LocalBatch(scenario_dirs=[FIXTURE_SCENARIOS], timeout_s=300)


@pytest.fixture(autouse=True, scope="session")
def _empty_record_cache(tmp_path_factory: pytest.TempPathFactory):
    # Tests must start real containers, not read records an earlier run cached.
    previous = os.environ.get("LAB_RECORD_CACHE")
    os.environ["LAB_RECORD_CACHE"] = str(tmp_path_factory.mktemp("record-cache"))
    yield
    if previous is None:
        del os.environ["LAB_RECORD_CACHE"]
    else:
        os.environ["LAB_RECORD_CACHE"] = previous


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests choose their scenario directories explicitly.
    monkeypatch.delenv("LAB_SCENARIOS", raising=False)
    for var in ("LAB_TEST_CRASH", "LAB_TEST_SLEEP"):
        if var in os.environ:
            monkeypatch.delenv(var)
