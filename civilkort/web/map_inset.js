// An inset for an outlying island (Bornholm), as Danish maps draw it; civilkort/inset.py decides when.
// The main view fits the rest of the area and keeps clear of the inset's corner; the island gets a small framed
// Leaflet map in the bottom-right corner, drawn by the same builders with the same styling: every layer call on
// the main map is mirrored into it, filtered to the island, and follows its main layer on and off the map. The
// inset shows while the island is out of the main view. It is named, takes no keyboard focus, and cannot be
// dragged or zoomed: a click on a marker or an area reaches the page as a click on the main map does (the page
// opens the details), a click on a cluster takes the main map there.
(function () {
  "use strict";
  var ck = window.ckLib;
  if (!ck || ck.inset) { return; }

  function inBox(b, p) { return p[0] >= b[0][0] && p[0] <= b[1][0] && p[1] >= b[0][1] && p[1] <= b[1][1]; }
  function middle(b) { return [(b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2]; }
  // Does the view show the island (box) so that no inset is needed: all of it, or the view is on it?
  // Boxes are [[south, west], [north, east]].
  function covered(view, island) {
    return (inBox(view, island[0]) && inBox(view, island[1])) || inBox(island, middle(view));
  }
  // The fit's padding that keeps the area clear of the inset's corner (w × h px, measured from the map's
  // bottom-right corner): beside the inset or above it, whichever allows the closer zoom.
  function corner(zoomBeside, zoomAbove, w, h) {
    return zoomBeside >= zoomAbove ? {paddingTopLeft: [12, 12], paddingBottomRight: [12 + w, 12]}
                                   : {paddingTopLeft: [12, 12], paddingBottomRight: [12, 12 + h]};
  }
  function boxOf(b) { return [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]]; }
  var OPTIONS = {zoomControl: false, attributionControl: false, dragging: false, touchZoom: false,
                 scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false, tap: false,
                 zoomSnap: 0.1, maxZoom: 18, inertia: false, fadeAnimation: false, zoomAnimation: false, markerZoomAnimation: false};

  function inset(map, spec) {
    var only = {codes: spec.codes, bounds: spec.bounds}, frame = null, holder = null;
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      frame = L.DomUtil.create("figure", "ck-inset leaflet-control");
      L.DomUtil.create("figcaption", "ck-inset-caption", frame).textContent = spec.name;
      holder = L.DomUtil.create("div", "ck-inset-map", frame);
      L.DomEvent.disableClickPropagation(frame);
      L.DomEvent.disableScrollPropagation(frame);
      return frame;
    };
    control.addTo(map);
    L.DomUtil.addClass(map.getContainer(), "ck-inset-on");
    var small = L.map(holder, OPTIONS);
    small.ckMain = map;
    ck.named(holder, "Indsat kort over " + spec.name).setAttribute("role", "region");
    ck.setup(small);
    function show() {
      small.invalidateSize({animate: false});
      small.fitBounds(spec.bounds, {padding: [4, 4], animate: false});
    }
    show();
    function sync() {
      var hide = covered(boxOf(map.getBounds()), spec.bounds);
      if (hide === frame.hidden) { return; }
      frame.hidden = hide;
      L.DomUtil[hide ? "removeClass" : "addClass"](map.getContainer(), "ck-inset-on");
      if (!hide) { show(); }
    }
    map.on("moveend zoomend resize", sync);
    // A mirrored layer follows its main layer: on the map with it (a swap, the layer control), off with it.
    map.on("layeradd", function (e) {
      var copy = e.layer.ckInsetCopy;
      if (copy && !small.hasLayer(copy)) { copy.addTo(small); }
    });
    map.on("layerremove", function (e) {
      var copy = e.layer.ckInsetCopy;
      if (copy && small.hasLayer(copy)) { small.removeLayer(copy); }
    });
    map.ckInset = {
      map: small,
      mirror: function (host, builder, d) {
        var copy = ck.builders[builder](small, d, only);
        host.ckInsetCopy = copy;
        copy.on("click", function (e) {
          var target = e.sourceTarget || e.layer;
          // after the layer's own handlers (a point binds its tooltip, which names it to the page, on a click)
          setTimeout(function () {
            host.fire("click", {latlng: e.latlng, layer: e.layer, sourceTarget: target}, true);
          }, 0);
        });
        copy.on("clusterclick", function (e) {
          map.fitBounds(e.layer.getBounds(), {padding: [40, 40], maxZoom: 13, animate: false});
        });
        if (map.hasLayer(host)) { copy.addTo(small); }
        return copy;
      },
      fitOptions: function (bounds) {
        // Measured from sizes this file's CSS sets: Leaflet's own stylesheet (which places the corner) may not
        // have loaded yet when the map first fits.
        var credit = map.attributionControl ? map.attributionControl.getContainer().offsetHeight : 0;
        var w = holder.offsetWidth + 14, h = frame.offsetHeight + 10 + Math.min(credit, 40), size = map.getSize();
        if (frame.hidden || !(holder.offsetWidth > 0)) { return {padding: [12, 12]}; }
        var beside = w + 48 < size.x ? map.getBoundsZoom(bounds, false, L.point(24 + w, 24)) : -Infinity;
        var above = h + 48 < size.y ? map.getBoundsZoom(bounds, false, L.point(24, 24 + h)) : -Infinity;
        if (beside === -Infinity && above === -Infinity) { return {padding: [12, 12]}; }
        return corner(beside, above, w, h);
      }
    };
    return map.ckInset;
  }

  ck.inset = inset;
  ck.insetCovered = covered;
  ck.insetCorner = corner;
})();
