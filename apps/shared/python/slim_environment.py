"""Slim a virtual environment that pip has just filled: remove what a running app never reads.

    python slim_environment.py /opt/venv

Run in a generated image's build stage, after pip and before the environment is copied on. It
removes, inside the environment's site-packages only:

- the test suites numpy, pandas, pyarrow, scipy, scikit-learn, statsmodels and matplotlib ship
  inside themselves (TEST_SUITES): run by pytest, never imported by the package (numpy.testing,
  pandas._testing, scipy._lib._testutils and matplotlib.testing, which are, stay);
- pyarrow's C++ headers and sources (pyarrow/include, pyarrow/src) and Cython sources anywhere
  (*.pyx, *.pxd, *.pxi): for compiling extensions against a package, which a run-time image
  never does;
- source maps of bundled JavaScript and CSS (*.js.map, *.css.map): a browser asks for them only
  with its developer tools open (pydeck ships a 19 MB one);
- the symbols of shared libraries that linking does not use (`strip --strip-unneeded`, as Debian
  does to its own packages): wheels keep them, e.g. 10 MB of pyarrow's libarrow. A library that
  no longer loads once stripped is put back as pip installed it.

It never follows a symbolic link and never removes anything outside site-packages, and prints
what it removed. Exit status 1 when the path is not a virtual environment or `strip` is missing
(a build that skipped it would be larger than the plan says); 2 on wrong usage. Standard library
only: it runs on the base image's Python, before and without the app's packages.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

USAGE = "usage: python slim_environment.py <virtual environment>"

# Folders named `tests` inside these packages are their own test suites (numpy has one per
# subpackage). Only packages whose suites are known never to be imported at run time: the
# generated apps' native runs (test/apps/generatedApps.test.ts) use environments slimmed by this,
# and test/apps/slimEnvironment.test.ts imports every module of the analysis stack once slimmed.
TEST_SUITES = ("numpy", "pandas", "pyarrow", "scipy", "sklearn", "statsmodels", "matplotlib", "mpl_toolkits")
# Build-time-only folders of a package.
BUILD_ONLY_FOLDERS = ("pyarrow/include", "pyarrow/src")
BUILD_ONLY_SUFFIXES = (".pyx", ".pxd", ".pxi")
SOURCE_MAP_SUFFIXES = (".js.map", ".css.map")
ELF_MAGIC = b"\x7fELF"


def site_packages(venv: Path) -> list[Path]:
    if not (venv / "pyvenv.cfg").is_file() or venv.is_symlink():
        raise ValueError(f"{venv} is not a virtual environment (no pyvenv.cfg)")
    found = [p for p in sorted((venv / "lib").glob("python3*/site-packages")) if p.is_dir() and not p.is_symlink()]
    if not found:
        raise ValueError(f"{venv} has no lib/python3.*/site-packages")
    return found


def walk(root: Path):
    """Every entry under root, without following symbolic links (os.walk would follow none, but say so)."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        yield Path(dirpath), dirnames, filenames


def size_of(path: Path) -> int:
    st = path.lstat()
    if stat.S_ISDIR(st.st_mode):
        return sum((Path(d) / f).lstat().st_size for d, _, files in os.walk(path, followlinks=False) for f in files)
    return st.st_size


def removable_folders(sp: Path) -> list[Path]:
    out: list[Path] = []
    for package in TEST_SUITES:
        top = sp / package
        if not top.is_dir() or top.is_symlink():
            continue
        for dirpath, dirnames, _ in walk(top):
            for name in list(dirnames):
                if name == "tests" and not (dirpath / name).is_symlink():
                    out.append(dirpath / name)
                    dirnames.remove(name)
    for rel in BUILD_ONLY_FOLDERS:
        p = sp / rel
        if p.is_dir() and not p.is_symlink():
            out.append(p)
    return out


def removable_files(sp: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, _, filenames in walk(sp):
        for name in filenames:
            if name.endswith(BUILD_ONLY_SUFFIXES) or name.endswith(SOURCE_MAP_SUFFIXES):
                out.append(dirpath / name)
    return out


def shared_libraries(sp: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, _, filenames in walk(sp):
        for name in filenames:
            if not (name.endswith(".so") or ".so." in name):
                continue
            p = dirpath / name
            if p.is_symlink() or not p.is_file():
                continue
            with p.open("rb") as f:
                if f.read(4) == ELF_MAGIC:
                    out.append(p)
    return out


# Loads a library as the app would (its RUNPATH, in place), in a fresh interpreter; exit 0 if it loads.
LOAD_CHECK = "import ctypes, sys; ctypes.CDLL(sys.argv[1])"


def loads(path: Path) -> bool:
    result = subprocess.run([sys.executable, "-S", "-c", LOAD_CHECK, str(path)], capture_output=True)
    return result.returncode == 0


def strip(files: list[Path], strip_bin: str) -> tuple[int, list[str]]:
    """Strips each file in place, keeping it only if it still loads; returns the bytes saved and what was kept as it was.

    strip rewrites a library's layout, and a library patchelf has edited (auditwheel does so to the
    ones it vendors into <package>.libs/, e.g. numpy's OpenBLAS) can come out unloadable ("ELF load
    command address/offset not page-aligned"): such a file is put back as pip installed it.
    """
    saved, kept = 0, []
    for f in files:
        st = f.stat()
        original = f.read_bytes()
        # A read-only file (some wheels install them so) is made writable for strip, then restored.
        os.chmod(f, stat.S_IMODE(st.st_mode) | stat.S_IWUSR)
        try:
            result = subprocess.run([strip_bin, "--strip-unneeded", str(f)], capture_output=True, text=True)
            if result.returncode != 0:
                kept.append(f"{f}: strip failed: {result.stderr.strip() or 'exit ' + str(result.returncode)}")
                f.write_bytes(original)
            elif f.stat().st_size < st.st_size and not loads(f):
                kept.append(f"{f}: does not load once stripped")
                f.write_bytes(original)
            else:
                saved += st.st_size - f.stat().st_size
        finally:
            os.chmod(f, stat.S_IMODE(st.st_mode))
    return saved, kept


def slim(venv: Path, strip_bin: str) -> dict[str, int]:
    removed = {"test suites and build-only folders": 0, "sources and source maps": 0, "symbols (strip)": 0}
    for sp in site_packages(venv):
        for folder in removable_folders(sp):
            removed["test suites and build-only folders"] += size_of(folder)
            shutil.rmtree(folder)
        for f in removable_files(sp):
            removed["sources and source maps"] += f.lstat().st_size
            f.unlink()
        saved, kept = strip(shared_libraries(sp), strip_bin)
        removed["symbols (strip)"] += saved
        for line in kept:
            print(f"slim_environment: kept as installed: {line}", file=sys.stderr)
    return removed


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    strip_bin = shutil.which("strip")
    if strip_bin is None:
        print("slim_environment: strip is missing (Debian: apt-get install binutils)", file=sys.stderr)
        return 1
    try:
        removed = slim(Path(argv[0]), strip_bin)
    except (OSError, ValueError) as exc:
        print(f"slim_environment: {exc}", file=sys.stderr)
        return 1
    total = sum(removed.values())
    parts = ", ".join(f"{what} {n / 1e6:.1f} MB" for what, n in removed.items())
    print(f"slim_environment: {total / 1e6:.1f} MB less ({parts})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
