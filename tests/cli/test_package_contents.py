"""What the wheel ships: every template, static file and catalogue of the packages, nested
folders too, and the compiled .mo catalogues, which git does not keep (setup.py compiles them).

The wheel holds exactly what setuptools' build_py puts in its build folder; the test runs that
step on a copy of the checkout without any .mo file, as a fresh clone is.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["hall_server", "kiosk", "display", "counter_client", "hardware"]
NOT_SHIPPED = {"babel.cfg"}  # extraction settings, for developers only


def checkout_files() -> list[str]:
    """The files a clone has: tracked ones and new ones not ignored (no compiled catalogues)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *PACKAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [name for name in listed if (ROOT / name).is_file() and not name.endswith(".mo")]


def test_the_compiled_catalogues_are_ignored_by_git() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "kiosk/translations/zh/LC_MESSAGES/messages.mo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ignored.returncode == 0, ignored.stderr


def test_the_build_ships_every_data_file_and_compiled_catalogues(tmp_path: Path) -> None:
    source, built = tmp_path / "source", tmp_path / "built"
    files = checkout_files()
    for name in [*files, "pyproject.toml", "setup.py", "README.md"]:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)

    result = subprocess.run(
        [sys.executable, "setup.py", "--quiet", "build_py", "--build-lib", str(built)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    shipped = {str(path.relative_to(built)) for path in built.rglob("*") if path.is_file()}
    data_files = [name for name in files if Path(name).suffix != ".py"]
    assert any("/static/" in name and name.count("/") >= 4 for name in data_files)  # nested
    missing = [
        name for name in data_files if name not in shipped and Path(name).name not in NOT_SHIPPED
    ]
    assert missing == []
    catalogues = [name for name in files if name.endswith("LC_MESSAGES/messages.po")]
    assert len(catalogues) >= 6
    assert all(name.removesuffix(".po") + ".mo" in shipped for name in catalogues)
    with (built / "hall_server/translations/zh/LC_MESSAGES/messages.mo").open("rb") as mo_file:
        compiled = read_mo(mo_file)
    assert compiled.get("wrong staff number or password", "error").string == "工号或密码错误"
