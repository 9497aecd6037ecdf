"""The map's data files for browsers: an area's points, shapes and outlines, and the map's runtime script.

Made from a build's in-memory index and written under ``static/kort`` by :func:`civilkort.assets.publish`,
named by their content, so every process (and every replica) that makes them writes the same names.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from typing import Any

from civilkort import assets, map_payload, maps, reference
from civilkort.filters import NATIONAL_AREA, Selection
from civilkort.index import DataIndex


@dataclass(frozen=True)
class Published:
    """A file for the browser: its bytes (kept to write it again if it goes missing) and its URL."""

    data: bytes
    stem: str
    suffix: str
    src: str | None

    def url(self) -> str | None:
        """The URL, after writing the file again if it was removed since (None: cannot be written)."""
        path = assets.published_path(self.src) if self.src else None
        if path is not None and path.is_file():
            return self.src
        return assets.publish(self.data, self.stem, self.suffix)


def published(data: bytes, stem: str, suffix: str = ".json.gz") -> Published:
    """Publish ``data`` (packed first when ``suffix`` ends in .gz) and keep it to write again if removed."""
    # the static route sends files as they are: a .gz is packed here and unpacked by the browser
    if suffix.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    return Published(data, stem, suffix, assets.publish(data, stem, suffix))


def area_files(index: DataIndex, area: str) -> dict[str, Any]:
    """An area's map data that no filter changes, published once per build: points, shapes, outlines."""
    table, rows = index.area_points(area)
    static = index.area_static(Selection(area=area))
    slug = area.replace(":", "-")
    files = {
        "table": table,
        "rows": rows,
        "points": published(map_payload.points_file(table), f"punkter-{slug}"),
        "shapes_src": None,
        "outlines_src": None,
    }
    if static["shapes"] is not None:
        files["shapes_src"] = published(map_payload.shapes_file(static["shapes"]), f"kommuner-{slug}")
    if static["outlines"] is not None and len(static["outlines"]):
        files["outlines_src"] = published(map_payload.outlines_file(static["outlines"]), f"raad-{slug}")
    return files


def runtime() -> Published:
    """The map's runtime script, published."""
    return published(maps.runtime_file(), "civilkort-kort", ".js")


def areas() -> list[str]:
    """Every area a reader can choose: Denmark, the regions, the 17 councils."""
    return [
        NATIONAL_AREA,
        *(f"region:{r}" for r in reference.regions()["region_id"]),
        *(f"council:{c}" for c in reference.councils()["council_id"]),
    ]


def publish_all(index: DataIndex) -> list[str | None]:
    """Publish the runtime and every area's files (what any first map view needs); returns their URLs."""
    urls = [runtime().src]
    for area in areas():
        files = area_files(index, area)
        urls += [files["points"].src] + [files[k].src for k in ("shapes_src", "outlines_src") if files[k]]
    return urls
