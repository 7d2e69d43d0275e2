"""Session fixtures: a tiny randomly initialised model folder and the keyword fake.

The doubles themselves live in tests/fakes.py and tests/processes.py; the names re-exported here
keep working for tests that still import them from ``tests.conftest``.
"""

from __future__ import annotations

import pytest

from tests.fakes import KeywordModel, build_tiny_model
from tests.processes import ServerProcess, free_port

__all__ = ["KeywordModel", "ServerProcess", "build_tiny_model", "free_port"]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture
def keyword_model():
    return KeywordModel()
