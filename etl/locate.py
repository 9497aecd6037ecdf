"""Place records on the map and in a municipality, and say how precisely.

Precision, best first: coordinates given (checked inside Denmark; swapped
latitude/longitude and UTM zone 32 metres detected) -> the postcode's point ->
the municipality's point.  The municipality comes from the polygon the point lies
in when boundaries are loaded; otherwise from the stated municipality or the
postcode.  A stated municipality that disagrees with the polygon is a warning.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from civilkort import danish, reference
from civilkort.issues import Issue, error, warning
from civilkort.schema import Table
from etl.boundaries import Boundaries

LON_MIN, LAT_MIN, LON_MAX, LAT_MAX = 7.8, 54.5, 15.3, 57.9
"""Denmark's bounding box (incl. Bornholm and Skagen), degrees."""
SNAP_DISTANCE_M = 3000.0
"""A point this close to land (generalised coasts) is put in the nearest municipality."""
FAR_FROM_POSTCODES_KM = 20.0
"""Without boundaries, a point farther than this from every postcode's point is taken to lie
outside Denmark (Malmö, Lund, the Baltic); a coarse test: only boundaries catch Flensburg or a
point just off the coast."""

REGION_WIDE_UNIT_TYPES = frozenset({"region", "social_virksomhed"})
"""Unit types that cover their whole region when 'Dækker' is empty (the region's administration, Den Sociale
Virksomhed)."""

PLACED_COLUMNS = [
    "location_precision",
    "municipality_code",
    "municipality_method",
    "council_id",
    "region_id",
    "stated_municipality_code",
]


def in_denmark(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """True where (lat, lon) lies in Denmark's bounding box."""
    return lat.between(LAT_MIN, LAT_MAX) & lon.between(LON_MIN, LON_MAX)


@lru_cache(maxsize=1)
def _utm_to_wgs84() -> Transformer:
    return Transformer.from_crs(25832, 4326, always_xy=True)


def _where(df: pd.DataFrame, table: Table, column: str, value: object = "") -> dict:
    """Location keywords for an Issue about one row."""
    return {
        "file": str(df["_file"]),
        "sheet": str(df["_sheet"]),
        "row": int(df["_row"]),
        "column": table.field(column).header if column in table.field_names else column,
        "value": str(value),
    }


def _fix_coordinates(df: pd.DataFrame, table: Table, issues: list[Issue]) -> pd.DataFrame:
    """Convert UTM32 metres, swap lat/lon given the wrong way round, drop points outside Denmark."""
    lat, lon = df["lat"].astype(float), df["lon"].astype(float)
    given = lat.notna() & lon.notna()
    half = lat.notna() ^ lon.notna()
    for _, row in df[half].iterrows():
        missing = "lon" if pd.isna(row["lon"]) else "lat"
        issues.append(
            warning(
                "Kun den ene koordinat er udfyldt; koordinaterne bruges ikke",
                hint="Udfyld både bredde- og længdegrad, eller ingen af dem.",
                **_where(row, table, missing),
            )
        )
    # UTM zone 32 (EPSG:25832): easting 400-900 km, northing 6000-6450 km, in either column.
    north_in_lat = given & lat.between(6.0e6, 6.45e6) & lon.between(4.0e5, 9.5e5)
    north_in_lon = given & lon.between(6.0e6, 6.45e6) & lat.between(4.0e5, 9.5e5)
    utm = north_in_lat | north_in_lon
    if utm.any():
        easting = np.where(north_in_lat[utm], lon[utm], lat[utm])
        northing = np.where(north_in_lat[utm], lat[utm], lon[utm])
        x, y = _utm_to_wgs84().transform(easting, northing)
        lon.loc[utm], lat.loc[utm] = x, y
        for _, row in df[utm].iterrows():
            issues.append(
                warning(
                    "Koordinaterne er i UTM zone 32 (meter), ikke grader; de er omregnet",
                    hint="Brug gerne WGS84-grader (fx 56,1572 og 10,2107).",
                    **_where(row, table, "lat", f"{row['lat']}, {row['lon']}"),
                )
            )
    inside = given & in_denmark(lat, lon)
    swapped = given & ~inside & in_denmark(lon, lat)
    if swapped.any():
        lat.loc[swapped], lon.loc[swapped] = lon[swapped].to_numpy(), lat[swapped].to_numpy()
        for _, row in df[swapped].iterrows():
            issues.append(
                warning(
                    "Bredde- og længdegrad ser ud til at være byttet om; de er vendt",
                    hint="Breddegrad er ca. 54,5-57,8 i Danmark, længdegrad ca. 8-15.",
                    **_where(row, table, "lat", f"{row['lat']}, {row['lon']}"),
                )
            )
    outside = given & ~inside & ~swapped
    for _, row in df[outside].iterrows():
        issues.append(
            warning(
                "Koordinaterne ligger uden for Danmark og bruges ikke",
                hint="Tjek koordinaterne; stedet placeres ud fra postnummer eller kommune i stedet.",
                **_where(row, table, "lat", f"{row['lat']}, {row['lon']}"),
            )
        )
    lat[outside | half], lon[outside | half] = np.nan, np.nan
    return df.assign(lat=lat, lon=lon)


@lru_cache(maxsize=1)
def _postcode_tree() -> tuple[shapely.STRtree, float]:
    """The postcode points in a local kilometre grid, and the grid's longitude scale."""
    pc = reference.postcode_points()
    kx = 111.2 * np.cos(np.radians(56.0))
    return shapely.STRtree(shapely.points(pc["lon"].to_numpy() * kx, pc["lat"].to_numpy() * 111.2)), kx


def _far_from_postcodes(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """True where a point lies more than FAR_FROM_POSTCODES_KM from every postcode's point."""
    out = pd.Series(False, index=lat.index)
    ok = lat.notna() & lon.notna()
    if ok.any():
        tree, kx = _postcode_tree()
        pts = shapely.points(lon[ok].to_numpy() * kx, lat[ok].to_numpy() * 111.2)
        _, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
        out[ok] = dist > FAR_FROM_POSTCODES_KM
    return out


def _off_land(
    df: pd.DataFrame,
    table: Table,
    boundaries: Boundaries | None,
    issues: list[Issue],
    claimed: pd.Series,
) -> tuple[pd.DataFrame, pd.Series | None, pd.Series]:
    """Drop coordinates that lie in no municipality (with boundaries) or far from Denmark's postcodes
    (without); returns the frame, with boundaries each point's polygon municipality, and which points
    were kept outside every polygon because their ``claimed`` municipality is one the boundaries lack."""
    lat, lon = df["lat"].astype(float), df["lon"].astype(float)
    given = lat.notna() & lon.notna()
    kept = pd.Series(False, index=df.index)
    if not given.any():
        return df, None, kept
    poly = None
    if boundaries is not None:
        lacking = given & claimed.isin(list(boundaries.missing_codes)).fillna(False).astype(bool)
        poly = _polygon_municipality(lat.where(given), lon.where(given), boundaries, snap=~lacking)
        off = given & poly.isna()
        # A partial file: a point outside every shape in a municipality the file lacks stays where it is.
        kept = off & lacking & ~_far_from_postcodes(lat, lon)
        off &= ~kept
        message = (
            "Koordinaterne ligger ikke i nogen dansk kommune (fx i havet eller i udlandet) og bruges ikke"
        )
    else:
        off = given & _far_from_postcodes(lat, lon)
        message = "Koordinaterne ligger langt fra Danmark (fx i Sverige eller i havet) og bruges ikke"
    if not off.any():
        return df, poly, kept
    for _, row in df[off].iterrows():
        issues.append(
            warning(
                message,
                hint="Tjek koordinaterne; stedet placeres ud fra postnummer eller kommune i stedet.",
                **_where(row, table, "lat", f"{row['lat']}, {row['lon']}"),
            )
        )
    lat[off], lon[off] = np.nan, np.nan
    return df.assign(lat=lat, lon=lon), poly, kept


def _polygon_municipality(
    lat: pd.Series, lon: pd.Series, boundaries: Boundaries, *, snap: pd.Series | None = None
) -> pd.Series:
    """Municipality code of the polygon each point lies in (or, where ``snap``, within SNAP_DISTANCE_M of);
    NA if none."""
    out = pd.Series(pd.NA, index=lat.index, dtype="Int64")
    ok = lat.notna() & lon.notna()
    if not ok.any():
        return out
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon[ok], lat[ok]), index=lat.index[ok], crs=4326)
    polys = boundaries.municipalities
    hit = gpd.sjoin(pts, polys, how="left", predicate="within")
    hit = hit[~hit.index.duplicated(keep="first")]
    out.loc[hit.index] = hit["municipality_code"].astype("Int64")
    miss = out.isna() & ok
    if snap is not None:
        miss &= snap
    if miss.any():
        far = pts.loc[miss[miss].index].to_crs(25832)
        near = gpd.sjoin_nearest(far, polys.to_crs(25832), how="left", max_distance=SNAP_DISTANCE_M)
        near = near[~near.index.duplicated(keep="first")]
        out.loc[near.index] = near["municipality_code"].astype("Int64")
    return out


def _nearest_point_municipality(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Municipality with the nearest representative point (crude; used only without boundaries)."""
    m = reference.municipalities()
    out = pd.Series(pd.NA, index=lat.index, dtype="Int64")
    ok = lat.notna() & lon.notna()
    if ok.any():
        coslat = np.cos(np.radians(56.0))
        d = (lat[ok].to_numpy()[:, None] - m["lat"].to_numpy()[None, :]) ** 2 + (
            (lon[ok].to_numpy()[:, None] - m["lon"].to_numpy()[None, :]) * coslat
        ) ** 2
        out.loc[ok] = m["municipality_code"].to_numpy()[d.argmin(axis=1)]
    return out


def _claimed(
    df: pd.DataFrame, stated: pd.Series, pc_municipality: pd.Series, boundaries: Boundaries | None
) -> pd.Series:
    """The municipality a row says it is in: stated, else its postcode's; with a boundary file that lacks
    municipalities, a point with neither is taken to be in the municipality of the nearest municipality
    point."""
    claimed = stated.fillna(pc_municipality)
    if boundaries is not None and boundaries.missing_codes:
        lat, lon = df["lat"].astype(float), df["lon"].astype(float)
        todo = claimed.isna() & lat.notna() & lon.notna()
        if todo.any():
            claimed = claimed.fillna(_nearest_point_municipality(lat.where(todo), lon.where(todo)))
    return claimed


def _kept_warning(codes: pd.Series, table: Table, boundaries: Boundaries | None) -> Issue:
    """One warning for the points kept in municipalities the boundary file lacks: how many, and where."""
    names = reference.municipalities().set_index("municipality_code")["municipality_name"]
    counts = codes.astype(int).map(names).value_counts()
    where = ", ".join(f"{name} ({n})" for name, n in counts.items())
    return warning(
        f"{table.sheet}: {danish.count(len(codes), 'sted', 'steder')} ligger i kommuner, som grænsefilen ikke "
        "har; de beholder deres koordinater og deres angivne kommune eller postnummerets kommune",
        file=boundaries.source if boundaries is not None else "",
        value=where,
        hint="Brug en grænsefil med alle 98 kommuner for at placere dem efter koordinaterne.",
    )


def place(
    df: pd.DataFrame,
    table: Table,
    boundaries: Boundaries | None,
    *,
    parent: pd.DataFrame | None = None,
    parent_key: str | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Give every row final lat/lon, a location precision, a municipality and a council.

    ``parent`` (already placed, indexed by id) supplies the location of rows with none
    of their own, e.g. an offer held at its organisation's address.
    """
    issues: list[Issue] = []
    df = _fix_coordinates(df.copy(), table, issues)
    stated = df["municipality"].astype("Int64")
    lookup = reference.postcode_points().rename(
        columns={"lon": "pc_lon", "lat": "pc_lat", "municipality_code": "pc_municipality"}
    )
    pc = df[["postcode"]].astype("string").merge(lookup, on="postcode", how="left")
    pc.index = df.index
    claimed = _claimed(df, stated, pc["pc_municipality"].astype("Int64"), boundaries)
    df, poly, kept = _off_land(df, table, boundaries, issues, claimed)
    if kept.any():
        issues.append(_kept_warning(claimed[kept], table, boundaries))
    lat, lon = df["lat"].astype(float), df["lon"].astype(float)
    has_coords = lat.notna() & lon.notna()

    has_pc = ~has_coords & pc["pc_lat"].notna()
    lat[has_pc], lon[has_pc] = pc.loc[has_pc, "pc_lat"], pc.loc[has_pc, "pc_lon"]

    mpoints = reference.municipalities().set_index("municipality_code")
    has_mun = ~has_coords & ~has_pc & stated.notna()
    lat[has_mun] = stated[has_mun].map(mpoints["lat"]).astype(float)
    lon[has_mun] = stated[has_mun].map(mpoints["lon"]).astype(float)

    precision = pd.Series("unknown", index=df.index, dtype="string")
    precision[has_coords], precision[has_pc], precision[has_mun] = "coordinates", "postcode", "municipality"

    code = pd.Series(pd.NA, index=df.index, dtype="Int64")
    method = pd.Series(pd.NA, index=df.index, dtype="string")
    if poly is not None and has_coords.any():
        code[poly.notna()], method[poly.notna()] = poly[poly.notna()], "polygon"
        differs = poly.notna() & stated.notna() & (poly != stated)
        names = mpoints["municipality_name"]
        for idx in df.index[differs.fillna(False)]:
            row = df.loc[idx]
            issues.append(
                warning(
                    f"Angivet kommune ({names[stated[idx]]}) passer ikke med koordinaterne, "
                    f"der ligger i {names[poly[idx]]}; koordinaterne bruges",
                    hint="Tjek adresse, koordinater og kommune.",
                    **_where(row, table, "municipality", names[stated[idx]]),
                )
            )
    todo = code.isna() & stated.notna() & (has_coords | has_pc | has_mun)
    code[todo], method[todo] = stated[todo], "stated"
    todo = code.isna() & pc["pc_municipality"].notna() & (has_coords | has_pc)
    code[todo], method[todo] = pc.loc[todo, "pc_municipality"].astype("Int64"), "postcode"
    todo = code.isna() & has_coords
    if todo.any():
        near = _nearest_point_municipality(lat.where(todo), lon.where(todo))
        code[todo], method[todo] = near[todo], "nearest_point"

    if parent is not None and parent_key is not None:
        inherit = code.isna() & df[parent_key].isin(parent.index)
        if inherit.any():
            src = parent.loc[df.loc[inherit, parent_key]]
            lat[inherit], lon[inherit] = src["lat"].to_numpy(), src["lon"].to_numpy()
            precision[inherit] = src["location_precision"].to_numpy()
            code[inherit] = src["municipality_code"].to_numpy()
            method[inherit] = "parent"

    if parent is None:
        for idx in df.index[code.isna()]:
            row = df.loc[idx]
            issues.append(
                error(
                    f"{table.sheet}: '{row.get('name', '')}' kan ikke placeres",
                    hint="Angiv koordinater, et kendt postnummer eller en kommune.",
                    **_where(
                        row, table, "postcode", row.get("postcode") if pd.notna(row.get("postcode")) else ""
                    ),
                )
            )
    m = reference.municipalities().set_index("municipality_code")
    out = df.assign(
        lat=lat,
        lon=lon,
        location_precision=precision,
        municipality_code=code,
        municipality_method=method,
        council_id=code.map(m["council_id"]).astype("string"),
        region_id=code.map(m["region_id"]).astype("string"),
        stated_municipality_code=stated,
    )
    return out, issues


def expand_areas(areas: pd.Series, own: pd.Series) -> list[list[int]]:
    """Municipality codes covered by each area list; an empty list means the row's own municipality.

    'Hele regionen' (``region:egen``) is the region of the row's own municipality (nothing if it has none)."""
    m = reference.municipalities()
    by_council = m.groupby("council_id")["municipality_code"].apply(list).to_dict()
    by_region = m.groupby("region_id")["municipality_code"].apply(list).to_dict()
    region_of = dict(zip(m["municipality_code"], m["region_id"], strict=True))
    everyone = sorted(m["municipality_code"])
    own_region = f"region:{reference.OWN_REGION}"
    cache: dict[tuple, list[int]] = {}
    out: list[list[int]] = []
    for items, mine in zip(areas, own, strict=True):
        key = tuple(items)
        if not key:
            out.append([] if pd.isna(mine) else [int(mine)])
            continue
        if own_region in key:
            key = (*key, "" if pd.isna(mine) else region_of.get(int(mine), ""))
        if key not in cache:
            codes: set[int] = set()
            for item in items:
                kind, _, code = item.partition(":")
                if kind == "municipality":
                    codes.add(int(code))
                elif kind == "council":
                    codes.update(by_council.get(code, []))
                elif item == own_region:
                    codes.update(by_region.get(key[-1], []))
                elif kind == "region":
                    codes.update(by_region.get(code, []))
                elif kind == "national":
                    codes.update(everyone)
            cache[key] = sorted(codes)
        out.append(cache[key])
    return out


def belong(units: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, list[Issue]]:
    """Where placed regional units belong: to the council of their address, or, region-wide, to their region.

    A unit covers the areas in 'Dækker' (``serves``; 'Hele regionen' is the region of its address); with the
    field empty, a unit of a type in REGION_WIDE_UNIT_TYPES covers its whole region and any other unit its own
    municipality. A unit covering more than one health council is *region-wide*: it keeps its address, point and
    municipality (where it is drawn), but has no council (``council_id`` NULL) and belongs to the region it
    covers (``region_id``; its address's when it covers several); ``area_municipality_codes`` lists every
    municipality it covers. Every other unit belongs to the council of its address and covers its own
    municipality. Adds ``is_region_wide`` and ``area_municipality_codes``.
    """
    issues: list[Issue] = []
    own = units["municipality_code"]
    default = [f"region:{reference.OWN_REGION}"]
    given = units["serves"] if "serves" in units else pd.Series([[]] * len(units), index=units.index)
    serves = [
        list(s)
        if isinstance(s, list | tuple | np.ndarray) and len(s)
        else (default if t in REGION_WIDE_UNIT_TYPES else [])
        for s, t in zip(given, units["unit_type"], strict=True)
    ]
    covered = expand_areas(pd.Series(serves, index=units.index, dtype=object), own)
    m = reference.municipalities().set_index("municipality_code")
    council_of, region_of = m["council_id"].to_dict(), m["region_id"].to_dict()
    wide, area_codes = [], []
    region = units["region_id"].astype("object").tolist()
    for i, (idx, codes) in enumerate(zip(units.index, covered, strict=True)):
        councils = {council_of[c] for c in codes}
        is_wide = len(councils) > 1
        wide.append(is_wide)
        mine = own[idx]
        area_codes.append(codes if is_wide else ([] if pd.isna(mine) else [int(mine)]))
        if is_wide:
            regions = {region_of[c] for c in codes}
            if len(regions) == 1:
                region[i] = regions.pop()
        elif councils and not pd.isna(mine) and councils != {council_of[int(mine)]}:
            row = units.loc[idx]
            issues.append(
                warning(
                    f"{table.sheet}: '{row.get('name', '')}' dækker kun ét sundhedsråd, og ikke det, adressen "
                    "ligger i; enheden hører til sundhedsrådet for sin adresse",
                    hint="Skriv 'Hele regionen', en region eller flere sundhedsråd i Dækker, eller ret adressen.",
                    **_where(row, table, "serves", "; ".join(serves[i])),
                )
            )
    is_wide = pd.Series(wide, index=units.index, dtype=bool)
    out = units.assign(
        is_region_wide=is_wide,
        area_municipality_codes=pd.Series(area_codes, index=units.index, dtype=object),
        council_id=units["council_id"].mask(is_wide),
        region_id=pd.Series(region, index=units.index, dtype="string"),
    )
    return out, issues
