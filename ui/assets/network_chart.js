// The partnership network in the browser (run by st.html from ui/network.py): labels that never overlap (a
// tap on a phone chooses a node as a click does: ui/assets/plotly_taps.js).
//
// civilkort/network_chart.py draws the names of the larger nodes in one Plotly trace (meta "ck-labels"), most
// important first, each over an invisible marker of its node's size. Plotly has no collision avoidance, and how
// much room a name has depends on the screen (a phone's chart is a third as wide as a laptop's) and the zoom.
// So after every draw (plotly_afterplot: first draw, new figure, zoom, pan, resize) the labels are placed in
// their order: each on the first side of its node (above, below, right, left, a corner) where it stays inside the plot
// and touches neither a label placed before it nor a labelled node; a label with no such side is hidden.
//
// No "<" directly before a letter or "/" anywhere in this file: st.html's sanitiser (DOMPurify) drops a
// script whose text has one (tests/ui/test_browser.py).
(function (root) {
  "use strict";

  var TRACE = "ck-labels";
  var GAP = 2; // px between a label and its node, and around every label

  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  function inside(box, bounds) {
    return box.x >= bounds.x && box.y >= bounds.y &&
      box.x + box.w <= bounds.x + bounds.w && box.y + box.h <= bounds.y + bounds.h;
  }

  // The boxes a w × h label may take beside a node at (cx, cy) of radius r, in order of preference: above,
  // below, right, left, then the four corners.
  function sides(cx, cy, r, w, h) {
    var d = r + GAP; // a corner box meets the corner of the node's square (a unit is drawn as a square)
    return [
      {x: cx - w / 2, y: cy - r - GAP - h, w: w, h: h},
      {x: cx - w / 2, y: cy + r + GAP, w: w, h: h},
      {x: cx + r + GAP, y: cy - h / 2, w: w, h: h},
      {x: cx - r - GAP - w, y: cy - h / 2, w: w, h: h},
      {x: cx + d, y: cy - d - h, w: w, h: h},
      {x: cx - d - w, y: cy - d - h, w: w, h: h},
      {x: cx + d, y: cy + d, w: w, h: h},
      {x: cx - d - w, y: cy + d, w: w, h: h}
    ];
  }

  // labels: [{cx, cy, r, w, h}], most important first; bounds: the plot {x, y, w, h}. For each label, the index
  // of the side it takes in sides() or -1 (hidden); and the boxes taken, in the same order.
  function place(labels, bounds) {
    var taken = labels.map(function (l) { // the labelled nodes themselves
      return {x: l.cx - l.r, y: l.cy - l.r, w: 2 * l.r, h: 2 * l.r};
    });
    var chosen = [], boxes = [];
    labels.forEach(function (l) {
      var options = sides(l.cx, l.cy, l.r, l.w, l.h), side = -1, box = null;
      for (var i = 0; i < options.length && side < 0; i++) {
        var b = options[i];
        var grown = {x: b.x - GAP, y: b.y - GAP, w: b.w + 2 * GAP, h: b.h + 2 * GAP};
        if (inside(b, bounds) && !taken.some(function (t) { return overlaps(grown, t); })) {
          side = i;
          box = b;
        }
      }
      if (box) { taken.push(box); }
      chosen.push(side);
      boxes.push(box);
    });
    return {sides: chosen, boxes: boxes};
  }

  // The drawn trace of the labels in a Plotly graph div, or null (each trace's group holds its points' data).
  function labelGroup(gd) {
    var groups = gd.querySelectorAll("g.trace.scatter");
    for (var i = 0; i < groups.length; i++) {
      var data = groups[i].__data__;
      if (data && data[0] && data[0].trace && data[0].trace.meta === TRACE) { return groups[i]; }
    }
    return null;
  }

  // Place the labels of one chart (a Plotly graph div) as drawn now.
  function arrange(gd) {
    var group = labelGroup(gd);
    var size = gd._fullLayout && gd._fullLayout._size;
    if (!group || !size) { return; }
    var found = [];
    group.querySelectorAll("g.textpoint").forEach(function (point) {
      var text = point.querySelector("text");
      if (!text) { return; }
      point.style.visibility = "";
      point.removeAttribute("aria-hidden");
      var box = text.getBBox();
      var datum = point.__data__ || {};
      found.push({
        point: point, box: box,
        cx: parseFloat(text.getAttribute("x")), cy: parseFloat(text.getAttribute("y")),
        r: datum.mrc > 0 ? datum.mrc : 4, w: box.width, h: box.height
      });
    });
    var placed = place(found, {x: 0, y: 0, w: size.w, h: size.h});
    found.forEach(function (l, i) {
      var b = placed.boxes[i];
      if (!b) {
        l.point.style.visibility = "hidden";
        l.point.setAttribute("aria-hidden", "true");
        return;
      }
      l.point.setAttribute("transform", "translate(" + (b.x - l.box.x) + "," + (b.y - l.box.y) + ")");
      l.point.setAttribute("data-ck-side", String(placed.sides[i]));
    });
  }

  function hook(gd) {
    if (gd.civilkortNetwork || typeof gd.on !== "function" || !labelGroup(gd)) { return; }
    gd.civilkortNetwork = true;
    gd.on("plotly_afterplot", function () { arrange(gd); });
    arrange(gd);
  }

  // Hook every network chart in the document (the app's own when none is given), now and whenever
  // Streamlit draws one (charts_watch.js).
  function install(doc) {
    root.civilkortCharts.each(doc || root.document, "network", hook);
  }

  root.civilkortNetwork = {place: place, sides: sides, arrange: arrange, install: install};
})(typeof window !== "undefined" ? window : globalThis);
