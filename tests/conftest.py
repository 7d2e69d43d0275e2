"""Session fixtures: a tiny randomly initialised model folder and the keyword fake.

The doubles themselves live in tests/fakes.py and tests/processes.py; the names re-exported here
keep working for tests that still import them from ``tests.conftest``.
"""

from __future__ import annotations

import os

# One thread per numerical library in the tests (and in the processes they start, which inherit the
# environment). The tests' arrays are tiny, and on a shared 2-core machine BLAS and OpenMP pools
# spinning against each other made the claim-head fit take 20 s instead of 4.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402 - after the thread settings, which must precede numpy's import

from tests.fakes import KeywordModel, build_tiny_model  # noqa: E402
from tests.processes import ServerProcess, free_port  # noqa: E402

__all__ = ["KeywordModel", "ServerProcess", "build_tiny_model", "free_port"]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture
def keyword_model():
    return KeywordModel()
