// Unit tests of the map's browser runtime (civilkort/web/map_runtime.js), run with `node --test`.
// The runtime is loaded as the browser loads it (one script defining window.ckLib) into a VM context with the
// few globals its pure helpers touch. CK_FIXTURE, when set, names a JSON file that the Python side wrote
// (tests/civilkort/test_web_js.py) with shapes and bitmasks encoded by civilkort.map_payload: decoding them here must
// give back what Python encoded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const RUNTIME = fileURLToPath(new URL("../../civilkort/web/map_runtime.js", import.meta.url));
const INSET = fileURLToPath(new URL("../../civilkort/web/map_inset.js", import.meta.url));

function load() {
  const context = { atob, console };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(RUNTIME, "utf8"), context, { filename: RUNTIME });
  vm.runInContext(readFileSync(INSET, "utf8"), context, { filename: INSET });  // sent with it (maps.py)
  return context.ckLib;
}

const ck = load();
// Arrays made inside the VM context have that context's prototypes: compare them as plain data.
const plain = (value) => JSON.parse(JSON.stringify(value));

test("esc escapes every character that could open markup or an attribute", () => {
  assert.equal(ck.esc('<img src=x onerror="a(\'b\')">`&'),
    "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&#96;&amp;");
  assert.equal(ck.esc(null), "");
  assert.equal(ck.esc(undefined), "");
  assert.equal(ck.esc(0), "0");
});

test("tip escapes the title and each line, skips empty lines, and tags the object", () => {
  const html = ck.tip("<b>Røde Kors</b>", ["Tilbud: <script>x</script>", "", null], "org:7");
  assert.ok(!html.includes("<b>") && !html.includes("<script>"));
  assert.ok(html.includes("&lt;b&gt;Røde Kors&lt;/b&gt;"));
  assert.equal((html.match(/<div>/g) || []).length, 1);
  assert.ok(html.includes("[ck:org:7]"));
  assert.ok(!ck.tip("t", []).includes("ck-tag"));
});

test("num writes whole numbers the Danish way", () => {
  assert.equal(ck.num(0), "0");
  assert.equal(ck.num(999), "999");
  assert.equal(ck.num(1000), "1.000");
  assert.equal(ck.num(128965.4), "128.965");
  assert.equal(ck.num(1234567), "1.234.567");
});

test("shape undoes the delta encoding into [lat, lon] rings", () => {
  // one polygon, one ring: (10,20) (12,20) (12,25) as x,y with q = 10
  assert.deepEqual(plain(ck.shape([[[10, 20, 2, 0, 0, 5]]], 10)), [[[[2, 1], [2, 1.2], [2.5, 1.2]]]]);
  assert.deepEqual(plain(ck.shape([], 10)), []);
});

test("kept reads one bit per point, least significant bit first", () => {
  // bytes 0b00000101, 0b00000010 -> points 0, 2 and 9
  assert.deepEqual(plain(ck.kept(Buffer.from([5, 2]).toString("base64"), 10)), [0, 2, 9]);
  assert.deepEqual(plain(ck.kept(Buffer.from([255]).toString("base64"), 3)), [0, 1, 2]);
  assert.deepEqual(plain(ck.kept("", 0)), []);
});

test("what Python encodes, the runtime decodes", { skip: !process.env.CK_FIXTURE && "no CK_FIXTURE" }, () => {
  const fixture = JSON.parse(readFileSync(process.env.CK_FIXTURE, "utf8"));
  for (const item of fixture.shapes) {
    const got = ck.shape(item.encoded, fixture.q);
    assert.equal(got.length, item.rings.length);
    got.forEach((polygon, p) => polygon.forEach((ring, r) => {
      const want = item.rings[p][r];
      assert.equal(ring.length, want.length);
      ring.forEach(([lat, lon], i) => {
        assert.ok(Math.abs(lat - want[i][0]) <= 1 / fixture.q && Math.abs(lon - want[i][1]) <= 1 / fixture.q,
          `ring ${p}/${r} point ${i}: ${[lat, lon]} vs ${want[i]}`);
      });
    }));
  }
  for (const mask of fixture.masks) {
    assert.deepEqual(plain(ck.kept(mask.keep, mask.n)), mask.kept);
  }
});

// --- names and the keyboard (issue #18) -----------------------------------------------------------------
// A few Leaflet and DOM stand-ins, enough for the builders to run outside a browser: they record the options
// markers are made with and the attributes set on the elements the icons make.
function fakeElement(tag) {
  return {
    tagName: tag.toUpperCase(), attributes: {}, children: [], style: {}, className: "", textContent: "",
    setAttribute(name, value) { this.attributes[name] = String(value); },
    getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; },
    appendChild(child) { this.children.push(child); return child; },
  };
}

function withLeaflet() {
  const made = { markers: [], body: [] };
  class DivIcon {
    constructor(options) { this.options = options; }
    createIcon() {
      const div = fakeElement("div");
      div.className = this.options.className;
      if (this.options.html) { div.appendChild(this.options.html); }
      return div;
    }
    static extend(props) { class Named extends this {} Object.assign(Named.prototype, props); return Named; }
  }
  const L = {
    extend: (target, ...sources) => Object.assign(target, ...sources),
    point: (x, y) => ({ x, y }),
    DivIcon,
    DomUtil: { addClass() {}, removeClass() {} },
    featureGroup: () => ({ layers: [], addLayer(layer) { this.layers.push(layer); return this; } }),
    marker(latlng, options) {
      const marker = { latlng, options, handlers: {}, bindTooltip() { return this; },
                       on(type, fn) { this.handlers[type] = fn; return this; } };
      made.markers.push(marker);
      return marker;
    },
  };
  const elements = {};
  const documentElement = fakeElement("html");
  documentElement.lang = "en";
  const document = {
    documentElement, title: "streamlit-folium",
    createElement: (tag) => fakeElement(tag),
    getElementById: (id) => (id === "ck-hatch" ? {} : elements[id] || null),
    body: { appendChild(el) { made.body.push(el); if (el.id) { elements[el.id] = el; } return el; } },
  };
  const context = { atob, console, L, document };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(RUNTIME, "utf8"), context, { filename: RUNTIME });
  vm.runInContext(readFileSync(INSET, "utf8"), context, { filename: INSET });
  const map = {
    panes: {}, handlers: {}, container: fakeElement("div"),
    getPane(name) { return this.panes[name]; },
    createPane(name) { return (this.panes[name] = { style: {} }); },
    getZoom: () => 7,
    getContainer() { return this.container; },
    on(type, fn) { this.handlers[type] = fn; return this; },
  };
  return { ck: context.ckLib, context, made, map };
}

test("phrase joins the parts that are there; the names say what a marker or shape is", () => {
  assert.equal(ck.phrase(["Røde Kors", "", null, undefined, "Tilbud"]), "Røde Kors, Tilbud");
  assert.equal(ck.phrase([]), "");
  assert.equal(ck.clusterName(1234), "1.234 organisationer og tilbud");
  assert.equal(ck.areaName("Aarhus", "12 tilbud"), "Aarhus: 12 tilbud");
  // [lat, lon, type, approx, size, name, label, n]
  assert.equal(ck.unitName([56, 10, 0, 1, 20, "Aarhus Universitetshospital", "Hospital", 1]),
    "Hospital: Aarhus Universitetshospital, 1 samarbejde");
  assert.equal(ck.unitName([56, 10, 0, 0, 20, "<b>Psykiatrien</b>", "Psykiatri", 3]),
    "Psykiatri: <b>Psykiatrien</b>, 3 samarbejder");
});

test("named makes an element a picture with a name, given as an attribute value", () => {
  const el = fakeElement("path");
  assert.equal(ck.named(el, '<img src=x onerror="alert(1)">'), el);
  assert.deepEqual(plain(el.attributes), { role: "img", "aria-label": '<img src=x onerror="alert(1)">' });
  assert.equal(ck.named(fakeElement("div"), null).getAttribute("aria-label"), "");
});

test("markers are no Tab stops: made with keyboard false", () => {
  const icon = {};
  const options = ck.markerOptions(icon, { zIndexOffset: 1000 });
  assert.equal(options.keyboard, false);
  assert.equal(options.icon, icon);
  assert.equal(options.zIndexOffset, 1000);
  assert.equal(ck.markerOptions(icon).keyboard, false);
});

test("regional units are named by type, name and collaborations, and are no Tab stops", () => {
  const { ck: lib, made, map } = withLeaflet();
  const d = {
    types: [{ key: "hospital", color: "#c62828", letter: "H" }, { key: "kommune", color: "#1565c0", letter: "K" }],
    approx: "Omtrentlig placering",
    rows: [[56.1, 10.2, 0, 0, 20, "Aarhus Universitetshospital", "Hospital", 4],
           [56.2, 10.1, 1, 1, 18, "\"'><script>alert(1)</script>", "Kommune", 1],
           [null, null, 0, 0, 16, "uden sted", "Hospital", 0]],
  };
  const group = lib.units(map, d);
  assert.equal(group.layers.length, 2);
  assert.equal(made.markers.length, 2);
  for (const m of made.markers) {
    assert.equal(m.options.keyboard, false);
    assert.equal(m.options.riseOnHover, true);
  }
  const icons = made.markers.map((m) => m.options.icon.createIcon());
  assert.deepEqual(icons.map((el) => el.getAttribute("role")), ["img", "img"]);
  assert.deepEqual(icons.map((el) => el.getAttribute("aria-label")), [
    "Hospital: Aarhus Universitetshospital, 4 samarbejder",
    "Kommune: \"'><script>alert(1)</script>, 1 samarbejde, Omtrentlig placering",
  ]);
  assert.equal(icons[0].children[0].children[0].textContent, "H");  // the letter is still drawn
});

test("workshop pins are named by title, kind and mark, and are no Tab stops", () => {
  const { ck: lib, made, map } = withLeaflet();
  lib.workshop(map, { approx: "Omtrentlig placering", rows: [[56, 10, 1, "Ny forening", "Organisation", "Fra workshop", 0]] });
  const [pin] = made.markers;
  assert.equal(pin.options.keyboard, false);
  assert.equal(pin.options.zIndexOffset, 1000);
  const el = pin.options.icon.createIcon();
  assert.equal(el.getAttribute("role"), "img");
  assert.equal(el.getAttribute("aria-label"), "Ny forening, Organisation, Fra workshop, Omtrentlig placering");
});

test("reviewed workshop pins (the wall) get their own class; others do not", () => {
  const { ck: lib, made, map } = withLeaflet();
  lib.workshop(map, { approx: "Omtrentlig", rows: [[56, 10, 0, "Godkendt", "Organisation", "Fra workshop · godkendt", 0, 1],
                                                   [56, 10, 0, "Ny", "Tilbud", "Fra workshop · ikke verificeret", 0, 0],
                                                   [56, 10, 0, "Kortsiden", "Tilbud", "Fra workshop", 0]] });
  const classes = made.markers.map((m) => m.options.icon.createIcon().className);
  assert.deepEqual(classes.map((c) => c.includes("ck-ws-ok")), [true, false, false]);
  assert.ok(classes.every((c) => c.includes("ck-ws")));
});

test("housing areas are named by name, category and count, marked '!' when none is near, and no Tab stops", () => {
  const { ck: lib, made, map } = withLeaflet();
  lib.housing(map, { approx: "Omtrentlig placering", rows: [
    [56.1, 10.1, 0, "Solsikkeparken", "Udsat boligområde · Aarhus", "3 tilbud inden for 2 km i luftlinje", 0],
    [56.2, 10.2, 1, "<img src=x onerror=alert(1)>", "Parallelsamfund · Aarhus", "0 tilbud inden for 2 km i luftlinje", 1],
  ] });
  assert.equal(made.markers.length, 2);
  const icons = made.markers.map((m) => m.options.icon.createIcon());
  assert.deepEqual(made.markers.map((m) => m.options.keyboard), [false, false]);
  assert.deepEqual(icons.map((el) => el.getAttribute("aria-label")), [
    "Solsikkeparken, Udsat boligområde · Aarhus, 3 tilbud inden for 2 km i luftlinje",
    "<img src=x onerror=alert(1)>, Parallelsamfund · Aarhus, 0 tilbud inden for 2 km i luftlinje, Omtrentlig placering",
  ]);
  assert.ok(!icons[0].className.includes("ck-housing-none") && icons[0].className.includes("ck-housing"));
  assert.ok(icons[1].className.includes("ck-housing-none") && icons[1].className.includes("ck-approx"));
  assert.equal(icons[0].children[0].children.length, 0);  // no sign where offers are near
  assert.equal(icons[1].children[0].children[0].textContent, "!");
});

test("cluster icons are named by their count and their markers are no Tab stops", () => {
  const { ck: lib } = withLeaflet();
  const cluster = { options: { keyboard: true }, getChildCount: () => 1234 };
  const icon = lib.clusterIcon(cluster);
  assert.equal(cluster.options.keyboard, false);  // read by Leaflet right after it made the icon
  const el = icon.createIcon();
  assert.equal(el.getAttribute("role"), "img");
  assert.equal(el.getAttribute("aria-label"), "1.234 organisationer og tilbud");
  assert.equal(el.children[0].children[0].textContent, "1.234");
});

test("danish names the document, the iframe, the map and Leaflet's own controls in Danish", () => {
  const { ck: lib, context, made, map } = withLeaflet();
  const frame = fakeElement("iframe");
  frame.title = "streamlit_folium.st_folium";
  context.frameElement = frame;
  const zoomIn = fakeElement("a"), zoomOut = fakeElement("a");
  map.zoomControl = { _zoomInButton: zoomIn, _zoomOutButton: zoomOut };
  let prefix = null;
  map.attributionControl = {
    options: { prefix: '<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">Leaflet</a>' },
    setPrefix(text) { prefix = text; },
  };
  lib.danish(map, "Kort over Sundhedsråd Aarhus");
  assert.equal(context.document.documentElement.lang, "da");
  assert.equal(frame.title, "Kort over Sundhedsråd Aarhus");
  assert.equal(context.document.title, "Kort over Sundhedsråd Aarhus");
  assert.equal(map.container.getAttribute("role"), "region");
  assert.equal(map.container.getAttribute("aria-label"), "Kort over Sundhedsråd Aarhus");
  const hint = made.body.find((el) => el.id === map.container.getAttribute("aria-describedby"));
  assert.match(hint.textContent, /Piletasterne flytter kortet/);
  assert.deepEqual([zoomIn.title, zoomIn.getAttribute("aria-label")], ["Zoom ind", "Zoom ind"]);
  assert.deepEqual([zoomOut.title, zoomOut.getAttribute("aria-label")], ["Zoom ud", "Zoom ud"]);
  assert.ok(prefix.includes('title="Et JavaScript-bibliotek til interaktive kort"') && prefix.includes(">Leaflet</a>"));
  // drawn on its own (no iframe): no name to set there, and a name even without an area
  context.frameElement = null;
  lib.danish(map, "");
  assert.equal(map.container.getAttribute("aria-label"), "Interaktivt kort");
  assert.equal(made.body.filter((el) => el.id === "ck-keys-hint").length, 1);  // one hint, not one per call
});

// --- Bornholm's inset (map_inset.js, issue #12) ------------------------------------------------------------
const BORNHOLM = [[54.98, 14.68], [55.30, 15.16]];

test("the inset shows while the main view does not show the island: not all of it, and not on it", () => {
  const denmark = [[54.5, 8.0], [57.8, 15.3]], zealand = [[54.5, 10.8], [56.2, 12.8]];
  assert.equal(ck.insetCovered(denmark, BORNHOLM), true);  // all of Bornholm in view: no inset
  assert.equal(ck.insetCovered(zealand, BORNHOLM), false);
  assert.equal(ck.insetCovered([[54.5, 8.0], [57.8, 15.0]], BORNHOLM), false);  // half of it at the edge
  assert.equal(ck.insetCovered([[55.05, 14.7], [55.15, 14.9]], BORNHOLM), true);  // zoomed in on Bornholm
});

test("the fit keeps clear of the inset's corner, beside it or above it, whichever zooms closer", () => {
  assert.deepEqual(plain(ck.insetCorner(11, 10.5, 130, 170)),
    { paddingTopLeft: [12, 12], paddingBottomRight: [142, 12] });
  assert.deepEqual(plain(ck.insetCorner(10, 10.5, 130, 170)),
    { paddingTopLeft: [12, 12], paddingBottomRight: [12, 182] });
});

test("an inset's builders draw only what lies on the island", () => {
  const only = { codes: [400], bounds: BORNHOLM };
  assert.equal(ck.within(null, 56, 10), true);  // the main map: everything
  assert.equal(ck.within(only, 55.1, 14.9), true);
  assert.equal(ck.within(only, 55.67, 12.57), false);
  assert.equal(ck.within(only, null, null), false);
  assert.equal(ck.holds(only, 400), true);
  assert.equal(ck.holds(only, 101), false);
  assert.equal(ck.holds(null, 101), true);
  const { ck: lib, made, map } = withLeaflet();
  const units = {
    types: [{ key: "hospital", color: "#c62828", letter: "H" }], approx: "Omtrentlig placering",
    rows: [[55.10, 14.70, 0, 0, 20, "Bornholms Hospital", "Hospital", 2],
           [55.69, 12.57, 0, 0, 20, "Rigshospitalet", "Hospital", 9]],
  };
  assert.equal(lib.units(map, units, only).layers.length, 1);
  assert.equal(made.markers[0].latlng[0], 55.10);
  assert.equal(lib.units(map, units).layers.length, 2);
  const pins = { approx: "", rows: [[55.2, 14.9, 0, "Rønne", "", "", 0], [55.7, 12.5, 0, "København", "", "", 0]] };
  assert.equal(lib.workshop(map, pins, only).layers.length, 1);
});

// --- the points layer: drawn when its own addition ends; markers reused across filter changes ---------------
// A stand-in for Leaflet.markercluster's group, as far as points() uses it: addLayers on the map calls
// options.chunkProgress after each chunk (here: chunks the test ends by hand), and onAdd adds what was
// waiting, an empty list when the file has not arrived yet (markercluster reports that as done at once).
function withPoints(file) {
  const { ck: lib, context, map } = withLeaflet();
  const frames = [];
  context.requestAnimationFrame = (fn) => frames.push(fn);
  context.setTimeout = (fn) => { fn(); return 0; };
  context.fetch = () => Promise.resolve({ ok: true, json: () => Promise.resolve(file) });
  let stamp = 0;
  context.L.stamp = (obj) => obj._leaflet_id || (obj._leaflet_id = ++stamp);
  class CircleMarker {
    constructor(latlng, options) { this.latlng = latlng; this.options = options; }
    static extend(props) { class Named extends this {} Object.assign(Named.prototype, props); return Named; }
  }
  context.L.CircleMarker = CircleMarker;
  const groups = [];
  context.L.markerClusterGroup = (options) => {
    const group = {
      options, added: [], chunks: [], handlers: {}, onMap: null,
      on(type, fn) { this.handlers[type] = fn; return this; },
      addLayers(list) {
        if (!this.onMap) { this.added.push(...list); return this; }
        const progress = this.options.chunkProgress;
        if (!list.length) { if (progress) { progress(0, 0); } return this; }
        this.added.push(...list);
        this.chunks.push(() => { if (progress) { progress(list.length, list.length); } });
        if (progress) { progress(Math.floor(list.length / 2), list.length); }  // the first chunk, at once
        return this;
      },
      onAdd(on) { this.onMap = on; const waiting = this.added; this.added = []; this.addLayers(waiting); },
    };
    groups.push(group);
    return group;
  };
  map.hasLayer = (group) => group.onMap === map;
  const drawn = () => context.document.documentElement.getAttribute("data-ck-drawn");
  const flush = () => { while (frames.length) { frames.shift()(); } };
  return { lib, map, groups, drawn, flush, context };
}
// five points along a line; keep is a bitmask, least significant bit first
const POINTS = {
  s: 10, y0: 55, x0: 10, dy: [0, 1, 1, 1, 1], x: [0, 1, 2, 3, 4], c: [0, 0, 0, 0, 0], n: ["a", "b", "c", "d", "e"],
  w: [], styles: [{ radius: 4 }], kinds: ["Tilbud"], precisions: ["Præcis placering"],
};
const mask = (...bits) => Buffer.from([bits.reduce((byte, i) => byte | (1 << i), 0)]).toString("base64");
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("the points are drawn when their own addition ends, not when the empty one before the file ends", async () => {
  const { lib, map, groups, drawn, flush } = withPoints(structuredClone(POINTS));
  const group = lib.points(map, { src: "punkter.json", keep: mask(0, 1, 2, 3, 4), n: 5 });
  group.onAdd(map);  // on the map before the file has arrived: markercluster adds an empty list, done at once
  flush();
  assert.equal(drawn(), null);
  await settle();  // the file arrives: the points go in, the first chunk at once
  flush();
  assert.equal(groups[0].added.length, 5);
  assert.equal(drawn(), null, "drawn after the first chunk of five points");
  groups[0].chunks.pop()();  // the last chunk
  flush();
  assert.equal(drawn(), "1");
});

test("points whose file cannot be fetched are drawn as missing: the signal still comes", async () => {
  const { lib, map, drawn, flush, context } = withPoints(null);
  context.fetch = () => Promise.resolve({ ok: false, status: 503 });
  context.console = { error() {} };
  const notes = [];
  context.L.control = () => ({ addTo() { notes.push(this); return this; } });
  lib.points(map, { src: "mangler.json", keep: mask(0), n: 5 }).onAdd(map);
  await settle();
  flush();
  assert.equal(drawn(), "1");
  assert.equal(notes.length, 1);  // the missing-data note
});

test("a filter change reuses the markers of the same file and map in a new group; another map has its own", async () => {
  const file = structuredClone(POINTS);
  const { lib, map, groups, flush, context } = withPoints(file);
  const first = lib.points(map, { src: "punkter.json", keep: mask(0, 1, 2, 3, 4), n: 5 });
  first.onAdd(map);
  await settle();
  const made = groups[0].added.slice();
  made[3].__parent = { old: true };  // markercluster's link into the first group's tree
  first.onMap = null;
  const second = lib.points(map, { src: "punkter.json", keep: mask(1, 3), n: 5 });
  second.onAdd(map);
  await settle();
  assert.notEqual(groups[1], groups[0]);
  assert.deepEqual(groups[1].added.map((m) => m.ckIndex), [1, 3]);
  assert.equal(groups[1].added[0], made[1]);
  assert.equal(groups[1].added[1], made[3]);
  assert.equal(made[3].__parent, undefined, "the old tree is let go");
  assert.deepEqual(plain(groups[1]._childMarkerEventHandlers), {});  // no group's listeners stay on a marker
  assert.equal(made[1].ckLabel(made[1]), "b, Tilbud, Præcis placering");
  const other = { ...map, panes: {}, _leaflet_id: undefined };
  other.hasLayer = (group) => group.onMap === other;
  const inset = lib.points(other, { src: "punkter.json", keep: mask(1), n: 5 }, null);
  inset.onAdd(other);
  await settle();
  assert.notEqual(groups[2].added[0], made[1]);  // a marker is on one map only
  const key = Object.keys(file).find((k) => k.startsWith("ckMarkers") && file[k][1] === made[1]);
  second.onMap = null;
  context.fetch = () => Promise.resolve({ ok: true, json: () => Promise.resolve(structuredClone(POINTS)) });
  lib.points(map, { src: "raad.json", keep: mask(0), n: 5 }).onAdd(map);  // another area
  await settle();
  assert.equal(file[key], undefined, "the previous area's markers are let go");
  flush();
  assert.ok(context.document.documentElement.getAttribute("data-ck-drawn") === null);  // last chunks not ended
});
