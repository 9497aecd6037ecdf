// Test-only (tests/browser/appserver.py, wait_settled): what in this document is still moving or still
// arriving. Evaluated in the page and in each of its frames; an empty list means this document is settled.
// Used before a screenshot, an axe check or a measurement, instead of a fixed wait.
() => {
  const moving = [];
  const name = (e) => (e && e.getAttribute ? e.tagName.toLowerCase() + "." + (e.getAttribute("class") || "") : "");

  // CSS transitions and finite CSS animations: Leaflet's zoom, pan, fade and cluster moves, Streamlit's
  // fade-ins. An endless one (a spinner) never ends and is not waited for.
  for (const a of document.getAnimations()) {
    const end = a.effect ? a.effect.getComputedTiming().endTime : Infinity;
    if (a.playState === "running" && Number.isFinite(end)) {
      moving.push(`css ${a.transitionProperty || a.animationName || "animation"} on ${name(a.effect.target)}`);
    }
  }
  if (document.fonts && document.fonts.status !== "loaded") moving.push("fonts loading");
  for (const img of document.images) {
    if (!img.complete) moving.push(`image loading: ${img.src.slice(0, 80)}`);
  }

  // Leaflet maps (streamlit-folium's window.map, folium's map_<id>): zooming, panning, tiles loading,
  // marker clusters splitting or merging after a view change.
  const L = window.L;
  if (L && L.Map) {
    const maps = new Set();
    for (const key of Object.keys(window)) {
      try { if (window[key] instanceof L.Map) maps.add(window[key]); } catch (e) { /* a getter that throws */ }
    }
    for (const map of maps) {
      if (!map._loaded) moving.push("map without a view");
      if (map._animatingZoom) moving.push("map zooming");
      if (map._panAnim && map._panAnim._inProgress) moving.push("map panning");
      if (map._mapPane && map._mapPane.classList.contains("leaflet-cluster-anim")) moving.push("clusters moving");
      map.eachLayer((layer) => {
        if (L.GridLayer && layer instanceof L.GridLayer && layer._loading) moving.push("tiles loading");
        if (L.MarkerClusterGroup && layer instanceof L.MarkerClusterGroup) {
          if (layer._inZoomAnimation > 0 || (layer._queue && layer._queue.length > 0)) moving.push("clusters moving");
        }
      });
    }
  }

  // Streamlit (the page itself): a run, elements still arriving, frames, charts and grids not drawn yet.
  const app = document.querySelector("[data-testid=stApp]");
  if (app) {
    const state = app.getAttribute("data-test-script-state");
    if (state === "initial" || state === "running") moving.push(`script ${state}`);
    if (document.querySelector("[data-testid=stSkeleton]")) moving.push("skeleton shown");
  }
  for (const frame of document.querySelectorAll("iframe")) {
    let doc = null;
    try { doc = frame.contentDocument; } catch (e) { doc = null; }  // another origin: not ours to read
    if (doc && doc.readyState !== "complete") moving.push(`frame loading: ${frame.title || frame.src.slice(0, 80)}`);
  }
  for (const plot of document.querySelectorAll(".js-plotly-plot")) {
    if (!plot.querySelector(".main-svg")) moving.push("plotly chart not drawn");
  }
  // Streamlit's data grid (glide-data-grid) paints on a canvas after it is laid out: wait until the canvas
  // has its laid-out size in device pixels and something (the header at least) is painted on it.
  for (const canvas of document.querySelectorAll("canvas[data-testid=data-grid-canvas]")) {
    const wanted = Math.round(canvas.clientWidth * window.devicePixelRatio);
    if (canvas.clientWidth === 0 || Math.abs(canvas.width - wanted) > 2) {
      moving.push("grid not laid out");
      continue;
    }
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = false;
    for (let i = 4; i < pixels.length && !painted; i += 4) {
      painted = pixels[i] !== pixels[0] || pixels[i + 1] !== pixels[1] || pixels[i + 2] !== pixels[2]
        || pixels[i + 3] !== pixels[3];
    }
    if (!painted) moving.push("grid not painted");
  }
  return moving;
}
