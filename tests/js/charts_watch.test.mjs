// Unit tests of ui/assets/charts_watch.js (every Plotly chart, now and when Streamlit draws one), run with
// `node --test` from tests/civilkort/test_web_js.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const SCRIPT = fileURLToPath(new URL("../../ui/assets/charts_watch.js", import.meta.url));

function world() {
  const observers = [];
  const frames = [];
  const context = {
    MutationObserver: class {
      constructor(fn) { this.fn = fn; observers.push(this); }
      observe(target, options) { this.target = target; this.options = options; }
    },
    requestAnimationFrame: (fn) => frames.push(fn),
  };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(SCRIPT, "utf8"), context, { filename: SCRIPT });
  const charts = ["a"];
  const doc = { body: {}, querySelectorAll: (selector) => (selector === ".js-plotly-plot" ? [...charts] : []) };
  return { each: context.civilkortCharts.each, observers, frames, charts, doc };
}

test("every chart now, and the new ones after Streamlit draws, one scan per frame", () => {
  const w = world();
  const seen = [];
  w.each(w.doc, "taps", (gd) => seen.push(gd));
  assert.deepEqual(seen, ["a"]);
  assert.equal(w.observers.length, 1);
  assert.equal(w.observers[0].target, w.doc.body);
  w.charts.push("b");
  w.observers[0].fn();
  w.observers[0].fn(); // two changes in one frame: one scan
  assert.equal(w.frames.length, 1);
  w.frames[0]();
  assert.deepEqual(seen, ["a", "a", "b"]);
});

test("one observer per document and purpose, however often the script runs", () => {
  const w = world();
  const seen = [];
  w.each(w.doc, "taps", (gd) => seen.push(`t:${gd}`));
  w.each(w.doc, "taps", (gd) => seen.push(`t:${gd}`)); // the next script run
  w.each(w.doc, "network", (gd) => seen.push(`n:${gd}`));
  assert.equal(w.observers.length, 2);
  assert.deepEqual(seen, ["t:a", "t:a", "n:a"]);
});
