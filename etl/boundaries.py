"""Municipality boundaries, read from a path or URL the user gives (never committed).

Accepts DAGI municipality layers (codes like ``101`` or ``0101``, one or many parts
per municipality), DAWA GeoJSON, Eurostat GISCO LAU files (filtered to
``CNTR_CODE == "DK"``) and the forks of them people publish, as GeoJSON, TopoJSON,
GeoPackage, Shapefile or a zip of one of those (all read by GDAL).  The municipality
is taken from a code column (``kommunekode``, ``KOMKODE``, ``lau_1``, ``nr`` ...) or,
where there is none, from a name column (``navn``, ``KOMNAVN``, ``label_dk`` ...).
Everything is reprojected to EPSG:4326, invalid shapes are repaired (``make_valid``,
named in a warning), shapes are dissolved to one per municipality, and council
shapes are derived by dissolving municipalities.  A file may cover part of the
country: ``Boundaries.missing_codes`` says which municipalities it lacks.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import httpx
import pandas as pd
import pyogrio
import shapely
from tqdm import tqdm

from civilkort import reference
from civilkort.issues import Issue, warning

log = logging.getLogger(__name__)

CODE_COLUMNS = (
    "kommunekode",
    "komkode",
    "kommune_kode",
    "kommunenr",
    "kommune_nr",
    "kommunenummer",
    "kode",
    "lau_1",
    "lau_id",
    "lau_code",
    "municipality_code",
    "nr",
    "id",
)
"""Columns that may hold the municipality code, most specific first (matched without case); a column is
used only if most of its values are municipality codes."""
NAME_COLUMNS = (
    "kommunenavn",
    "komnavn",
    "kommune_navn",
    "navn",
    "label_dk",
    "lau_name",
    "municipality_name",
    "kommune",
    "name",
    "label",
    "label_en",
)
"""Columns that may hold the municipality's name, used where no column holds codes."""
DAGI_COLUMNS = frozenset({"kommunekode", "komkode", "kode", "lau_1"})
"""Code columns of DAGI and of the DAGI files people republish (credited to Klimadatastyrelsen)."""
ZIP_MEMBERS = (".gpkg", ".shp", ".geojson", ".topojson", ".json")
"""Geodata files looked for inside a zip, in this order."""
CHRISTIANSOE = 411
"""Christiansø: in DAGI files, but in no municipality."""
DENMARK_BBOX = (7.8, 54.5, 15.3, 57.9)
"""Denmark's bounding box (lon, lat, lon, lat); a layer with no shape in it is in the wrong CRS."""
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
    def missing_codes(self) -> set[int]:
        """The municipalities this file has no shape for (empty for a file of the whole country)."""
        return set(reference.municipalities()["municipality_code"]) - set(
            self.municipalities["municipality_code"]
        )

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


def _fix_mojibake(text: object) -> object:
    """'KÃ¸benhavn' (UTF-8 read as Latin-1, common in shapefiles without a .cpg) back to 'København'."""
    if isinstance(text, str) and "Ã" in text:
        try:
            return text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return text
    return text


def _codes_from(values: pd.Series, *, by_name: bool) -> pd.Series:
    """Municipality codes read from a column of codes (``101``, ``0101``, ``101 København``) or names."""
    text = values.map(_fix_mojibake).astype("string").str.strip()
    if by_name:
        return text.map(lambda v: reference.municipality_code(v) if pd.notna(v) else None).astype("Int64")
    digits = text.str.extract(r"^(?:DK)?0*(\d{1,4})(?:\.0)?(?:\s.*)?$", expand=False)
    return pd.to_numeric(digits, errors="coerce").astype("Int64")


def _best_column(
    raw: pd.DataFrame, candidates: tuple[str, ...], *, by_name: bool
) -> tuple[str, pd.Series] | None:
    """The first candidate column most of whose values are Danish municipalities, with its codes."""
    lower = {str(c).lower(): c for c in raw.columns if c != "geometry"}
    accepted = set(reference.municipalities()["municipality_code"]) | {CHRISTIANSOE}
    for name in candidates:
        column = lower.get(name)
        if column is None:
            continue
        codes = _codes_from(raw[column], by_name=by_name)
        if codes.isin(accepted).sum() > 0.5 * max(raw[column].notna().sum(), 1):
            return column, codes
    return None


def _layers(path: Path) -> list[str]:
    """The datasets GDAL should try for ``path``: itself, or the geodata files inside a zip."""
    if path.suffix.lower() != ".zip":
        return [str(path)]
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.startswith("__MACOSX/")]
    except zipfile.BadZipFile as exc:
        raise BoundaryError(f"{path.name} er ikke en gyldig zip-fil.") from exc
    inside = sorted(
        (n for n in names if Path(n).suffix.lower() in ZIP_MEMBERS),
        key=lambda n: ZIP_MEMBERS.index(Path(n).suffix.lower()),
    )
    if not inside:
        raise BoundaryError(
            f"{path.name} indeholder ingen geodata: forventede en Shapefile (.shp med .dbf og .shx), "
            f"en GeoPackage, GeoJSON eller TopoJSON; zip-filen har {', '.join(names[:10]) or 'ingen filer'}."
        )
    return [f"/vsizip/{path}/{n}" for n in inside]


def _read_any(path: Path) -> gpd.GeoDataFrame:
    """The polygon layer with municipality codes or names, from any file GDAL reads (GeoJSON, TopoJSON,
    GeoPackage, Shapefile, or a zip of one of them); a file or zip with several layers gives the first
    layer that holds municipalities."""
    if not path.exists():
        raise BoundaryError(f"Filen med kommunegrænser findes ikke: {path}")
    found: list[str] = []
    first: gpd.GeoDataFrame | None = None
    for dataset in _layers(path):
        try:
            layers = [str(name) for name, _ in pyogrio.list_layers(dataset)]
        except Exception as exc:  # noqa: BLE001 - pyogrio raises several types for unreadable files
            log.debug("GDAL cannot open %s", dataset, exc_info=True)
            if dataset == str(path):
                raise BoundaryError(
                    f"Kunne ikke læse kommunegrænser fra {path.name}: filen er ikke GeoJSON, TopoJSON, "
                    f"GeoPackage, Shapefile eller zip af en af dem ({type(exc).__name__})."
                ) from exc
            continue
        # A GeoPackage with several layers: the municipality layer first (DAGI names it *kommune*).
        layers.sort(key=lambda name: "kommun" not in name.lower())
        for layer in layers:
            try:
                gdf = gpd.read_file(dataset, layer=layer)
            except Exception as exc:  # noqa: BLE001 - as above
                raise BoundaryError(
                    f"Kunne ikke læse laget '{layer}' i {path.name} ({type(exc).__name__}: {exc})."
                ) from exc
            found.append(f"{Path(dataset).name}:{layer}" if len(layers) > 1 else Path(dataset).name)
            if first is None:
                first = gdf
            if _best_column(gdf, CODE_COLUMNS, by_name=False) or _best_column(
                gdf, NAME_COLUMNS, by_name=True
            ):
                gdf.attrs["layer"] = found[-1] if len(layers) > 1 or dataset != str(path) else ""
                return gdf
    if first is None:
        raise BoundaryError(f"Kunne ikke læse kommunegrænser fra {path.name}: ingen lag fundet.")
    if len(found) > 1:
        first.attrs["layers"] = ", ".join(found)
    return first


def _polygonal(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Only the areas of each shape (make_valid can leave lines and points beside them)."""
    values = []
    for geom in geometry.values:
        if geom is None or geom.is_empty:
            values.append(None)
            continue
        parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        values.append(shapely.union_all(parts) if parts else None)
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def _with_crs(raw: gpd.GeoDataFrame, source: str, issues: list[Issue]) -> gpd.GeoDataFrame:
    """The layer in EPSG:4326; a layer without a CRS (TopoJSON, a shapefile without .prj, GeoJSON in metres)
    is read as degrees or as UTM zone 32 metres by its coordinates, and anything else is an error."""
    minx, miny, maxx, maxy = raw.total_bounds
    degrees = -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    if raw.crs is not None and raw.crs.is_geographic and not degrees:
        raw = raw.set_crs(None, allow_override=True)  # GeoJSON is WGS84 by definition, but metres happen
    if raw.crs is None:
        if degrees:
            raw = raw.set_crs(4326)
        elif 1e5 <= minx <= maxx <= 1e6 and 5.9e6 <= miny <= maxy <= 6.5e6:
            raw = raw.set_crs(25832)
            issues.append(
                warning(
                    "Grænsefilen angiver ikke sit koordinatsystem; koordinaterne ligner UTM zone 32 "
                    "(EPSG:25832) i meter og er læst sådan",
                    file=source,
                    hint="Gem filen med koordinatsystem (fx en .prj-fil ved en Shapefile), hvis det er forkert.",
                )
            )
        else:
            raise BoundaryError(
                f"{source}: filen angiver ikke sit koordinatsystem, og koordinaterne "
                f"({minx:.0f}, {miny:.0f} – {maxx:.0f}, {maxy:.0f}) er hverken grader (WGS84) eller UTM "
                "zone 32. Gem filen med koordinatsystem (fx EPSG:4326 eller EPSG:25832)."
            )
    out = raw.to_crs(4326)
    bounds = out.geometry.bounds
    lon0, lat0, lon1, lat1 = DENMARK_BBOX
    inside = (
        (bounds["maxx"] >= lon0)
        & (bounds["minx"] <= lon1)
        & (bounds["maxy"] >= lat0)
        & (bounds["miny"] <= lat1)
    )
    if not inside.any():
        minx, miny, maxx, maxy = out.total_bounds
        raise BoundaryError(
            f"{source}: ingen af fladerne ligger i Danmark (de ligger i længdegrad {minx:.2f}–{maxx:.2f}, "
            f"breddegrad {miny:.2f}–{maxy:.2f}). Tjek filens koordinatsystem ({raw.crs})."
        )
    return out


def _names(codes: list[int]) -> str:
    """'København, Aarhus' for codes, at most ten, then 'og N flere'."""
    named = reference.municipalities().set_index("municipality_code")["municipality_name"]
    shown = [str(named.get(c, c)) for c in codes[:10]]
    return ", ".join(shown) + (f" og {len(codes) - 10} flere" if len(codes) > 10 else "")


def normalise(raw: gpd.GeoDataFrame, source: str) -> Boundaries:
    """Turn a DAGI/DAWA/GISCO (or any) layer into one valid EPSG:4326 shape per municipality in it."""
    columns = [str(c) for c in raw.columns if c != "geometry"]
    lower = {c.lower(): c for c in columns}
    kind = "ukendt"
    issues: list[Issue] = []
    if "cntr_code" in lower:
        kind = "gisco"
        raw = raw[raw[lower["cntr_code"]].astype(str).str.upper() == "DK"]
        if raw.empty:
            raise BoundaryError(f"{source}: GISCO-filen indeholder ingen danske kommuner (CNTR_CODE = DK).")
    picked = _best_column(raw, CODE_COLUMNS, by_name=False)
    by_name = picked is None
    if picked is None:
        picked = _best_column(raw, NAME_COLUMNS, by_name=True)
    if picked is None:
        layers = raw.attrs.get("layers")
        raise BoundaryError(
            f"{source}: fandt ingen kolonne med kommunekode eller kommunenavn. Forventede en af "
            f"{', '.join(CODE_COLUMNS)} (koder som 101 eller 0101) eller en af {', '.join(NAME_COLUMNS)} "
            f"(navne som København); filen har {', '.join(columns) or 'ingen kolonner'}"
            + (f" (lag: {layers})." if layers else ".")
        )
    code_col, codes = picked
    if kind == "ukendt" and code_col.lower() in DAGI_COLUMNS:
        kind = "dagi"
    polygons = raw.geometry.notna() & raw.geometry.geom_type.isin(
        ["Polygon", "MultiPolygon", "GeometryCollection"]
    )
    if not polygons.any():
        kinds = ", ".join(sorted(set(raw.geometry.dropna().geom_type))) or "ingen geometri"
        raise BoundaryError(
            f"{source}: filen har ingen flader (polygoner), kun {kinds}; brug kommunernes flader."
        )
    raw = _with_crs(raw, source, issues)
    gdf = gpd.GeoDataFrame({"municipality_code": codes}, geometry=raw.geometry.values, crs=4326)
    unmatched = raw.loc[codes.isna() & raw[code_col].notna(), code_col].astype(str).unique().tolist()
    if unmatched:
        issues.append(
            warning(
                f"{len(unmatched)} værdier i kolonnen {code_col} er ikke danske kommuner; de springes over",
                file=source,
                column=code_col,
                value=", ".join(unmatched[:10]),
            )
        )
    gdf = gdf[gdf["municipality_code"].notna() & gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf["municipality_code"] = gdf["municipality_code"].astype(int)
    known = set(reference.municipalities()["municipality_code"])
    unknown = sorted(set(gdf["municipality_code"]) - known)
    if unknown:
        # Christiansø (411) lies outside every municipality; other unknown codes are worth a word.
        shown = [c for c in unknown if c != CHRISTIANSOE]
        if shown:
            issues.append(
                warning(
                    "Grænsefilen har kommunekoder, der ikke er danske kommuner; de springes over",
                    file=source,
                    column=code_col,
                    value=", ".join(map(str, shown[:10])),
                )
            )
        gdf = gdf[gdf["municipality_code"].isin(known)]
    if gdf.empty:
        raise BoundaryError(
            f"{source}: ingen af kommunerne i filen ({code_col}) er blandt de 98 danske kommuner."
        )
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].make_valid()
        issues.append(
            warning(
                f"Ugyldige flader for {invalid.sum()} kommunedele er repareret (make_valid)",
                file=source,
                value=_names(sorted(set(gdf.loc[invalid, "municipality_code"]))),
                hint="Tjek grænserne for disse kommuner på kortet.",
            )
        )
    gdf["geometry"] = _polygonal(gdf.geometry)
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        gone = sorted(set(gdf.loc[empty, "municipality_code"]) - set(gdf.loc[~empty, "municipality_code"]))
        gdf = gdf[~empty]
        if gone:
            issues.append(
                warning(
                    f"{len(gone)} kommuner har ingen brugbar flade i grænsefilen og springes over",
                    file=source,
                    value=_names(gone),
                )
            )
    gdf = gdf.dissolve(by="municipality_code", as_index=False)[["municipality_code", "geometry"]]
    if by_name:
        issues.append(
            warning(
                f"Grænsefilen har ingen kommunekoder; kommunerne er fundet ud fra navnene i kolonnen {code_col}",
                file=source,
                column=code_col,
            )
        )
    result = Boundaries(gdf.sort_values("municipality_code").reset_index(drop=True), source, issues, kind)
    missing = sorted(result.missing_codes)
    if missing:
        issues.append(
            warning(
                f"Grænsefilen mangler {len(missing)} kommuner; de vises som punkter, og steder i dem beholder "
                "deres angivne kommune eller postnummerets kommune",
                file=source,
                value=_names(missing),
            )
        )
    return result


def load(source: str | Path, *, cache_dir: Path | None = None, progress: bool = False) -> Boundaries:
    """Read boundaries from a file path or an http(s) URL."""
    if is_url(source):
        cache = cache_dir or Path(tempfile.gettempdir()) / "civilkort-cache"
        path = download(str(source), cache, progress=progress)
        label = str(source)
    else:
        path = Path(source).expanduser()
        label = path.name
    raw = _read_any(path)
    layer = raw.attrs.get("layer")
    return normalise(raw, f"{label} ({layer})" if layer else label)


def simplify_for_display(gdf: gpd.GeoDataFrame, tolerance_m: float = DISPLAY_TOLERANCE_M) -> gpd.GeoDataFrame:
    """Simplify shapes in metres (EPSG:25832) for display, keeping every shape non-empty."""
    metric = gdf.to_crs(25832)
    simple = metric.geometry.simplify_coverage(tolerance_m)
    ok = simple.notna() & ~simple.is_empty & simple.is_valid
    metric.loc[ok, "geometry"] = simple[ok]
    out = metric.to_crs(4326)
    out["geometry"] = shapely.set_precision(out.geometry.values, DISPLAY_GRID_DEG)
    return out
