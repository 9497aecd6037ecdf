"""How big and how fast is the map? Prints what st_folium would send and build times, on synthetic data.

Usage: python benchmarks/map_payload.py [--points 100000] [--council-points 6000]

Limits checked: one council (~6,000 points) <= 1.5 MB; all of Denmark (100,000 points + 98 municipality
polygons) <= 4 MB. Exit code 1 if a limit is exceeded. Municipality polygons come from
../shared/geo/kommuner.geojson (or $CIVILKORT_TEST_BOUNDARIES) read at run time; without it a synthetic
grid of 98 squares is used (and the figures say so).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civilkort import map_payload, maps, reference  # noqa: E402
from civilkort.settings import PROJECT_ROOT  # noqa: E402

COUNCIL_LIMIT = 1.5 * 1024 * 1024
NATIONAL_LIMIT = 4 * 1024 * 1024
NAIVE_SAMPLE = 5_000
# Words real Danish organisation and offer names reuse a lot; drawn with Zipf-like weights.
_COMMON = [
    "Foreningen",
    "for",
    "i",
    "og",
    "af",
    "til",
    "Dansk",
    "Danske",
    "Frivillig",
    "Frivilligcenter",
    "Klub",
    "Klubben",
    "Center",
    "Netværk",
    "Café",
    "Sammen",
    "Børn",
    "Unge",
    "Ældre",
    "Pårørende",
    "Kræftens",
    "Bekæmpelse",
    "Røde",
    "Kors",
    "Hjerteforeningen",
    "Idrætsforening",
    "Løbeklub",
    "Besøgsvenner",
    "Sorggruppe",
    "Lokalafdeling",
    "Gruppe",
    "Huset",
    "Kirkes",
    "Menighedspleje",
    "Værested",
    "Fællesskab",
    "Selvhjælp",
    "Patientforening",
    "Psykiatri",
    "Demens",
    "Diabetes",
    "Mænds",
    "Mødesteder",
    "Nord",
    "Syd",
    "Øst",
    "Vest",
    "Socialt",
    "Sundhed",
    "Motion",
    "Natteravne",
    "Spejderne",
    "Lions",
    "Rotary",
    "Ungdom",
    "Familie",
    "Kvinder",
    "Mænd",
    "Samråd",
    "Senior",
    "Aktiv",
    "Bydel",
    "Beboerforening",
]
_SYLLABLES = [
    "ka",
    "ber",
    "sel",
    "mo",
    "vin",
    "dra",
    "tor",
    "lu",
    "hen",
    "rik",
    "sø",
    "gaard",
    "holm",
    "bæk",
    "ny",
    "strup",
    "al",
    "ve",
    "ri",
    "os",
    "ma",
    "lin",
    "ger",
    "ud",
]  # noqa: SIM905


def _boundaries() -> tuple[gpd.GeoDataFrame, str]:
    env = os.environ.get("CIVILKORT_TEST_BOUNDARIES")
    for candidate in (env, PROJECT_ROOT.parent / "shared" / "geo" / "kommuner.geojson"):
        if candidate and Path(candidate).is_file():
            g = gpd.read_file(candidate)
            code = next(c for c in ("kommunekode", "municipality_code", "lau_id") if c in g.columns)
            g["municipality_code"] = g[code].astype(int)
            return g[["municipality_code", "geometry"]].to_crs(4326), str(candidate)
    refs = reference.municipalities()
    cells = [
        shapely.box(lon - 0.08, lat - 0.05, lon + 0.08, lat + 0.05)
        for lon, lat in zip(refs["lon"], refs["lat"])
    ]
    return gpd.GeoDataFrame(
        {"municipality_code": refs["municipality_code"]}, geometry=cells, crs=4326
    ), "syntetisk"


def _areas(
    codes: list[int] | None, rng: np.random.Generator
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str]:
    shapes, source = _boundaries()
    refs = reference.municipalities().merge(reference.councils(), on="council_id")
    g = shapes.merge(
        refs[["municipality_code", "municipality_name", "council_id", "council_name"]], on="municipality_code"
    )
    if codes is not None:
        g = g[g["municipality_code"].isin(codes)]
    g = g.reset_index(drop=True)
    value = rng.gamma(2.0, 2.0, len(g)).round(1)
    value[rng.random(len(g)) < 0.08] = np.nan
    g["value"] = value
    g["value_label"] = [
        f"{v:.1f} tilbud pr. 10.000".replace(".", ",") if v == v else "ikke kortlagt" for v in value
    ]
    outlines = g.dissolve(by="council_id", as_index=False)[["council_id", "council_name", "geometry"]]
    return g[list(map_payload.AREA_COLUMNS)], outlines, source


def _names(n: int, rng: np.random.Generator) -> list[str]:
    """Synthetic names: common words, place names and a long tail of mostly one-off words."""
    weights = 1.0 / np.arange(1, len(_COMMON) + 1) ** 1.05
    common = rng.choice(_COMMON, (n, 3), p=weights / weights.sum())
    places = rng.choice(reference.postcodes()["postcode_name"].to_numpy(), n)
    one_off = ["".join(rng.choice(_SYLLABLES, rng.integers(3, 5))).capitalize() for _ in range(n)]
    shape = rng.integers(0, 5, n)
    names = []
    for i in range(n):
        a, b, c = common[i]
        names.append(
            (
                f"{a} {b} {places[i]}",
                f"{one_off[i]} {a} {b}",
                f"{a} {one_off[i]} {places[i]}",
                f"{a} {b} {c} – afd. {places[i]}",
                f"{one_off[i]}s {a}",
            )[shape[i]]
        )
    return names


def _points(n: int, bounds: tuple[float, float, float, float], rng: np.random.Generator) -> pd.DataFrame:
    west, south, east, north = bounds
    kinds = rng.choice(["organisation", "offer"], n, p=[0.4, 0.6])
    return pd.DataFrame(
        {
            "point_id": [
                f"org:ORG-{i}" if k == "organisation" else f"offer:T-{i}" for i, k in enumerate(kinds)
            ],
            "kind": kinds,
            "name": _names(n, rng),
            "lat": rng.uniform(south, north, n),
            "lon": rng.uniform(west, east, n),
            "location_precision": rng.choice(
                ["coordinates", "postcode", "municipality"], n, p=[0.6, 0.3, 0.1]
            ),
        }
    )


def _units(n: int, points: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    types = list(map_payload.UNIT_TYPES)
    pick = rng.choice(len(points), n, replace=False)
    kind = rng.choice(types, n)
    return pd.DataFrame(
        {
            "unit_id": [f"U-{i}" for i in range(n)],
            "name": [f"Enhed {i}" for i in range(n)],
            "unit_type": kind,
            "unit_type_label": [map_payload.UNIT_TYPES[k][0] for k in kind],
            "lat": points["lat"].to_numpy()[pick],
            "lon": points["lon"].to_numpy()[pick],
            "location_precision": "coordinates",
            "n_collaborations": rng.integers(0, 20, n),
        }
    )


def _links(n: int, units: pd.DataFrame, points: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    u = rng.integers(0, len(units), n)
    o = rng.integers(0, len(points), n)
    return pd.DataFrame(
        {
            "collaboration_id": [f"S-{i}" for i in range(n)],
            "title": [f"Samarbejde om patientstøtte {i}" for i in range(n)],
            "unit_lat": units["lat"].to_numpy()[u],
            "unit_lon": units["lon"].to_numpy()[u],
            "org_lat": points["lat"].to_numpy()[o],
            "org_lon": points["lon"].to_numpy()[o],
            "kind": rng.choice(["Formelt", "Uformelt"], n),
        }
    )


def st_folium_payload(m: folium.Map) -> dict[str, int]:
    """Bytes of the strings st_folium sends to its frontend (script, header, html), as st_folium builds them."""
    from streamlit_folium import _get_header, _get_html, _get_map_string  # imports streamlit; only here

    m.get_root().render()
    html = _get_html(m)
    header = _get_header(m)
    script = _get_map_string(m)
    sizes = {k: len(v.encode("utf-8")) for k, v in (("script", script), ("header", header), ("html", html))}
    sizes["total"] = sum(sizes.values())
    return sizes


def _scenario(label: str, build_kwargs: dict, limit: float) -> dict:
    t0 = time.perf_counter()
    m = maps.build_map(**build_kwargs)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    full = m.get_root().render()
    render_s = time.perf_counter() - t1
    sizes = st_folium_payload(maps.build_map(**build_kwargs))
    n_points = len(build_kwargs.get("points") if build_kwargs.get("points") is not None else [])
    return {
        "scenario": label,
        "points": n_points,
        "municipalities": len(build_kwargs["areas"]) if build_kwargs.get("areas") is not None else 0,
        "build_s": round(build_s, 3),
        "render_s": round(render_s, 3),
        "st_folium_bytes": sizes,
        "rendered_html_bytes": len(full.encode("utf-8")),
        "bytes_per_point": round((sizes["total"] / n_points), 1) if n_points else None,
        "limit_bytes": int(limit),
        "ok": sizes["total"] <= limit,
    }


def _naive(points: pd.DataFrame, scale_to: int) -> dict:
    """One folium.CircleMarker + Tooltip per point (the usual folium way), timed on a sample and extrapolated."""
    sample = points.head(NAIVE_SAMPLE)
    t0 = time.perf_counter()
    m = folium.Map(tiles=None)
    for row in sample.itertuples():
        folium.CircleMarker([row.lat, row.lon], radius=5, tooltip=folium.Tooltip(row.name)).add_to(m)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    html = m.get_root().render()
    render_s = time.perf_counter() - t1
    factor = scale_to / len(sample)
    return {
        "sample_points": len(sample),
        "sample_build_s": round(build_s, 3),
        "sample_render_s": round(render_s, 3),
        "sample_bytes": len(html.encode("utf-8")),
        "extrapolated_points": scale_to,
        "extrapolated_build_and_render_s": round((build_s + render_s) * factor, 1),
        "extrapolated_bytes": int(len(html.encode("utf-8")) * factor),
    }


def _mb(n: float) -> str:
    return f"{n / 1024 / 1024:.2f} MB"


def main(argv: list[str] | None = None) -> int:
    """Run both scenarios and the naive comparison; print a report; return 1 if a limit is exceeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000, help="points for all of Denmark")
    parser.add_argument("--council-points", type=int, default=6_000, help="points for one council")
    parser.add_argument("--council", default="fyn", help="council_id for the one-council scenario")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(7)

    refs = reference.municipalities()
    council_codes = refs.loc[refs["council_id"] == args.council, "municipality_code"].tolist()
    areas_c, outlines_c, source = _areas(council_codes, rng)
    west, south, east, north = areas_c.total_bounds
    pts_c = _points(args.council_points, (west, south, east, north), rng)
    units_c = _units(40, pts_c, rng)
    council = _scenario(
        f"Ét sundhedsråd ({args.council}, {len(areas_c)} kommuner)",
        {
            "areas": areas_c,
            "council_outlines": outlines_c,
            "points": pts_c,
            "units": units_c,
            "links": _links(150, units_c, pts_c, rng),
            "measure_label": "Tilbud pr. 10.000 indbyggere",
        },
        COUNCIL_LIMIT,
    )

    areas_dk, outlines_dk, _ = _areas(None, rng)
    pts_dk = _points(args.points, (8.1, 54.6, 12.7, 57.7), rng)
    units_dk = _units(300, pts_dk, rng)
    national = _scenario(
        "Hele Danmark",
        {
            "areas": areas_dk,
            "council_outlines": outlines_dk,
            "points": pts_dk,
            "units": units_dk,
            "links": _links(1_000, units_dk, pts_dk, rng),
            "measure_label": "Tilbud pr. 10.000 indbyggere",
        },
        NATIONAL_LIMIT,
    )
    polygons_only = st_folium_payload(maps.build_map(areas=areas_dk, council_outlines=outlines_dk))
    naive = _naive(pts_dk, args.points)
    ours_s = national["build_s"] + national["render_s"]
    name_len = float(pts_dk["name"].str.len().mean())
    raw_names = sum(len(x.encode("utf-8")) + 3 for x in pts_dk["name"])
    coded, words = map_payload._encode_names(pts_dk["name"].tolist())
    coded_names = sum(len(x.encode("utf-8")) + 3 for x in coded) + sum(
        len(w.encode("utf-8")) + 3 for w in words
    )

    print(f"Kommunegrænser: {source}; gennemsnitlig navnelængde {name_len:.1f} tegn (syntetiske navne)\n")
    for r in (council, national):
        s = r["st_folium_bytes"]
        print(f"{r['scenario']}: {r['points']:,} punkter, {r['municipalities']} kommuner")
        print(
            f"  st_folium sender {_mb(s['total'])} (script {_mb(s['script'])}, header {s['header']:,} B, html {s['html']:,} B)"
            f" = {r['bytes_per_point']} B/punkt; grænse {_mb(r['limit_bytes'])}: {'OK' if r['ok'] else 'OVER'}"
        )
        print(
            f"  build_map {r['build_s']:.3f} s, render {r['render_s']:.3f} s, hele HTML {_mb(r['rendered_html_bytes'])}"
        )
    print(
        f"\nNavne (hele Danmark): {_mb(raw_names)} rå -> {_mb(coded_names)} med ordtabel ({len(words):,} ord); "
        f"uden ordtabel ville kortet fylde ca. {_mb(national['st_folium_bytes']['total'] - coded_names + raw_names)}"
    )
    print(f"\n98 kommunepolygoner + 17 rådsgrænser alene (forenklet): {polygons_only['total'] / 1024:.0f} KB")
    print(
        f"\nNaivt kort (én folium.CircleMarker + Tooltip pr. punkt): målt på {naive['sample_points']:,} punkter "
        f"({naive['sample_build_s']:.2f} s build + {naive['sample_render_s']:.2f} s render, {_mb(naive['sample_bytes'])}),"
        f"\n  fremskrevet lineært til {naive['extrapolated_points']:,} punkter: "
        f"{naive['extrapolated_build_and_render_s']:.1f} s og {_mb(naive['extrapolated_bytes'])}"
        f"\n  mod dette kort: {ours_s:.2f} s og {_mb(national['st_folium_bytes']['total'])} -> "
        f"{naive['extrapolated_build_and_render_s'] / ours_s:.0f}x hurtigere, "
        f"{naive['extrapolated_bytes'] / national['st_folium_bytes']['total']:.0f}x mindre"
    )
    out = PROJECT_ROOT / "bench-output"
    out.mkdir(exist_ok=True)
    report = {"boundaries": source, "council": council, "national": national, "naive": naive}
    (out / "map_payload.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return 0 if council["ok"] and national["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
