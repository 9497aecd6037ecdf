"""The map's browser code has tests of its own (tests/js, Node's test runner), run from the suite here.

Python writes a fixture of shapes and point masks encoded by civilkort.map_payload; the Node tests decode them with
the runtime the browser gets, so the two sides of the wire are held to each other.
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import shapely

from civilkort import map_payload
from tests.conftest import PROJECT_ROOT
from tests.services import program


def _fixture() -> dict:
    square = shapely.Polygon([(8.1, 55.2), (8.3, 55.2), (8.3, 55.4), (8.1, 55.4)])
    holed = shapely.Polygon(
        [(10.0, 56.0), (10.5, 56.0), (10.5, 56.5), (10.0, 56.5)],
        [[(10.1, 56.1), (10.2, 56.1), (10.2, 56.2), (10.1, 56.2)]],
    )
    shapes = []
    for geom in (square, holed, shapely.MultiPolygon([square, holed])):
        polygons = list(getattr(geom, "geoms", [geom]))
        rings = [
            [[[y, x] for x, y in list(ring.coords)[:-1]] for ring in (p.exterior, *p.interiors)]
            for p in polygons
        ]
        shapes.append({"encoded": map_payload._encode_shape(geom), "rings": rings})
    rng = np.random.default_rng(7)
    masks = []
    for n in (1, 8, 9, 1000):
        keep = rng.random(n) < 0.3
        points = map_payload.SharedPoints(table=_encoded_points(n), keep=keep, src="x.json.gz")
        payload, _, _ = map_payload._shared_points_payload(points)
        masks.append({"keep": payload["keep"], "n": payload["n"], "kept": np.flatnonzero(keep).tolist()})
    return {"q": map_payload.SHAPE_SCALE, "shapes": shapes, "masks": masks}


def _encoded_points(n: int) -> pd.DataFrame:
    frame = pd.DataFrame({"_qy": np.arange(n), "lat": np.linspace(55, 57, n), "lon": np.full(n, 10.0)})
    for column in map_payload.ENCODED_COLUMNS:
        if column not in frame:
            frame[column] = 0
    frame.attrs["ck_points"] = True
    return frame


def test_runtime_unit_tests_pass_under_node(tmp_path):
    node = program("node", "Node.js runs the map runtime's own tests")
    fixture = tmp_path / "fixture.json"
    fixture.write_text(json.dumps(_fixture()), encoding="utf-8")
    result = subprocess.run(
        [node, "--test", str(PROJECT_ROOT / "tests" / "js")],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "CK_FIXTURE": str(fixture)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout and "# skipped 0" in result.stdout, result.stdout
