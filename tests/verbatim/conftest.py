"""An in-process IPython shell, the oracle for IPython's conventions, that writes nothing under ~."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def ipython_shell(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    return InteractiveShell.instance(config=config, ipython_dir=str(tmp_path_factory.mktemp("ipython")))
