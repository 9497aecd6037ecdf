// Unit tests of the app document's Danish names (ui/assets/document_da.js), run with `node --test` from
// tests/civilkort/test_web_js.py. The browser test (tests/browser/test_accessibility.py) checks the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const SCRIPT = fileURLToPath(new URL("../../ui/assets/document_da.js", import.meta.url));

function load() {
  const context = {};
  context.window = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(SCRIPT, "utf8"), context, { filename: SCRIPT });
  return context.civilkortDanish;
}

const { danish } = load();

test("Streamlit's own names and instructions get their Danish", () => {
  assert.equal(danish("App pages"), "Sider");
  assert.equal(danish("Collapse sidebar"), "Skjul sidepanelet");
  assert.equal(danish("Press Enter to submit form"), "Tryk Enter for at sende formularen");
  assert.equal(danish("Choose an option"), "Vælg …");
});

test("labels built from an app text keep the app's part", () => {
  assert.equal(danish("Help for Område"), "Hjælp til Område");
  assert.equal(danish("Remove Kommuner"), "Fjern Kommuner");
  assert.equal(danish("Limit 150MB per file • XLSX, CSV"), "Højst 150 MB pr. fil • XLSX, CSV");
});

test("the app's own text is left alone", () => {
  for (const text of ["Område", "Kort", "Sundhedsråd Aarhus", "Openness", "Helper", "", null, undefined]) {
    assert.equal(danish(text), null, String(text));
  }
});

test("a Danish name is never translated again", () => {
  for (const english of ["App pages", "Sidebar", "Help for Tema", "Remove Tema", "Clear all"]) {
    assert.equal(danish(danish(english)), null, english);
  }
});
