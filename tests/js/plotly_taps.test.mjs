// Unit tests of the tap that chooses a chart's point on a phone (ui/assets/plotly_taps.js), run with
// `node --test` from tests/civilkort/test_web_js.py. The browser test (tests/browser/test_network.py) taps a
// drawn chart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const SCRIPT = fileURLToPath(new URL("../../ui/assets/plotly_taps.js", import.meta.url));

function load() {
  const context = { Date };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(SCRIPT, "utf8"), context, { filename: SCRIPT });
  return context.civilkortPlotlyTaps;
}

const taps = load();

// A chart as Plotly makes it, as far as the script uses it: on() and emit().
function chart() {
  const handlers = {};
  const emitted = [];
  return {
    on(name, fn) { (handlers[name] = handlers[name] || []).push(fn); },
    emit(name, data) { emitted.push([name, data]); (handlers[name] || []).forEach((fn) => fn(data)); },
    fire(name, data) { (handlers[name] || []).forEach((fn) => fn(data)); },
    emitted,
  };
}

const POINT = { curveNumber: 1, pointNumber: 4, pointIndex: 4, x: "Aarhus", y: "Ældre", z: 7,
                customdata: ["cell"], xaxis: { self: "refers to the axis" } };

test("a tap (a click with no selection of its own) is passed on as the selection of its point", () => {
  const gd = chart();
  const pending = [];
  taps.passTaps(gd, (fn, ms) => pending.push([fn, ms]));
  gd.fire("plotly_click", { points: [POINT] });
  assert.equal(pending.length, 1);
  assert.equal(pending[0][1], taps.TAP_WINDOW);
  pending[0][0]();
  assert.equal(gd.emitted.length, 1);
  const [name, data] = gd.emitted[0];
  assert.equal(name, "plotly_selected");
  assert.deepEqual(JSON.parse(JSON.stringify(data.points)), [
    { curveNumber: 1, pointNumber: 4, pointIndex: 4, x: "Aarhus", y: "Ældre", z: 7, customdata: ["cell"] },
  ]);
});

test("a click that brings its own selection (a mouse) is not passed on twice", () => {
  const gd = chart();
  const pending = [];
  taps.passTaps(gd, (fn) => pending.push(fn));
  gd.fire("plotly_click", { points: [POINT] });
  gd.fire("plotly_selected", { points: [POINT] });
  pending.forEach((fn) => fn());
  assert.equal(gd.emitted.length, 0);
});

test("a click on no point, and a chart hooked twice, pass nothing on", () => {
  const gd = chart();
  const pending = [];
  taps.passTaps(gd, (fn) => pending.push(fn));
  taps.passTaps(gd, (fn) => pending.push(fn)); // the observer finds the same chart again
  gd.fire("plotly_click", { points: [] });
  gd.fire("plotly_click", undefined);
  assert.equal(pending.length, 0);
  gd.fire("plotly_click", { points: [POINT] });
  assert.equal(pending.length, 1); // one handler, not two
});
