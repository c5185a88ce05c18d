"""A TestClient over the sample store, one per session (the app is read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from marsad.web.app import create_app


@pytest.fixture(scope="session")
def client(sample_db: Path) -> Iterator[TestClient]:
    """The reader over the sample store, without a token."""
    with TestClient(create_app(sample_db)) as c:
        yield c
