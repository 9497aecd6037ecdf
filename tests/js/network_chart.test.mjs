// Unit tests of the network's label placement (ui/assets/network_chart.js), run with `node --test` from
// tests/civilkort/test_web_js.py. The browser test (tests/browser/test_network.py) checks the drawn chart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const SCRIPT = fileURLToPath(new URL("../../ui/assets/network_chart.js", import.meta.url));

function load() {
  const context = {};
  context.window = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(SCRIPT, "utf8"), context, { filename: SCRIPT });
  return context.civilkortNetwork;
}

const labels = load();
// arrays made in the script's own context: copied into this one, so deepEqual compares their values
const place = (...args) => {
  const out = labels.place(...args);
  return { sides: Array.from(out.sides), boxes: Array.from(out.boxes) };
};
const sides = (...args) => Array.from(labels.sides(...args));
const PLOT = { x: 0, y: 0, w: 400, h: 300 };

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

test("a lone label sits above its node, clear of it", () => {
  const { sides: chosen, boxes } = place([{ cx: 200, cy: 150, r: 10, w: 80, h: 14 }], PLOT);
  assert.deepEqual(chosen, [0]);
  assert.equal(boxes[0].x, 160);
  assert.ok(boxes[0].y + boxes[0].h <= 150 - 10);
});

test("a label that would leave the plot takes another side", () => {
  const { sides: chosen, boxes } = place([{ cx: 200, cy: 5, r: 4, w: 80, h: 14 }], PLOT);
  assert.equal(chosen[0], 1); // below: above would cross the top edge
  assert.ok(boxes[0].y >= 0);
});

test("placed labels never overlap each other nor a labelled node, and lie inside the plot", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const many = Array.from({ length: 80 }, () => ({
    cx: 10 + random() * 380, cy: 10 + random() * 280, r: 3 + random() * 12, w: 40 + random() * 120, h: 14
  }));
  const { sides: chosen, boxes } = place(many, PLOT);
  const shown = boxes.filter(Boolean);
  assert.ok(shown.length >= 8 && shown.length < many.length, String(shown.length));
  for (let i = 0; i < shown.length; i++) {
    const b = shown[i];
    assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= PLOT.w && b.y + b.h <= PLOT.h);
    for (let j = i + 1; j < shown.length; j++) { assert.ok(!overlaps(b, shown[j]), `${i} ${j}`); }
    for (const l of many) {
      const node = { x: l.cx - l.r, y: l.cy - l.r, w: 2 * l.r, h: 2 * l.r };
      assert.ok(!overlaps(b, node));
    }
  }
  assert.equal(chosen.filter((s) => s === -1).length, many.length - shown.length);
});

test("the more important label wins a contested spot", () => {
  const a = { cx: 100, cy: 100, r: 5, w: 200, h: 14 };
  const b = { cx: 110, cy: 100, r: 5, w: 200, h: 14 };
  assert.deepEqual(place([a, b], { x: 0, y: 0, w: 320, h: 200 }).sides.slice(0, 1), [0]);
  assert.deepEqual(place([b, a], { x: 0, y: 0, w: 320, h: 200 }).sides.slice(0, 1), [0]);
  const crowded = place([a, b], { x: 0, y: 0, w: 215, h: 200 });
  assert.equal(crowded.sides[0], 0);
});

test("a label with no free side is hidden", () => {
  const big = { cx: 50, cy: 50, r: 4, w: 90, h: 90 };
  const { sides: chosen } = place([big, { ...big, cx: 52 }], { x: 0, y: 0, w: 100, h: 160 });
  assert.deepEqual(chosen, [1, -1]);
});

test("every side keeps its box clear of the node", () => {
  for (const box of sides(100, 100, 10, 50, 14)) {
    assert.ok(!overlaps(box, { x: 90, y: 90, w: 20, h: 20 }), JSON.stringify(box));
  }
});
