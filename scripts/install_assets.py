"""Install the map's Leaflet files: ``npm ci`` in assets/, then copy the dist files to static/vendor/.

Usage: python scripts/install_assets.py [--check] [--force]

Idempotent and quick when already done (compares the package-lock.json digest recorded in the vendor dir).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civilkort import assets  # noqa: E402
from civilkort.settings import settings  # noqa: E402


def _npm_ci() -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm blev ikke fundet. Installer Node.js (18 eller nyere) og kør igen.")
    print(f"Kører npm ci i {assets.ASSETS_DIR} …")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--omit=dev"],
        cwd=assets.ASSETS_DIR,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(
            f"npm ci fejlede (kode {result.returncode}). Tjek netværk/npm-registry og prøv igen."
        )


def _node_modules_current() -> bool:
    """True when node_modules was installed from the current package-lock.json."""
    installed_lock = assets.NODE_MODULES_DIR / ".package-lock.json"
    if not installed_lock.is_file():
        return False
    sources_present = all((assets.NODE_MODULES_DIR / s).is_file() for s in assets.VENDOR_FILES.values())
    return sources_present and installed_lock.stat().st_mtime >= assets.LOCK_FILE.stat().st_mtime


def main(argv: list[str] | None = None) -> int:
    """Install (or with --check only verify) the vendor files; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="installér ikke; afslut med 1 hvis filer mangler"
    )
    parser.add_argument(
        "--force", action="store_true", help="kør npm ci og kopiér igen, selv om alt er på plads"
    )
    args = parser.parse_args(argv)

    vendor_dir = settings().vendor_dir
    if args.check:
        absent = assets.missing(vendor_dir)
        if absent:
            print(f"{assets.MISSING_MESSAGE}\nMangler i {vendor_dir}: {', '.join(absent)}", file=sys.stderr)
            return 1
        print(f"Kortets filer er installeret i {vendor_dir}.")
        return 0

    if not args.force and assets.is_installed(vendor_dir):
        (vendor_dir / assets.STAMP_NAME).touch()  # newer than package.json, so make sees it as done
        print(f"Kortets filer er allerede installeret i {vendor_dir}.")
        return 0
    if args.force or not _node_modules_current():
        _npm_ci()
    changed = assets.install_vendor(assets.NODE_MODULES_DIR, vendor_dir)
    absent = assets.missing(vendor_dir)
    if absent:
        print(f"Mangler stadig: {', '.join(absent)}", file=sys.stderr)
        return 1
    print(f"Kortets filer er installeret i {vendor_dir} ({len(changed)} fil(er) opdateret).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
