// A tap on a phone chooses a chart's point as a click does (run by st.html from ui/touch.py beside every
// chart drawn with on_select: the network, the gap matrices, the tile map, the radar's bars).
//
// Streamlit learns of a click on a point from Plotly's plotly_selected event. On a touch screen Plotly sends
// only plotly_click for a tap (plotly/plotly.js#6721), so the page never heard of it: a tap that brings no
// selection of its own is passed on as the selection of the tapped point.
//
// No "<" directly before a letter or "/" anywhere in this file: st.html's sanitiser (DOMPurify) drops a
// script whose text has one (tests/ui/test_browser.py).
(function (root) {
  "use strict";

  var TAP_WINDOW = 150; // ms: a click's own plotly_selected comes within this time of it

  // What Streamlit reads of a selected point (a click's point also holds its axes, which refer to each other).
  function plain(point) {
    return {
      curveNumber: point.curveNumber, pointNumber: point.pointNumber, pointIndex: point.pointIndex,
      x: point.x, y: point.y, z: point.z, customdata: point.customdata
    };
  }

  // A click (plotly_click) without a plotly_selected within TAP_WINDOW of it is passed on as the selection
  // of its points. ``later`` schedules (setTimeout in the browser; the tests pass their own clock).
  function passTaps(gd, later) {
    if (gd.civilkortTaps || typeof gd.on !== "function") { return; }
    gd.civilkortTaps = true;
    var wait = later || root.setTimeout;
    var selectedAt = -Infinity;
    gd.on("plotly_selected", function () { selectedAt = Date.now(); });
    gd.on("plotly_click", function (event) {
      var clickedAt = Date.now();
      if (!event || !event.points || !event.points.length) { return; }
      wait(function () {
        if (Math.abs(selectedAt - clickedAt) > TAP_WINDOW) {
          gd.emit("plotly_selected", {points: event.points.map(plain)});
        }
      }, TAP_WINDOW);
    });
  }

  // Hook every chart in the document (the app's own when none is given), now and whenever Streamlit draws
  // one (charts_watch.js).
  function install(doc) {
    root.civilkortCharts.each(doc || root.document, "taps", function (gd) { passTaps(gd); });
  }

  root.civilkortPlotlyTaps = {passTaps: passTaps, plain: plain, install: install, TAP_WINDOW: TAP_WINDOW};
})(typeof window !== "undefined" ? window : globalThis);
