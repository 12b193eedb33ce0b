"""`pip install .` (not only an editable install) ships shapes, templates and static files."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "catalog", "harvesters", "web", "shapes", "simulator"]
"""What a source distribution holds: the build reads nothing else."""


def test_the_wheel_carries_package_data_and_the_catalog_command(tmp_path: Path) -> None:
    source = tmp_path / "source"  # setuptools writes build/ and *.egg-info beside the sources it builds
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
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
            str(wheels),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("helsekatalog-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ROOT.glob("shapes/**/*.ttl"):
        assert str(path.relative_to(ROOT)) in names
    for path in [*ROOT.glob("web/templates/**/*.html"), *ROOT.glob("web/static/*")]:
        assert str(path.relative_to(ROOT)) in names
    for path in [*ROOT.glob("web/translations/*/LC_MESSAGES/*.po"), *ROOT.glob("catalog/*.toml")]:
        assert str(path.relative_to(ROOT)) in names  # the UI's languages, topics and access routes
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "catalog = catalog.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    license_file = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE") or n.endswith("/LICENSE"))
    assert "Apache License" in zipfile.ZipFile(wheel).read(license_file).decode()
