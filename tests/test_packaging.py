"""`pip install .` (not only an editable install) ships shapes, templates and static files."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_package_data_and_the_catalog_command(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("helsekatalog-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ROOT.glob("shapes/**/*.ttl"):
        assert str(path.relative_to(ROOT)) in names
    for path in [*ROOT.glob("web/templates/**/*.html"), *ROOT.glob("web/static/*")]:
        assert str(path.relative_to(ROOT)) in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "catalog = catalog.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
