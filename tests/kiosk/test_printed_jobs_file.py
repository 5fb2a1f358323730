"""The print agent's memory of printed jobs (`--printed-jobs-file`): made where it is asked to
be at start-up, so a place it cannot write stops the agent before it prints, not after."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.print_agent import PrintedJobs


def test_a_missing_folder_is_made_and_the_file_written_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "var" / "lib" / "hallq-kiosk" / "printed-jobs.json"

    PrintedJobs(path).add("job-1")

    assert path.read_text() == '["job-1"]'
    assert "job-1" in PrintedJobs(path)  # a restarted agent remembers it


def test_a_place_that_cannot_be_written_fails_at_start_up(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "printed"
    not_a_folder.write_text("a file where the folder should be")

    with pytest.raises(OSError):
        PrintedJobs(not_a_folder / "printed-jobs.json")
