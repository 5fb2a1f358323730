"""Compiles the translation catalogues into the wheel; everything else is in pyproject.toml.

The compiled .mo files are not kept in git (the app compiles a stale .po at start in a source
checkout), so a wheel compiles them here: an installed copy may be read-only and must ship them.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):  # type: ignore[misc]
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in Path(self.build_lib).glob("**/translations/*/LC_MESSAGES/*.po"):
            with po_path.open("rb") as po_file:
                catalogue = read_po(po_file)
            with po_path.with_suffix(".mo").open("wb") as mo_file:
                write_mo(mo_file, catalogue)


setup(cmdclass={"build_py": BuildWithCatalogues})
