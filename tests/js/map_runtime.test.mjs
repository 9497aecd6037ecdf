// Unit tests of the map's browser runtime (civilkort/web/map_runtime.js), run with `node --test`.
// The runtime is loaded as the browser loads it (one script defining window.ckLib) into a VM context with the
// few globals its pure helpers touch. CK_FIXTURE, when set, names a JSON file that the Python side wrote
// (tests/civilkort/test_web_js.py) with shapes and bitmasks encoded by civilkort.maps: decoding them here must
// give back what Python encoded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const RUNTIME = fileURLToPath(new URL("../../civilkort/web/map_runtime.js", import.meta.url));

function load() {
  const context = { atob, console };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(RUNTIME, "utf8"), context, { filename: RUNTIME });
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
