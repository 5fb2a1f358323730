"""What the `hallq` command tests share: a migrated SQLite file and the settings to reach it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hall_server.storage import migrations


@pytest.fixture
def migrated_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file at the schema's head, and the HALLQ_ settings a command needs to use it."""
    url = f"sqlite:///{tmp_path / 'hallq.sqlite'}"
    migrations.upgrade(url)
    monkeypatch.setenv("HALLQ_DATABASE_URL", url)
    monkeypatch.setenv("HALLQ_SECRET_KEY", "a-session-key-of-forty-characters-123456")
    monkeypatch.setenv("HALLQ_IDENTITY_SECRET", "an-identity-key-of-forty-characters-1234")
    monkeypatch.setenv("HALLQ_LOG_JSON", "false")
    return url
