(function () {
  "use strict";
  if (window.ckLib) { return; }
  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;", "`": "&#96;"};
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"'`]/g, function (c) { return ESC[c]; });
  }
  // Tooltip HTML from escaped text; the hidden tag lets the app identify the clicked object.
  function tip(title, lines, tag) {
    var html = '<div class="ck-tip"><div class="ck-tip-title">' + esc(title) + "</div>";
    for (var i = 0; i < lines.length; i++) { if (lines[i]) { html += "<div>" + esc(lines[i]) + "</div>"; } }
    if (tag) { html += '<span class="ck-tag" style="display:none">[ck:' + tag + "]</span>"; }
    return html + "</div>";
  }
  // Popup content built as DOM with textContent only.
  function card(title, lines) {
    var box = document.createElement("div"); box.className = "ck-card";
    var head = document.createElement("div"); head.className = "ck-card-title"; head.textContent = title;
    box.appendChild(head);
    lines.forEach(function (line) {
      if (line) { var row = document.createElement("div"); row.textContent = line; box.appendChild(row); }
    });
    return box;
  }
  function openCard(map, latlng, title, lines) {
    if (map.ckMain) { return; }  // an inset map (map_inset.js): too small for a card; the page shows the details
    var popup = L.popup({maxWidth: 300, autoPanPadding: [24, 24], className: "ck-popup"})
      .setLatLng(latlng).setContent(card(title, lines)).openOn(map);
    if (popup._closeButton) {  // Leaflet's own label is English
      popup._closeButton.setAttribute("aria-label", "Luk"); popup._closeButton.title = "Luk";
    }
  }
  function num(n) { return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }

  // --- names for screen readers, and the keyboard ----------------------------------------------------
  // The keyboard reaches the map itself (arrows pan, +/- zoom) and its controls, not each of the hundreds of
  // markers and shapes: markers are made with keyboard: false, shapes get tabindex -1 (Chromium makes an SVG
  // shape with focus listeners, which Leaflet's tooltips add, a Tab stop). Each still has a name, as an
  // attribute value (never markup), and role img: a picture with a name, no longer a control.
  function phrase(parts) {  // "A, B, C" of the parts that are not empty
    return parts.filter(function (p) { return p !== null && p !== undefined && p !== ""; }).join(", ");
  }
  function named(el, text) {
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", String(text === null || text === undefined ? "" : text));
    return el;
  }
  function unitName(u) { return u[6] + ": " + phrase([u[5], u[7] + (u[7] === 1 ? " samarbejde" : " samarbejder")]); }
  function clusterName(n) { return num(n) + " organisationer og tilbud"; }
  function areaName(name, label) { return name + ": " + label; }
  var MARKER = {keyboard: false, riseOnHover: true};
  function markerOptions(icon, extra) {
    var options = {icon: icon};
    [MARKER, extra || {}].forEach(function (o) { Object.keys(o).forEach(function (k) { options[k] = o[k]; }); });
    return options;
  }
  var NamedIcon = null;
  function namedIcon(options, text) {  // a divIcon whose element has role img and this name
    if (!NamedIcon) {
      NamedIcon = L.DivIcon.extend({
        createIcon: function (old) { return named(L.DivIcon.prototype.createIcon.call(this, old), this.ckLabel); }
      });
    }
    var icon = new NamedIcon(options);
    icon.ckLabel = text;
    return icon;
  }
  // Leaflet's path classes (Polygon, Polyline, CircleMarker) whose SVG element gets the layer's ckLabel (a
  // text or a function of the layer, e.g. a point's name, decoded only when it is drawn) as its name.
  var NAMED = {};
  function shapeOf(kind) {
    if (!NAMED[kind]) {
      var Base = L[kind];
      NAMED[kind] = Base.extend({
        onAdd: function (map) {
          Base.prototype.onAdd.call(this, map);  // makes a new SVG element each time
          if (this._path) {
            named(this._path, typeof this.ckLabel === "function" ? this.ckLabel(this) : this.ckLabel);
            this._path.setAttribute("tabindex", "-1");  // a click still focuses it; Tab does not
          }
        }
      });
    }
    return NAMED[kind];
  }
  function namedShape(kind, a, b, text) { var layer = new (shapeOf(kind))(a, b); layer.ckLabel = text; return layer; }
  function panes(map) {
    [["ck-areas", 405], ["ck-outlines", 415], ["ck-links", 425], ["ck-points", 435]].forEach(function (p) {
      if (!map.getPane(p[0])) {
        var pane = map.createPane(p[0]);
        pane.style.zIndex = p[1];
        pane.style.pointerEvents = "none";  // only the shapes themselves take clicks
      }
    });
  }
  function hatch() {
    if (document.getElementById("ck-hatch")) { return; }
    var holder = document.createElement("div");
    holder.style.cssText = "position:absolute;width:0;height:0;overflow:hidden";
    holder.innerHTML = '<svg width="0" height="0" aria-hidden="true" focusable="false"><defs>' +
      '<pattern id="ck-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#eeeeee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9e9e9e" stroke-width="2"/>' +
      "</pattern></defs></svg>";
    document.body.appendChild(holder);
  }
  function ring(flat, q) {
    var out = new Array(flat.length / 2), x = 0, y = 0;
    for (var i = 0, j = 0; i < flat.length; i += 2, j++) { x += flat[i]; y += flat[i + 1]; out[j] = [y / q, x / q]; }
    return out;
  }
  function shape(polygons, q) {
    return polygons.map(function (rings) { return rings.map(function (r) { return ring(r, q); }); });
  }
  function setup(map) { panes(map); hatch(); }
  // What an inset map (map_inset.js) draws of a layer: "only" is null on the main map, else the inset's
  // municipality codes and box ([[south, west], [north, east]]).
  function within(only, lat, lon) {
    if (!only) { return true; }
    var b = only.bounds;
    return lat !== null && lon !== null && lat >= b[0][0] && lat <= b[1][0] && lon >= b[0][1] && lon <= b[1][1];
  }
  function holds(only, code) { return !only || only.codes.indexOf(code) >= 0; }

  // The app's map fetches what does not change with the filters once per area, as published files (d.src):
  // the points (each filter change then sends only which to show: d.keep, a bit per point, base64), the
  // municipality shapes (a change sends the values) and the council outlines. A standalone map has it all
  // inline.
  var DATA_FILES = {};
  function dataFile(src) {
    if (!DATA_FILES[src]) {
      DATA_FILES[src] = fetch(src, {credentials: "same-origin"}).then(function (r) {
        if (!r.ok) { throw new Error(src + ": HTTP " + r.status); }
        // a .gz file arrives as stored (no Content-Encoding): unpack it here
        return /\.gz$/.test(src) ? new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).json()
                                 : r.json();
      });
      DATA_FILES[src].catch(function () { delete DATA_FILES[src]; });  // the next filter change tries again
    }
    return DATA_FILES[src];
  }
  function keptOf(b64, n) {
    var bytes = atob(b64), kept = [];
    for (var i = 0; i < n; i++) {
      if ((bytes.charCodeAt(i >> 3) >> (i & 7)) & 1) { kept.push(i); }
    }
    return kept;
  }
  // Draw a layer from its published file when it arrives; say so on the map if it cannot be fetched.
  function fromFile(map, src, draw, failed) {
    var done = busy();
    dataFile(src).then(function (file) { dataMissing(map, false); draw(file); },
                       function (err) { console.error(err); dataMissing(map, true); if (failed) { failed(); } })
      .then(done, function (err) { console.error(err); if (failed) { failed(); } done(); });
  }
  // The map is drawn when every published file it waits for has arrived and every cluster group has added
  // its last chunk (and a tick has passed after a new set of layers). Then the document says so:
  // data-ck-drawn counts the draws and window.ckDrawnAt is the time, for the browser benchmark and tests to
  // wait on. Clustering changes nothing in the DOM until it is done, so a quiet DOM is no such signal.
  var drawing = 0, drawnCount = 0;
  function busy() {
    var open = true;
    drawing++;
    return function () {
      if (!open) { return; }
      open = false;
      if (--drawing === 0) { drawn(); }
    };
  }
  function drawn() {
    window.requestAnimationFrame(function () {
      if (drawing) { return; }
      drawnCount++;
      window.ckDrawnAt = Date.now();
      document.documentElement.setAttribute("data-ck-drawn", String(drawnCount));
    });
  }
  function dataMissing(map, failed) {
    if (map.ckMain) { return; }  // an inset map: its main map says so
    if (!failed) {
      if (map.ckDataNote) { map.removeControl(map.ckDataNote); map.ckDataNote = null; }
      return;
    }
    if (map.ckDataNote) { return; }
    var note = L.control({position: "topleft"});
    note.onAdd = function () {
      var div = L.DomUtil.create("div", "ck-legend ck-points-missing");
      div.textContent = "Kortets data kunne ikke hentes fra serveren. Skift et filter eller genindlæs siden.";
      return div;
    };
    map.ckDataNote = note.addTo(map);
  }
  // Decoded once per file and shape (a published file serves every filter change).
  function decoded(file, key, g) {
    var cache = file.ckShapes || (file.ckShapes = {});
    return cache[key] || (cache[key] = shape(g, file.q));
  }
  function areas(map, d, only) {
    setup(map);
    var group = L.featureGroup();
    if (d.src) {
      fromFile(map, d.src, function (file) { drawAreas(group, d, function (f) {
        return file.g[f.c] ? decoded(file, f.c, file.g[f.c]) : null;
      }, only); });
    } else {
      drawAreas(group, d, function (f) { return shape(f.g, d.q); }, only);
    }
    return group;
  }
  function drawAreas(group, d, latlngs, only) {
    d.features.forEach(function (f) {
      var ll = holds(only, f.c) ? latlngs(f) : null;
      if (!ll) { return; }
      var style = f.k < 0 ? d.nodata : L.extend({}, d.base, {fillColor: d.colors[f.k]});
      var poly = namedShape("Polygon", ll, style, areaName(f.n, f.l));
      poly.bindTooltip(tip(f.n, [f.l, f.r], "m:" + f.c), {sticky: true, className: "ck-tooltip"});
      poly.on("mouseover", function () { poly.setStyle({weight: 2.5, color: "#1f2933"}); poly.bringToFront(); });
      poly.on("mouseout", function () { poly.setStyle({weight: style.weight, color: style.color}); });
      group.addLayer(poly);
    });
  }
  function outlines(map, d) {
    setup(map);
    var group = L.featureGroup();
    function draw(file) {
      file.features.forEach(function (f, i) { group.addLayer(L.polygon(decoded(file, i, f.g), d.style)); });
    }
    if (d.src) { fromFile(map, d.src, draw); } else { draw(d); }
    return group;
  }
  function circles(map, d, only) {
    setup(map);
    var group = L.featureGroup();
    d.rows.forEach(function (r) {  // [lat, lon, code, name, label, council, class, radius]
      if (!holds(only, r[2])) { return; }
      var style = r[6] < 0 ? d.nodata : L.extend({}, d.base, {fillColor: d.colors[r[6]]});
      var m = namedShape("CircleMarker", [r[0], r[1]], L.extend({}, style, {radius: r[7]}), areaName(r[3], r[4]));
      m.bindTooltip(tip(r[3], [r[4], r[5]], "m:" + r[2]), {className: "ck-tooltip"});
      group.addLayer(m);
    });
    return group;
  }
  function clusterIcon(cluster) {
    var n = cluster.getChildCount();
    cluster.options.keyboard = false;  // markercluster makes its cluster markers with Leaflet's default (a Tab stop)
    var size = n < 10 ? 28 : n < 100 ? 34 : n < 1000 ? 40 : 46;
    var inner = document.createElement("div"); inner.className = "ck-cluster-inner";
    var label = document.createElement("span"); label.textContent = num(n); inner.appendChild(label);
    return namedIcon({html: inner, className: "ck-cluster", iconSize: L.point(size, size)}, clusterName(n));
  }
  function points(map, d, only) {
    setup(map);
    var group = L.markerClusterGroup({
      chunkedLoading: true, chunkInterval: 120, chunkDelay: 30, showCoverageOnHover: false,
      maxClusterRadius: 45, spiderfyOnMaxZoom: !only, zoomToBoundsOnClick: !only, iconCreateFunction: clusterIcon,
      spiderLegPolylineOptions: {weight: 1.2, color: "#263238", opacity: 0.6, interactive: false}
    });
    // markercluster follows each marker it holds for drags and moves (three listeners a marker, bound to the
    // group); these markers never move (spiderfy moves them with the listeners muted), and a reused marker
    // must not keep an old group's listeners
    group._childMarkerEventHandlers = {};
    var done = busy();
    // the end of the points' own addition (fillPoints): the empty addition markercluster makes when the group
    // goes on the map before its file has arrived ends at once and must not count
    group.ckDone = function (p, t) { if (p >= t) { done(); } };
    group.on("remove", done);  // hidden: nothing to wait for
    // a group not on the map (its layer switched off) clusters nothing until it is shown: nothing to wait for
    var unlessShown = function () { setTimeout(function () { if (!map.hasLayer(group)) { done(); } }, 0); };
    if (d.src) {
      var kept = keptOf(d.keep, d.n);
      // no file, or a fault while filling: no addition will end, so nothing more to wait for
      fromFile(map, d.src, function (all) { fillPoints(map, group, all, kept, only); unlessShown(); }, done);
    } else {
      fillPoints(map, group, d, null, only);
      unlessShown();
    }
    return group;
  }
  // The points' markers, one per point of a payload and map, made when a point is first shown and reused by
  // every later filter change into that change's new cluster group (making 170.000 markers anew was a large
  // part of a redraw for all of Denmark). A marker is in one group at a time: the previous group is off the
  // map (update) before the next one fills, and its tree is let go (the markers' links into it are cut).
  // An inset map (map_inset.js) has its own markers: a marker can be on one map only. A map keeps the markers
  // of the one file it shows (another area's file lets its markers go).
  function markersOf(map, d) {
    var key = "ckMarkers" + L.stamp(map), made = d[key];
    if (map.ckPointsFile && map.ckPointsFile !== d) { delete map.ckPointsFile[key]; }
    map.ckPointsFile = d;
    if (!made) { return (d[key] = new Array(d.x.length)); }
    for (var i = 0; i < made.length; i++) {
      var m = made[i];
      if (m) {
        m.__parent = undefined;
        if (m._preSpiderfyLatlng || m._backupLatlng) {  // cut off in a spiderfy or animation
          m._latlng = m._preSpiderfyLatlng || m._backupLatlng;
          delete m._preSpiderfyLatlng; delete m._backupLatlng;
        }
      }
    }
    return made;
  }
  function fillPoints(map, group, d, kept, only) {
    if (!d.lat) {  // positions decoded once per payload (a published file serves every filter change)
      d.lat = new Float64Array(d.x.length); d.lon = new Float64Array(d.x.length);
      for (var j = 0, y = 0; j < d.x.length; j++) {
        y += d.dy[j];
        d.lat[j] = d.y0 + y / d.s; d.lon[j] = d.x0 + d.x[j] / d.s;
      }
    }
    if (only) {  // an inset: the points inside its box
      kept = (kept || Array.from(d.x, function (x, i) { return i; })).filter(function (i) {
        return within(only, d.lat[i], d.lon[i]);
      });
    }
    var n = kept ? kept.length : d.x.length, markers = new Array(n), made = markersOf(map, d);
    var Point = shapeOf("CircleMarker");
    function pointName(m) { return phrase([name(m.ckIndex)].concat(lines(m.ckIndex))); }
    for (var k = 0; k < n; k++) {
      var i = kept ? kept[k] : k, m = made[i];
      if (!m) {
        m = made[i] = new Point([d.lat[i], d.lon[i]], d.styles[d.c[i]]);
        m.ckIndex = i;
        m.ckLabel = pointName;  // the same file: the same name, whichever call made the marker
      }
      markers[k] = m;
    }
    function name(i) {
      return d.n[i].replace(/[\ue000-\uf8ff]/g, function (c) { return d.w[c.charCodeAt(0) - 0xe000]; });
    }
    function lines(i) { return [d.kinds[d.c[i]], d.precisions[d.c[i]]]; }
    function ensureTip(m) {
      if (!m.getTooltip()) {
        m.bindTooltip(tip(name(m.ckIndex), lines(m.ckIndex), "p:" + m.ckIndex),
                      {className: "ck-tooltip", direction: "top", offset: [0, -6]});
      }
    }
    group.on("mouseover", function (e) {
      var m = e.layer;
      if (m && m.ckIndex !== undefined) { ensureTip(m); m.openTooltip(); }
    });
    group.on("click", function (e) {
      var m = e.layer;
      if (!m || m.ckIndex === undefined) { return; }
      ensureTip(m);
      m.closeTooltip();
      openCard(map, m.getLatLng(), name(m.ckIndex), lines(m.ckIndex));
    });
    group.on("clustermouseover", function (e) {
      var c = e.layer;
      if (!c.getTooltip()) {
        c.bindTooltip(tip(num(c.getChildCount()) + " organisationer og tilbud", ["Klik for at zoome ind"], "c:0"),
                      {className: "ck-tooltip", direction: "top"});
      }
      c.openTooltip();
    });
    group.options.chunkProgress = group.ckDone;
    group.addLayers(markers);
  }
  function units(map, d, only) {
    setup(map);
    var group = L.featureGroup();
    d.rows.forEach(function (u, i) {  // [lat, lon, type, approx, size, name, label, n]
      if (u[0] === null || u[1] === null || !within(only, u[0], u[1])) { return; }
      var t = d.types[u[2]];
      var shapeEl = document.createElement("div"); shapeEl.className = "ck-unit-shape"; shapeEl.style.background = t.color;
      var letter = document.createElement("span"); letter.textContent = t.letter; shapeEl.appendChild(letter);
      var info = [u[6], u[7] + (u[7] === 1 ? " samarbejde" : " samarbejder"), u[3] ? d.approx : ""];
      var icon = namedIcon({html: shapeEl, className: "ck-unit ck-unit-" + t.key + (u[3] ? " ck-approx" : ""),
                            iconSize: [u[4], u[4]]}, phrase([unitName(u), u[3] ? d.approx : ""]));
      var m = L.marker([u[0], u[1]], markerOptions(icon));
      m.bindTooltip(tip(u[5], info, "u:" + i), {className: "ck-tooltip", direction: "top", offset: [0, -u[4] / 2]});
      m.on("click", function () { m.closeTooltip(); openCard(map, m.getLatLng(), u[5], info); });
      group.addLayer(m);
    });
    // smaller symbols (no letter) when zoomed out, so a few hundred units do not bury the map
    function scale() {
      var z = map.getZoom(), box = map.getContainer();
      L.DomUtil[z < 8 ? "addClass" : "removeClass"](box, "ck-z-far");
      L.DomUtil[z >= 8 && z < 10 ? "addClass" : "removeClass"](box, "ck-z-mid");
    }
    if (!map.ckUnitScale) { map.ckUnitScale = true; map.on("zoomend", scale); }  // once per map, not per swap
    scale();
    return group;
  }
  function links(map, d, only) {
    setup(map);
    var group = L.featureGroup();
    d.rows.forEach(function (r, i) {  // [unit lat, unit lon, org lat, org lon, kind, title]
      if (r[0] === null || r[1] === null || r[2] === null || r[3] === null) { return; }
      if (only && !within(only, r[0], r[1]) && !within(only, r[2], r[3])) { return; }
      var line = namedShape("Polyline", [[r[0], r[1]], [r[2], r[3]]], L.extend({}, d.style, {color: d.colors[r[4]]}),
                            phrase([r[5], d.kinds[r[4]]]));
      line.bindTooltip(tip(r[5], [d.kinds[r[4]]], "l:" + i), {sticky: true, className: "ck-tooltip"});
      group.addLayer(line);
    });
    return group;
  }
  function swatch(row, item) {
    var sw = document.createElement("span");
    sw.className = "ck-swatch ck-swatch-" + item.kind;
    if (item.kind === "fill") { sw.style.background = item.fill; }
    if (item.kind === "circle") {
      sw.style.background = item.fill; sw.style.border = item.border;
      if (item.size) { sw.style.width = item.size + "px"; sw.style.height = item.size + "px"; }
    }
    if (item.kind === "line") { sw.style.borderTopColor = item.color; sw.style.borderTopWidth = item.width + "px"; }
    if (item.kind === "unit") {
      sw.className += " ck-unit ck-unit-" + item.type;
      var inner = document.createElement("div"); inner.className = "ck-unit-shape"; inner.style.background = item.fill;
      var letter = document.createElement("span"); letter.textContent = item.letter; inner.appendChild(letter);
      sw.appendChild(inner);
    }
    row.appendChild(sw);
  }
  function sections(parent, list) {
    list.forEach(function (section) {
      var part = L.DomUtil.create("div", "ck-legend-section", parent);
      if (section.title) { var title = L.DomUtil.create("div", "ck-legend-title", part); title.textContent = section.title; }
      if (section.note) { var note = L.DomUtil.create("div", "ck-legend-note", part); note.textContent = section.note; }
      section.items.forEach(function (item) {
        var row = L.DomUtil.create("div", "ck-legend-row", part);
        swatch(row, item);
        var label = L.DomUtil.create("span", "ck-legend-label", row); label.textContent = item.label;
      });
    });
  }
  // The legend box belongs to the base map (it stays open or folded across filter changes); the data layers
  // refill its body (legendBody), the footer holds what the base map itself draws.
  function legend(map, spec) {
    var control = L.control({position: spec.position});
    control.onAdd = function () {
      var box = L.DomUtil.create("details", "ck-legend leaflet-control");
      var size = map.getSize();
      box.open = spec.open && size.x >= 640 && size.y >= 420;  // small maps start with the legend folded
      var summary = L.DomUtil.create("summary", "", box); summary.textContent = "Signaturforklaring";
      control.ckBody = L.DomUtil.create("div", "ck-legend-body", box);
      sections(control.ckBody, spec.sections || []);
      sections(L.DomUtil.create("div", "ck-legend-footer", box), spec.footer || []);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control.addTo(map);
  }
  // A button that copies a link to the app page with the map's current view in "kort" (the page itself reruns
  // on every change, so the view cannot live in its URL all the time). The component iframe is same-origin.
  var COPY_LABEL = "Kopiér link til dette kortudsnit";
  function linkIcon() {  // a chain link, built as DOM (no markup, no external file)
    hatch();  // its pattern is SVG: take the namespace from it (keeps any URL, even an XML namespace, out)
    var NS = document.getElementById("ck-hatch").namespaceURI, svg = document.createElementNS(NS, "svg");
    [["width", "18"], ["height", "18"], ["viewBox", "0 0 24 24"], ["aria-hidden", "true"], ["focusable", "false"],
     ["fill", "none"], ["stroke", "currentColor"], ["stroke-width", "2.2"], ["stroke-linecap", "round"],
     ["stroke-linejoin", "round"]].forEach(function (a) { svg.setAttribute(a[0], a[1]); });
    ["M10 13a5 5 0 0 0 7.07 0l3-3a5 5 0 0 0-7.07-7.07l-1.5 1.5",
     "M14 11a5 5 0 0 0-7.07 0l-3 3a5 5 0 0 0 7.07 7.07l1.5-1.5"].forEach(function (d) {
      var path = document.createElementNS(NS, "path"); path.setAttribute("d", d); svg.appendChild(path);
    });
    return svg;
  }
  function pageUrl() {
    try { return window.parent.location.href; } catch (e) { return document.referrer || window.location.href; }
  }
  function viewLink(map) {
    var c = map.getCenter(), url = new URL(pageUrl());
    url.searchParams.set("kort", c.lat.toFixed(5) + "," + c.lng.toFixed(5) + "," + Math.round(map.getZoom()));
    return url.toString();
  }
  function copyLink(map) {
    var control = L.control({position: "topleft"});
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "ck-copy leaflet-control");
      var button = L.DomUtil.create("button", "ck-copy-button", box);
      button.type = "button"; button.title = COPY_LABEL; button.setAttribute("aria-label", COPY_LABEL);
      button.appendChild(linkIcon());
      var field = L.DomUtil.create("input", "ck-copy-field", box);
      field.type = "text"; field.readOnly = true; field.hidden = true;
      field.setAttribute("aria-label", "Link til dette kortudsnit");
      var status = L.DomUtil.create("span", "ck-copy-status", box);
      status.setAttribute("role", "status");
      var timer = null;
      function say(text) {
        status.textContent = text;
        clearTimeout(timer);
        timer = setTimeout(function () { status.textContent = ""; }, 2500);
      }
      function show(link) {  // no clipboard (permission, old browser): the link to select and copy by hand
        field.value = link; field.hidden = false; field.focus(); field.select();
        say("Kopiér linket (Ctrl+C)");
      }
      L.DomEvent.on(button, "click", function (e) {
        L.DomEvent.stop(e);
        var link = viewLink(map);
        field.hidden = true;
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(link).then(function () { say("Link kopieret"); }, function () { show(link); });
        } else {
          show(link);
        }
      });
      L.DomEvent.on(field, "keydown", function (e) { if (e.key === "Escape") { field.hidden = true; button.focus(); } });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control.addTo(map);
  }
  function legendBody(map, list) {
    var body = map.ckState.legend.ckBody;
    while (body.firstChild) { body.removeChild(body.firstChild); }
    sections(body, list);
  }

  // The map's document is Danish and its iframe (same origin; null when drawn stand-alone) is named after the
  // area; the map itself is a named region that tells how the keyboard moves it; Leaflet's own English labels
  // become Danish.
  var MAP_TITLE = "Interaktivt kort";
  var KEYS_HINT = "Piletasterne flytter kortet, plus og minus zoomer.";
  var LEAFLET_TITLE = "Et JavaScript-bibliotek til interaktive kort";
  function relabel(el, text) {
    if (el) { el.title = text; el.setAttribute("aria-label", text); }
  }
  function danish(map, title) {
    title = title || MAP_TITLE;
    document.documentElement.lang = "da";
    document.title = title;
    var frame = null;
    try { frame = window.frameElement; } catch (e) { frame = null; }
    if (frame) { frame.title = title; }
    var box = map.getContainer();
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", title);
    var hint = document.getElementById("ck-keys-hint");
    if (!hint) {
      hint = document.createElement("span"); hint.id = "ck-keys-hint"; hint.className = "ck-sr-only";
      hint.textContent = KEYS_HINT;
      document.body.appendChild(hint);
    }
    box.setAttribute("aria-describedby", hint.id);
    if (map.zoomControl) {
      relabel(map.zoomControl._zoomInButton, "Zoom ind");
      relabel(map.zoomControl._zoomOutButton, "Zoom ud");
    }
    var credit = map.attributionControl;
    if (credit && credit.options.prefix) {
      credit.setPrefix(String(credit.options.prefix).replace(/title="[^"]*"/, 'title="' + LEAFLET_TITLE + '"'));
    }
  }

  // --- base map and swappable data layers ---------------------------------------------------------
  // The base map (built once per area) makes the layer control, the legend box and the view. Each data
  // layer arrives as its own container (a streamlit-folium feature group, swapped on every filter change
  // without re-creating the map) and registers itself in the layer control. A layer the user switched on
  // or off in the control keeps that state across swaps, until the app changes the layer's start state.
  function base(map, spec) {
    setup(map);
    setTimeout(busy(), 0);
    var order = spec.order || [];
    var state = {choices: {}, server: {}, groups: [], tiles: null};
    map.ckState = state;
    state.control = L.control.layers(null, null, {
      position: "topright", collapsed: true, sortLayers: true,
      sortFunction: function (a, b, nameA, nameB) { return order.indexOf(nameA) - order.indexOf(nameB); }
    }).addTo(map);
    relabel(state.control._layersLink, "Vælg kortlag");
    danish(map, spec.title);
    map.on("overlayadd overlayremove", function (e) {
      // The control fires these for every add/remove of a listed layer (also the swaps); its _handlingClick
      // flag (Leaflet 1.x) tells the user's own clicks apart.
      if (!state.control._handlingClick) { return; }
      state.choices[e.name] = {on: e.type === "overlayadd", server: state.server[e.name]};
    });
    state.legend = legend(map, spec.legend);
    state.copy = copyLink(map);
    if (spec.attribution && map.attributionControl) { map.attributionControl.addAttribution(esc(spec.attribution)); }
    L.control.scale({ imperial: false }).addTo(map);
    if (spec.inset && window.ckLib.inset) { window.ckLib.inset(map, spec.inset); }
    // not animated: a zoom animation in progress makes Leaflet ignore the next setView (e.g. from streamlit-folium)
    if (spec.view) {  // from a copied link
      map.setView([spec.view[0], spec.view[1]], spec.view[2], {animate: false});
    } else {
      fit(map, spec.bounds);
    }
    if (onProjector()) { projector(map, spec); }
  }
  // The area's view; with an inset (map_inset.js) the area keeps clear of the inset's corner.
  function fit(map, bounds) {
    var options = map.ckInset ? map.ckInset.fitOptions(bounds) : {padding: [12, 12]};
    options.animate = false;
    map.fitBounds(bounds, options);
  }

  // --- on the projector (ui/presentation.py; projector.css sets --ck-projector) ------------------------
  // The room's clicker sends Page Up/Down and the arrows to the page, which changes the step. A click in the
  // map would give the map the keyboard (its arrows pan): there the map takes no keys and hands the keyboard
  // back to the page after every click. A window that changes size (F11, moved to the projector) refits the
  // area, unless the step opens at a view of its own.
  var STEP_KEYS = ["ArrowLeft", "ArrowRight", "PageUp", "PageDown", "Escape"];
  function onProjector() {
    return window.getComputedStyle(document.documentElement).getPropertyValue("--ck-projector").trim() === "1";
  }
  function handBack() {
    try { if (window.parent && window.parent !== window) { window.parent.focus(); } } catch (e) { /* cross-origin */ }
  }
  function projector(map, spec) {
    if (map.keyboard) { map.keyboard.disable(); }
    map.getContainer().tabIndex = -1;
    document.addEventListener("pointerup", function () { setTimeout(handBack, 0); }, true);
    // a key that still lands here (before the hand-back): pass it on to the page, where the step buttons listen
    document.addEventListener("keydown", function (e) {
      if (STEP_KEYS.indexOf(e.key) < 0) { return; }
      var page = null;
      try { page = window.parent !== window ? window.parent.document : null; } catch (err) { page = null; }
      if (!page) { return; }
      e.preventDefault();
      handBack();
      page.dispatchEvent(new KeyboardEvent("keydown", {key: e.key, code: e.code, bubbles: true, cancelable: true}));
    }, true);
    if (!spec.view) {
      var timer = null;
      window.addEventListener("resize", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          map.invalidateSize({animate: false});
          fit(map, spec.bounds);
        }, 150);
      });
    }
  }
  function register(map, layer, name, on, persistent) {
    var state = map.ckState, server = !!on, choice = state.choices[name];
    var shown = choice && choice.server === server ? choice.on : server;
    state.server[name] = server;
    layer.ckName = name;
    if (!persistent) { state.groups.push(layer); }
    state.control.addOverlay(layer, name);
    // Every layer starts on the map so streamlit-folium binds its click handler to it (it binds to what is on
    // the map right after the script); hidden ones go in a microtask: after that, before anything is painted.
    if (!shown) {
      Promise.resolve().then(function () { if (map.hasLayer(layer)) { map.removeLayer(layer); } });
    }
  }
  // One data layer: the builder's Leaflet layer put in its container (or on the map), listed in the control.
  function layer(map, container, name, builder, on, persistent, d) {
    setup(map);
    var drawn = BUILDERS[builder](map, d);
    if (container) { container.addLayer(drawn); } else { drawn.addTo(map); }
    register(map, container || drawn, name, on, persistent);
    if (map.ckInset) { map.ckInset.mirror(container || drawn, builder, d); }
    return drawn;
  }
  function tiles(map, spec) {
    var state = map.ckState, old = state.tiles;
    if (old && (!spec || old.ckUrl !== spec.url)) {
      if (map.hasLayer(old)) { map.removeLayer(old); }
      state.control.removeLayer(old);
      state.tiles = null;
    }
    if (spec && !state.tiles) {  // the same background stays on the map across swaps (no reloading tiles)
      state.tiles = L.tileLayer(spec.url, spec.options).addTo(map);
      state.tiles.ckUrl = spec.url;
      register(map, state.tiles, spec.name, true, true);
    }
  }
  // A new set of data layers is coming (the first call of each set): forget the previous set.
  function update(map, spec) {
    var state = map.ckState;
    setTimeout(busy(), 0);
    state.groups.forEach(function (g) {
      if (map.hasLayer(g)) { map.removeLayer(g); }
      state.control.removeLayer(g);
    });
    state.groups = [];
    // streamlit-folium removed its previous feature groups from the map before this script, but keeps them
    // in window.feature_group forever (only to remove them again); drop them so old layers can be freed.
    if (Array.isArray(window.feature_group)) { window.feature_group.length = 0; }
    Object.keys(state.choices).forEach(function (name) {  // a layer that went away starts afresh when back
      if (spec.names.indexOf(name) < 0) { delete state.choices[name]; }
    });
    tiles(map, spec.tiles);
    legendBody(map, spec.legend);
  }
  // Workshop entries: a pin each, marked as not reviewed or reviewed (user text as escaped text only).
  function workshop(map, d, only) {
    setup(map);
    var group = L.featureGroup();
    d.rows.forEach(function (r, i) {  // [lat, lon, approx, title, kind, mark, chosen, reviewed]
      if (!within(only, r[0], r[1])) { return; }
      var pin = document.createElement("div"); pin.className = "ck-ws-shape";
      var lines = [r[4], r[5], r[2] ? d.approx : ""];
      var icon = namedIcon({html: pin, className: "ck-ws" + (r[2] ? " ck-approx" : "") + (r[6] ? " ck-ws-chosen" : "") +
                                                   (r[7] ? " ck-ws-ok" : ""),
                            iconSize: [18, 18], iconAnchor: [9, 18]}, phrase([r[3]].concat(lines)));
      var m = L.marker([r[0], r[1]], markerOptions(icon, {zIndexOffset: 1000}));
      m.bindTooltip(tip(r[3], lines, "w:" + i), {className: "ck-tooltip", direction: "top", offset: [0, -18]});
      m.on("click", function () { m.closeTooltip(); openCard(map, m.getLatLng(), r[3], lines); });
      group.addLayer(m);
    });
    return group;
  }
  // Vulnerable housing areas: a house each, red with "!" where no offer of the chosen group lies within 2 km
  // (a sign and a shape, not colour alone); dashed when placed approximately. Text as escaped text only.
  function housing(map, d, only) {
    setup(map);
    var group = L.featureGroup();
    d.rows.forEach(function (r, i) {  // [lat, lon, approx, name, category · municipality, count line, none]
      if (!within(only, r[0], r[1])) { return; }
      var house = document.createElement("div"); house.className = "ck-housing-shape";
      if (r[6]) { var mark = document.createElement("span"); mark.textContent = "!"; house.appendChild(mark); }
      var lines = [r[4], r[5], r[2] ? d.approx : ""];
      var icon = namedIcon({html: house, className: "ck-housing" + (r[6] ? " ck-housing-none" : "") +
                                                    (r[2] ? " ck-approx" : ""),
                            iconSize: [22, 22]}, phrase([r[3]].concat(lines)));
      var m = L.marker([r[0], r[1]], markerOptions(icon, {zIndexOffset: 500}));
      m.bindTooltip(tip(r[3], lines, "h:" + i), {className: "ck-tooltip", direction: "top", offset: [0, -11]});
      m.on("click", function () { m.closeTooltip(); openCard(map, m.getLatLng(), r[3], lines); });
      group.addLayer(m);
    });
    return group;
  }
  var BUILDERS = {areas: areas, outlines: outlines, circles: circles, points: points, units: units, links: links,
                  housing: housing, workshop: workshop};
  window.ckLib = {esc: esc, tip: tip, card: card, num: num, shape: shape, setup: setup, areas: areas,
                  outlines: outlines, circles: circles, points: points, units: units, links: links,
                  housing: housing, workshop: workshop, legend: legend, base: base, layer: layer, update: update, kept: keptOf,
                  phrase: phrase, named: named, unitName: unitName, clusterName: clusterName, areaName: areaName,
                  clusterIcon: clusterIcon, markerOptions: markerOptions, danish: danish, builders: BUILDERS,
                  within: within, holds: holds, fit: fit};
})();
