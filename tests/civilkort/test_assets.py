"""Offline Leaflet: local URLs for every map element, install check, standalone HTML."""

from __future__ import annotations

import json
from pathlib import Path

import branca.colormap
import folium
import folium.plugins
import pytest

from civilkort import assets


@pytest.fixture
def vendor_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty static dir that the settings point at (its vendor/ does not exist yet)."""
    static = tmp_path / "static"
    monkeypatch.setenv("CIVILKORT_STATIC_DIR", str(static))
    return static / "vendor"


def _fake_node_modules(root: Path) -> Path:
    """A node_modules tree holding every source file install_vendor copies, with recognisable content."""
    for source in assets.VENDOR_FILES.values():
        path = root / source
        path.parent.mkdir(parents=True, exist_ok=True)
        if source.endswith(".png"):
            path.write_bytes(b"\x89PNG fake " + source.encode())
        elif source.endswith("leaflet.css"):
            path.write_text(".leaflet-control-layers-toggle{background-image:url(images/layers.png)}\n")
        elif source.endswith(".js"):
            path.write_text(
                f"window.FAKE_{path.stem.replace('.', '_')}=1; var s='</script>';\n//# sourceMappingURL=x.map\n"
            )
        else:
            path.write_text(f"/* {source} */\n")
    for package in ("leaflet", "leaflet.markercluster"):
        (root / package / "package.json").write_text(json.dumps({"name": package, "version": "9.9.9"}))
    return root


def test_localize_rewrites_leaflet_and_drops_what_the_product_does_not_use() -> None:
    m = assets.localize(folium.Map(tiles=None))
    assert m.default_js == [("leaflet", assets.LEAFLET_JS)]
    assert m.default_css == [("leaflet_css", assets.LEAFLET_CSS)]
    js, css = assets.asset_urls(m)
    assert js == [assets.LEAFLET_JS] and css == [assets.LEAFLET_CSS]
    # folium's shared class-level defaults are left alone (other maps in the process are unaffected)
    assert any("cdn.jsdelivr.net" in url for _, url in folium.Map.default_js)


def test_localize_maps_a_folium_marker_cluster_to_the_vendored_plugin() -> None:
    m = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(m)
    js, css = assets.asset_urls(assets.localize(m))
    assert assets.MARKERCLUSTER_JS in js
    assert {assets.MARKERCLUSTER_CSS, assets.MARKERCLUSTER_DEFAULT_CSS} <= set(css)
    assert all(url.startswith(assets.VENDOR_URL + "/") for url in js + css)


def test_localize_is_idempotent() -> None:
    m = assets.localize(folium.Map(tiles=None))
    before = assets.asset_urls(m)
    assert assets.asset_urls(assets.localize(m)) == before


def test_unknown_cdn_raises_naming_the_element_and_url() -> None:
    m = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(assets.NonLocalAssetError, match=r"Fullscreen.*https://"):
        assets.localize(m)


def test_branca_colormap_is_refused_because_streamlit_folium_adds_d3_from_a_cdn() -> None:
    m = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["#ffffff", "#000000"], vmin=0, vmax=1).add_to(m)
    with pytest.raises(assets.NonLocalAssetError, match="d3"):
        assets.localize(m)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js", assets.LEAFLET_JS),
        ("https://unpkg.com/leaflet@1.9.4/dist/leaflet.css", assets.LEAFLET_CSS),
        (
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js",
            assets.MARKERCLUSTER_JS,
        ),
        ("https://code.jquery.com/jquery-3.7.1.min.js", None),
        ("https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js", None),
        ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css", None),
        (assets.LEAFLET_JS, assets.LEAFLET_JS),
    ],
)
def test_localize_url(url: str, expected: str | None) -> None:
    assert assets.localize_url(url) == expected


@pytest.mark.parametrize("url", ["https://d3js.org/d3.v4.min.js", "//example.org/x.js", "/other/static/x.js"])
def test_localize_url_refuses_anything_else(url: str) -> None:
    with pytest.raises(assets.NonLocalAssetError):
        assets.localize_url(url)


def test_missing_reports_absent_files(vendor_dir: Path) -> None:
    assert assets.missing() == list(assets.VENDOR_FILES)
    (vendor_dir / "leaflet").mkdir(parents=True)
    (vendor_dir / "leaflet" / "leaflet.js").write_text("x")
    absent = assets.missing()
    assert "leaflet/leaflet.js" not in absent
    assert "leaflet/leaflet.css" in absent and len(absent) == len(assets.VENDOR_FILES) - 1


def test_install_vendor_copies_files_and_is_idempotent(tmp_path: Path, vendor_dir: Path) -> None:
    node_modules = _fake_node_modules(tmp_path / "node_modules")
    lock = tmp_path / "package-lock.json"
    lock.write_text('{"lockfileVersion": 3}')
    changed = assets.install_vendor(node_modules, lock_file=lock)
    assert sorted(changed) == sorted(assets.VENDOR_FILES)
    assert assets.missing() == []
    assert assets.is_installed(lock_file=lock)
    stamp = json.loads((vendor_dir / assets.STAMP_NAME).read_text())
    assert stamp["versions"] == {"leaflet": "9.9.9", "leaflet.markercluster": "9.9.9"}
    assert assets.install_vendor(node_modules, lock_file=lock) == []
    lock.write_text('{"lockfileVersion": 3, "changed": true}')
    assert not assets.is_installed(lock_file=lock)


def test_install_vendor_names_missing_sources(tmp_path: Path, vendor_dir: Path) -> None:
    with pytest.raises(assets.AssetsMissingError, match="leaflet/dist/leaflet.js"):
        assets.install_vendor(tmp_path / "empty_node_modules")


def test_standalone_html_inlines_scripts_styles_and_images(tmp_path: Path, vendor_dir: Path) -> None:
    assets.install_vendor(_fake_node_modules(tmp_path / "node_modules"), lock_file=tmp_path / "none.json")
    m = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(m)
    html = assets.standalone_html(m)
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    assert "window.FAKE_leaflet=1" in html and "window.FAKE_leaflet_markercluster=1" in html
    assert "url(data:image/png;base64," in html
    assert "sourceMappingURL" not in html
    # a "</script>" inside a vendor file must not close the inline script early
    assert html.count("</script>") == html.count("<script")
    assets.assert_local_html(html)


def test_standalone_html_without_installed_files_raises(vendor_dir: Path) -> None:
    with pytest.raises(assets.AssetsMissingError, match="make setup"):
        assets.standalone_html(folium.Map(tiles=None))


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example.org/x.js"></script>',
        '<link rel="stylesheet" href="//cdn.example.org/x.css"/>',
        "<style>.a{background:url('https://example.org/a.png')}</style>",
        '<style>@import "https://example.org/a.css";</style>',
        '<img src="http://example.org/a.png">',
    ],
)
def test_assert_local_html_catches_fetches_from_other_hosts(html: str) -> None:
    with pytest.raises(assets.NonLocalAssetError):
        assets.assert_local_html(html)


def test_assert_local_html_accepts_local_links_and_plain_text() -> None:
    assets.assert_local_html(
        f'<script src="{assets.LEAFLET_JS}"></script><link rel="stylesheet" href="{assets.LEAFLET_CSS}"/>'
        '<script>var credit = "see https://leafletjs.com";</script><style>.x{background:url(data:image/png;base64,AA)}</style>'
    )


def test_installed_vendor_files_match_the_lock_when_present() -> None:
    if assets.missing():
        pytest.skip("Kortets filer er ikke installeret her (make setup)")
    stamp = json.loads((assets.settings().vendor_dir / assets.STAMP_NAME).read_text())
    assert stamp["versions"]["leaflet"].startswith("1.9.")
    lock = json.loads(assets.LOCK_FILE.read_text())
    assert lock["packages"]["node_modules/leaflet"]["version"] == stamp["versions"]["leaflet"]


# --- data files published for the browser ----------------------------------------------------------


def test_published_files_are_named_by_content_and_served_under_app_static(tmp_path: Path) -> None:
    root = tmp_path / "kort"
    url = assets.publish(b'{"a":1}', "punkter-dk", published_dir=root)
    assert url is not None and url.startswith("/app/static/kort/punkter-dk-") and url.endswith(".json")
    path = assets.published_path(url, root)
    assert path is not None and path.read_bytes() == b'{"a":1}'
    assert assets.publish(b'{"a":1}', "punkter-dk", published_dir=root) == url  # same content, same name
    other = assets.publish(b'{"a":2}', "punkter-dk", published_dir=root)
    assert other != url and assets.published_path(other, root).read_bytes() == b'{"a":2}'
    assert sorted(p.name for p in root.iterdir()) == sorted([path.name, Path(other).name])  # no temp files


def test_a_damaged_published_file_is_written_again(tmp_path: Path) -> None:
    root = tmp_path / "kort"
    url = assets.publish(b"0123456789", "x", published_dir=root)
    assets.published_path(url, root).write_bytes(b"01234")  # cut short
    assert assets.publish(b"0123456789", "x", published_dir=root) == url
    assert assets.published_path(url, root).read_bytes() == b"0123456789"


def test_old_published_files_are_removed_when_another_is_written(tmp_path: Path) -> None:
    import os
    import time

    root = tmp_path / "kort"
    old = assets.published_path(assets.publish(b"old", "x", published_dir=root), root)
    recent = assets.published_path(assets.publish(b"recent", "x", published_dir=root), root)
    long_ago = time.time() - assets.PUBLISHED_MAX_AGE_S - 60
    os.utime(old, (long_ago, long_ago))
    assets.publish(b"new", "x", published_dir=root)
    assert not old.exists() and recent.exists()


def test_an_unwritable_folder_gives_no_url(tmp_path: Path) -> None:
    blocker = tmp_path / "kort"
    blocker.write_text("a file where the folder should be")
    assert assets.publish(b"data", "x", published_dir=blocker) is None


@pytest.mark.parametrize(
    "url", ["/app/static/vendor/leaflet/leaflet.js", "/app/static/kort/../x.json", "/app/static/kort/.x", "x"]
)
def test_only_urls_of_published_files_map_to_a_path(tmp_path: Path, url: str) -> None:
    assert assets.published_path(url, tmp_path) is None
