"""Leaflet and plugins served by the app itself: local URLs for folium maps, install check, standalone HTML."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import branca.colormap
import folium
from branca.element import Element

from civilkort.settings import PROJECT_ROOT, settings

STATIC_URL = "/app/static"
"""Where Streamlit serves ``static/`` (``[server] enableStaticServing = true``)."""

VENDOR_URL = f"{STATIC_URL}/vendor"
PUBLISHED_URL = f"{STATIC_URL}/kort"
"""Where the app's published data files are served (:func:`publish`)."""
ASSETS_DIR = PROJECT_ROOT / "assets"
NODE_MODULES_DIR = ASSETS_DIR / "node_modules"
LOCK_FILE = ASSETS_DIR / "package-lock.json"
STAMP_NAME = ".installed"
"""Stamp file in ``vendor_dir`` (JSON: lock digest, versions); also the Makefile's target."""

MISSING_MESSAGE = "Kortets filer er ikke installeret. Kør: make setup"
"""Danish message for the app when :func:`missing` is not empty."""

VENDOR_FILES: dict[str, str] = {
    "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "leaflet/images/layers.png": "leaflet/dist/images/layers.png",
    "leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    "leaflet/LICENSE": "leaflet/LICENSE",
    "leaflet.markercluster/leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "leaflet.markercluster/MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "leaflet.markercluster/MarkerCluster.Default.css": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "leaflet.markercluster/MIT-LICENCE.txt": "leaflet.markercluster/MIT-LICENCE.txt",
}
"""Vendor file (relative to ``vendor_dir``) -> its source (relative to ``assets/node_modules``)."""


def vendor_url(relative: str) -> str:
    """The URL the app serves a vendor file at, e.g. ``/app/static/vendor/leaflet/leaflet.js``."""
    return f"{VENDOR_URL}/{relative}"


LEAFLET_JS = vendor_url("leaflet/leaflet.js")
LEAFLET_CSS = vendor_url("leaflet/leaflet.css")
MARKERCLUSTER_JS = vendor_url("leaflet.markercluster/leaflet.markercluster.js")
MARKERCLUSTER_CSS = vendor_url("leaflet.markercluster/MarkerCluster.css")
MARKERCLUSTER_DEFAULT_CSS = vendor_url("leaflet.markercluster/MarkerCluster.Default.css")

# A known CDN URL (any version) -> the local file that replaces it.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/leaflet(@[\w.-]+)?/dist/leaflet(-src)?\.js$"), LEAFLET_JS),
    (re.compile(r"/leaflet(@[\w.-]+)?/dist/leaflet\.css$"), LEAFLET_CSS),
    (
        re.compile(r"/leaflet\.markercluster(@[\w.-]+|/[\d.]+)?/(dist/)?leaflet\.markercluster(-src)?\.js$"),
        MARKERCLUSTER_JS,
    ),
    (
        re.compile(r"/leaflet\.markercluster(@[\w.-]+|/[\d.]+)?/(dist/)?MarkerCluster\.css$"),
        MARKERCLUSTER_CSS,
    ),
    (
        re.compile(r"/leaflet\.markercluster(@[\w.-]+|/[\d.]+)?/(dist/)?MarkerCluster\.Default\.css$"),
        MARKERCLUSTER_DEFAULT_CSS,
    ),
)

# folium's defaults that the product does not use (no awesome-markers icons, no bootstrap, no jQuery).
_DROP = re.compile(
    r"jquery|bootstrap|awesome-markers|awesome_markers|fontawesome|font-awesome|leaflet\.awesome\.rotate",
    re.IGNORECASE,
)


_E = TypeVar("_E", bound=Element)


class NonLocalAssetError(ValueError):
    """A map element asks for a script or stylesheet that is not served by the app."""


class AssetsMissingError(FileNotFoundError):
    """The vendor files are not installed (run ``make setup``)."""


def _is_local(url: str) -> bool:
    return url.startswith((f"{VENDOR_URL}/", f"{PUBLISHED_URL}/"))


def localize_url(url: str, *, element: str = "?") -> str | None:
    """The local URL for a known asset URL, None if the product drops it; raises for anything else."""
    if _is_local(url):
        return url
    for pattern, local in _REWRITES:
        if pattern.search(url):
            return local
    if _DROP.search(url):
        return None
    raise NonLocalAssetError(
        f"{element} henter {url!r}, som ikke er installeret lokalt. "
        "Tilføj pakken i assets/package.json og en regel i civilkort/assets.py, eller undlad elementet."
    )


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def localize(m: _E) -> _E:
    """Point every element's ``default_js``/``default_css`` at ``/app/static/vendor``; drop unused; raise on others.

    ``m``: a map, or any element (e.g. a feature group handed to st_folium separately); checked with its children.
    """
    for element in _walk(m):
        if isinstance(element, branca.colormap.ColorMap):
            raise NonLocalAssetError(
                "branca-farveskalaer (ColorMap) henter d3 fra et CDN i streamlit-folium; "
                "brug kortets egen HTML-signaturforklaring."
            )
        name = type(element).__name__
        for attribute in ("default_js", "default_css"):
            links = getattr(element, attribute, None)
            if not links:
                continue
            local: list[tuple[str, str]] = []
            for link_name, url in links:
                new_url = localize_url(url, element=name)
                if new_url is not None and all(u != new_url for _, u in local):
                    local.append((link_name, new_url))
            # An instance attribute, so folium's shared class-level defaults stay untouched.
            setattr(element, attribute, local)
    return m


def asset_urls(m: Element) -> tuple[list[str], list[str]]:
    """The script and stylesheet URLs that streamlit-folium would load for this map (after :func:`localize`)."""
    js: list[str] = []
    css: list[str] = []
    for element in _walk(m):
        js.extend(url for _, url in getattr(element, "default_js", []) or [])
        css.extend(url for _, url in getattr(element, "default_css", []) or [])
    return list(dict.fromkeys(js)), list(dict.fromkeys(css))


def missing(vendor_dir: Path | None = None) -> list[str]:
    """Vendor files that are absent (relative paths such as ``leaflet/leaflet.js``); empty when installed."""
    root = vendor_dir if vendor_dir is not None else settings().vendor_dir
    return [relative for relative in VENDOR_FILES if not (root / relative).is_file()]


def lock_digest(lock_file: Path = LOCK_FILE) -> str:
    """SHA-256 of ``assets/package-lock.json`` (empty string when the file is absent)."""
    return hashlib.sha256(lock_file.read_bytes()).hexdigest() if lock_file.is_file() else ""


def is_installed(vendor_dir: Path | None = None, lock_file: Path = LOCK_FILE) -> bool:
    """True when every vendor file is present and was copied from the packages the lock file pins."""
    root = vendor_dir if vendor_dir is not None else settings().vendor_dir
    stamp = root / STAMP_NAME
    if missing(root) or not stamp.is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8")).get("lock_sha256")
    except (OSError, ValueError):
        return False
    return recorded == lock_digest(lock_file)


def install_vendor(
    node_modules: Path = NODE_MODULES_DIR, vendor_dir: Path | None = None, lock_file: Path = LOCK_FILE
) -> list[str]:
    """Copy the needed dist files from ``node_modules`` to ``vendor_dir``; return the files that changed."""
    root = vendor_dir if vendor_dir is not None else settings().vendor_dir
    absent = [source for source in VENDOR_FILES.values() if not (node_modules / source).is_file()]
    if absent:
        raise AssetsMissingError(f"Mangler i {node_modules}: {', '.join(absent)} (kør npm ci i assets/)")
    changed: list[str] = []
    for relative, source in VENDOR_FILES.items():
        src = node_modules / source
        dest = root / relative
        if dest.is_file() and dest.read_bytes() == src.read_bytes():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dest)
        changed.append(relative)
    versions = {}
    for package in sorted({source.split("/")[0] for source in VENDOR_FILES.values()}):
        package_json = node_modules / package / "package.json"
        versions[package] = json.loads(package_json.read_text(encoding="utf-8")).get("version")
    stamp = {"lock_sha256": lock_digest(lock_file), "versions": versions, "files": sorted(VENDOR_FILES)}
    (root / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return changed


# --- data files for the browser -----------------------------------------------------------------

PUBLISHED_MAX_AGE_S = 30 * 24 * 3600
"""Published files untouched for this long are removed when another one is written (one in use is written
again when missing: see :func:`publish`)."""


def published_path(url: str, published_dir: Path | None = None) -> Path | None:
    """The file behind a URL from :func:`publish` (None for any other URL)."""
    root = published_dir if published_dir is not None else settings().published_dir
    prefix = PUBLISHED_URL + "/"
    if not url.startswith(prefix) or "/" in url[len(prefix) :] or url[len(prefix) :].startswith("."):
        return None
    return root / url[len(prefix) :]


def publish(data: bytes, stem: str, suffix: str = ".json", published_dir: Path | None = None) -> str | None:
    """Write ``data`` where Streamlit serves it and return its URL (``/app/static/kort/<stem>-<digest><suffix>``).

    The name carries a digest of the content, so the same content always has the same URL (browsers keep it;
    several app processes write the same file) and changed content never hides behind an old name. Written
    atomically. Returns None when the folder cannot be written (the caller then sends the data inline).
    """
    root = published_dir if published_dir is not None else settings().published_dir
    name = f"{stem}-{hashlib.sha256(data).hexdigest()[:20]}{suffix}"
    path = root / name
    try:
        if path.is_file() and path.stat().st_size == len(data):
            return f"{PUBLISHED_URL}/{name}"
        root.mkdir(parents=True, exist_ok=True)
        tmp = root / f".{name}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        return None
    _prune(root, keep=path)
    return f"{PUBLISHED_URL}/{name}"


def _prune(root: Path, keep: Path) -> None:
    cutoff = time.time() - PUBLISHED_MAX_AGE_S
    for old in root.iterdir():
        try:
            if old != keep and old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue  # another process removed it, or it is not ours to remove


# --- standalone HTML ------------------------------------------------------------------------------

_SCRIPT_TAG = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>', re.IGNORECASE)
_LINK_TAG = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL = re.compile(r"url\((?P<quote>['\"]?)(?P<url>[^)'\"]+)(?P=quote)\)")
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif", ".jpg": "image/jpeg"}
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=\S+\s*$", re.MULTILINE)


def _vendor_file(url: str, vendor_dir: Path) -> Path:
    if not _is_local(url):
        raise NonLocalAssetError(f"Ikke en lokal kortfil: {url!r}")
    relative = url[len(VENDOR_URL) + 1 :]
    path = (vendor_dir / relative).resolve()
    if not path.is_relative_to(vendor_dir.resolve()):
        raise NonLocalAssetError(f"Uden for {vendor_dir}: {url!r}")
    if not path.is_file():
        raise AssetsMissingError(f"{MISSING_MESSAGE} (mangler {relative})")
    return path


def _inline_css(path: Path, vendor_dir: Path) -> str:
    css = path.read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        target = match.group("url")
        if target.startswith(("data:", "#")):
            return match.group(0)
        image = (path.parent / target).resolve()
        if not image.is_relative_to(vendor_dir.resolve()) or not image.is_file():
            raise AssetsMissingError(f"{MISSING_MESSAGE} (mangler {target} til {path.name})")
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:{_MIME.get(image.suffix.lower(), 'application/octet-stream')};base64,{encoded})"

    return _CSS_URL.sub(data_uri, css).replace("</", "<\\/")


def assert_local_html(html: str) -> None:
    """Raise :class:`NonLocalAssetError` if a tag or CSS rule in ``html`` would fetch from another host."""
    pattern = re.compile(
        r"""(?:<(?:script|img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*|<link\b[^>]*\bhref\s*=\s*|url\(\s*|@import\s+)"""
        r"""['"]?\s*(?P<url>(?:https?:)?//[^'")\s>]+)""",
        re.IGNORECASE,
    )
    found = sorted({match.group("url") for match in pattern.finditer(html)})
    if found:
        raise NonLocalAssetError(f"Kortet henter fra andre værter: {', '.join(found)}")


def standalone_html(m: folium.Map, *, vendor_dir: Path | None = None) -> str:
    """A self-contained HTML file for the map: Leaflet and plugin files inlined, nothing fetched from a network."""
    root = vendor_dir if vendor_dir is not None else settings().vendor_dir
    localize(m)
    html = m.get_root().render()

    def inline_script(match: re.Match[str]) -> str:
        code = _vendor_file(match.group("url"), root).read_text(encoding="utf-8")
        code = _SOURCE_MAP.sub("", code).replace("</script", "<\\/script")
        return f"<script>\n{code}\n</script>"

    def inline_style(match: re.Match[str]) -> str:
        return f"<style>\n{_inline_css(_vendor_file(match.group('url'), root), root)}\n</style>"

    html = _SCRIPT_TAG.sub(inline_script, html)
    html = _LINK_TAG.sub(inline_style, html)
    assert_local_html(html)
    return html
