"""Docker fixtures: one client per test session, or a skip that says why there is none."""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # pyproject.toml registers the marker too; this keeps --strict-markers happy without it.
    config.addinivalue_line("markers", "docker: runs real containers (needs a Docker daemon)")


@pytest.fixture(scope="session")
def docker_client():
    """A client whose daemon answered; a skip naming the reason otherwise."""
    pytest.importorskip("docker", reason="the docker Python package is not installed (pip install docker)")
    from lab.environments.image.build import docker_client as make_client
    from lab.errors import DockerUnavailable

    try:
        return make_client()
    except DockerUnavailable as exc:
        # CI sets LAB_REQUIRE_DOCKER=1: there a missing daemon must fail, not pass as skips.
        if os.environ.get("LAB_REQUIRE_DOCKER") == "1":
            pytest.fail(f"LAB_REQUIRE_DOCKER=1 but no Docker: {exc}")
        pytest.skip(f"no Docker: {exc}")
