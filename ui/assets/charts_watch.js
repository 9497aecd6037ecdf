// Every Plotly chart in the page, now and whenever Streamlit draws one (run before the scripts that use it:
// ui/browser.py's ``needs``; used by plotly_taps.js and network_chart.js).
//
// No "<" directly before a letter or "/" anywhere in this file: st.html's sanitiser (DOMPurify) drops a
// script whose text has one (tests/ui/test_browser.py).
(function (root) {
  "use strict";

  // Call ``fn`` on every chart in ``doc`` now, and on the charts present after every change Streamlit makes
  // (one pass per animation frame); ``name`` keeps one observer per document and purpose. ``fn`` must
  // tolerate being called again on a chart it has seen.
  function each(doc, name, fn) {
    var scan = function () { doc.querySelectorAll(".js-plotly-plot").forEach(function (gd) { fn(gd); }); };
    scan();
    var watching = doc.civilkortCharts || (doc.civilkortCharts = {});
    if (watching[name]) { return; }
    var pending = false;
    var observer = new root.MutationObserver(function () {
      if (pending) { return; }
      pending = true;
      root.requestAnimationFrame(function () { pending = false; scan(); });
    });
    observer.observe(doc.body, {subtree: true, childList: true});
    watching[name] = observer;
  }

  root.civilkortCharts = {each: each};
})(typeof window !== "undefined" ? window : globalThis);
