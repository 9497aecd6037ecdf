"""Municipality boundaries, read from a path or URL the user gives (never committed).

Accepts DAGI municipality layers (codes like ``101`` or ``0101``, one or many parts
per municipality), DAWA GeoJSON and Eurostat GISCO LAU files (filtered to
``CNTR_CODE == "DK"``), as GeoJSON, GeoPackage, Shapefile or a zip of those.
Everything is reprojected to EPSG:4326, dissolved to one shape per municipality,
and council shapes are derived by dissolving municipalities.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import httpx
import pandas as pd
import shapely
from tqdm import tqdm

from civilkort import reference
from civilkort.issues import Issue, warning

CODE_COLUMNS = ("kommunekode", "komkode", "kode", "lau_id", "municipality_code", "kommune_kode")
NAME_COLUMNS = ("kommunenavn", "navn", "lau_name", "municipality_name", "name")
DISPLAY_TOLERANCE_M = 150.0
"""Simplification for display, in metres: invisible at council zoom; all 98 municipalities ~0.4 MB."""
DISPLAY_GRID_DEG = 1e-5
"""Coordinate precision for display (~1 m)."""
MAX_DOWNLOAD_BYTES = 500 * 1024 * 1024


CREDITS = {
    "dagi": "Indeholder data fra Klimadatastyrelsen, DAGI",
    "gisco": "© EuroGeographics for the administrative boundaries (Eurostat GISCO)",
}


class BoundaryError(Exception):
    """Boundaries that cannot be used; the message is Danish and says what to do."""


@dataclass
class Boundaries:
    """Municipality and council shapes in EPSG:4326, with where they came from."""

    municipalities: gpd.GeoDataFrame  # municipality_code (int), geometry
    source: str
    issues: list[Issue] = field(default_factory=list)
    kind: str = "ukendt"  # "dagi" (DAGI/DAWA), "gisco" (Eurostat LAU) or "ukendt"

    @property
    def credit(self) -> str:
        """The attribution the source asks for, in Danish."""
        return CREDITS.get(self.kind) or f"Kilde: {self.source}"

    def councils(self) -> gpd.GeoDataFrame:
        """Council shapes: municipalities dissolved by council."""
        m = self.municipalities.merge(
            reference.municipalities()[["municipality_code", "council_id"]], on="municipality_code"
        )
        return m.dissolve(by="council_id", as_index=False)[["council_id", "geometry"]]


def is_url(source: str | Path) -> bool:
    """True for http(s) addresses."""
    return urlparse(str(source)).scheme in ("http", "https")


def download(url: str, cache_dir: Path, *, timeout: float = 60.0, progress: bool = False) -> Path:
    """Download ``url`` into ``cache_dir`` (streamed, size-limited), reusing an earlier download."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    suffix = Path(urlparse(url).path).suffix or ".geojson"
    target = cache_dir / f"grænser-{hashlib.sha256(url.encode()).hexdigest()[:16]}{suffix}"
    if target.exists() and target.stat().st_size > 0:
        return target
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code != 200:
                raise BoundaryError(
                    f"Kunne ikke hente kommunegrænser fra {url}: serveren svarede {response.status_code}."
                )
            total = int(response.headers.get("content-length") or 0) or None
            if total and total > MAX_DOWNLOAD_BYTES:
                raise BoundaryError(f"Filen på {url} er for stor ({total / 1e6:.0f} MB).")
            done = 0
            with (
                partial.open("wb") as out,
                tqdm(
                    total=total, unit="B", unit_scale=True, desc="Henter grænser", disable=not progress
                ) as bar,
            ):
                for chunk in response.iter_bytes():
                    done += len(chunk)
                    if done > MAX_DOWNLOAD_BYTES:
                        raise BoundaryError(
                            f"Filen på {url} er for stor (over {MAX_DOWNLOAD_BYTES / 1e6:.0f} MB)."
                        )
                    out.write(chunk)
                    bar.update(len(chunk))
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise BoundaryError(
            f"Kunne ikke hente kommunegrænser fra {url} ({type(exc).__name__}). "
            "Tjek internetforbindelsen, eller hent filen og angiv stien til den."
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return target


def _pick(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    lower = {c.lower(): c for c in columns}
    return next((lower[c] for c in candidates if c in lower), None)


def _read_any(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise BoundaryError(f"Filen med kommunegrænser findes ikke: {path}")
    target = f"zip://{path}" if path.suffix.lower() == ".zip" else path
    try:
        return gpd.read_file(target)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise BoundaryError(
            f"Kunne ikke læse kommunegrænser fra {path.name}: filen er ikke GeoJSON, GeoPackage eller Shapefile "
            f"({type(exc).__name__})."
        ) from exc


def normalise(raw: gpd.GeoDataFrame, source: str) -> Boundaries:
    """Turn a DAGI/DAWA/GISCO layer into one EPSG:4326 shape per known municipality code."""
    columns = [c for c in raw.columns if c != "geometry"]
    kind = "ukendt"
    if "cntr_code" in {c.lower() for c in columns}:
        kind = "gisco"
        cntr = _pick(columns, ("cntr_code",))
        raw = raw[raw[cntr].astype(str).str.upper() == "DK"]
        if raw.empty:
            raise BoundaryError(f"{source}: GISCO-filen indeholder ingen danske kommuner (CNTR_CODE = DK).")
    code_col = _pick(columns, CODE_COLUMNS)
    if kind == "ukendt" and code_col and code_col.lower() in ("kommunekode", "komkode", "kode"):
        kind = "dagi"
    if code_col is None:
        raise BoundaryError(
            f"{source}: fandt ingen kolonne med kommunekode. Forventede en af {', '.join(CODE_COLUMNS)}; "
            f"filen har {', '.join(columns) or 'ingen kolonner'}."
        )
    if raw.crs is None:
        raw = raw.set_crs(4326)
    raw = raw.to_crs(4326)
    codes = pd.to_numeric(raw[code_col].astype(str).str.strip(), errors="coerce")
    gdf = gpd.GeoDataFrame({"municipality_code": codes}, geometry=raw.geometry.values, crs=4326)
    gdf = gdf[gdf["municipality_code"].notna() & gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf["municipality_code"] = gdf["municipality_code"].astype(int)
    known = set(reference.municipalities()["municipality_code"])
    issues: list[Issue] = []
    unknown = sorted(set(gdf["municipality_code"]) - known)
    if unknown:
        # Christiansø (411) lies outside every municipality; other unknown codes are worth a word.
        shown = [c for c in unknown if c != 411]
        if shown:
            issues.append(
                warning(
                    "Grænsefilen har kommunekoder, der ikke er danske kommuner; de springes over",
                    file=source,
                    value=", ".join(map(str, shown[:10])),
                )
            )
        gdf = gdf[gdf["municipality_code"].isin(known)]
    if gdf.empty:
        raise BoundaryError(f"{source}: ingen af kommunekoderne i filen svarer til de 98 danske kommuner.")
    gdf["geometry"] = gdf.geometry.make_valid()
    gdf = gdf.dissolve(by="municipality_code", as_index=False)[["municipality_code", "geometry"]]
    missing = sorted(known - set(gdf["municipality_code"]))
    if missing:
        names = reference.municipalities().set_index("municipality_code").loc[missing, "municipality_name"]
        issues.append(
            warning(
                f"Grænsefilen mangler {len(missing)} kommuner; de vises som punkter",
                file=source,
                value=", ".join(names[:10]),
            )
        )
    return Boundaries(gdf.sort_values("municipality_code").reset_index(drop=True), source, issues, kind)


def load(source: str | Path, *, cache_dir: Path | None = None, progress: bool = False) -> Boundaries:
    """Read boundaries from a file path or an http(s) URL."""
    if is_url(source):
        cache = cache_dir or Path(tempfile.gettempdir()) / "civilkort-cache"
        path = download(str(source), cache, progress=progress)
        label = str(source)
    else:
        path = Path(source).expanduser()
        label = path.name
    return normalise(_read_any(path), label)


def simplify_for_display(gdf: gpd.GeoDataFrame, tolerance_m: float = DISPLAY_TOLERANCE_M) -> gpd.GeoDataFrame:
    """Simplify shapes in metres (EPSG:25832) for display, keeping every shape non-empty."""
    metric = gdf.to_crs(25832)
    simple = metric.geometry.simplify_coverage(tolerance_m)
    ok = simple.notna() & ~simple.is_empty & simple.is_valid
    metric.loc[ok, "geometry"] = simple[ok]
    out = metric.to_crs(4326)
    out["geometry"] = shapely.set_precision(out.geometry.values, DISPLAY_GRID_DEG)
    return out
