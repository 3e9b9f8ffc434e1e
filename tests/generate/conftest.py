# SPDX-License-Identifier: MIT
"""Fixtures of the pipeline's tests against the provider fakes (helpers: pipeline_support)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pipeline_support import Fakes  # noqa: E402


@pytest.fixture(scope="module")
def fake_servers():
    f = Fakes()
    yield f
    f.stop()


@pytest.fixture
def fakes(fake_servers):
    """The four fakes, reset; at the end, nothing a real provider would have refused."""
    fake_servers.reset()
    yield fake_servers
    assert fake_servers.violations() == []
