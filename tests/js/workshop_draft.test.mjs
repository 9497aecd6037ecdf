// Unit tests of the workshop form's draft (ui/assets/workshop_draft.js): what is kept, for which workshop
// and kind, and that it never overwrites a field. The browser test (tests/browser/test_workshop_room.py)
// types, reloads and sees the text back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const SCRIPT = fileURLToPath(new URL("../../ui/assets/workshop_draft.js", import.meta.url));

function load() {
  const context = {};
  context.window = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(SCRIPT, "utf8"), context, { filename: SCRIPT });
  return context.civilkortWorkshopDraft;
}

const draft = load();

test("a draft belongs to one workshop: another workshop's or an unreadable one starts empty", () => {
  const kept = JSON.stringify({ workshop: "w1", kind: "Tilbud", fields: { Tilbud: { "Navn *": "Løbeklub" } } });
  assert.equal(draft.parse(kept, "w1").fields.Tilbud["Navn *"], "Løbeklub");
  assert.deepEqual(JSON.parse(JSON.stringify(draft.parse(kept, "w2"))), { workshop: "w2", kind: null, fields: {} });
  assert.deepEqual(Object.keys(draft.parse("{ikke json", "w1").fields), []);
  assert.deepEqual(Object.keys(draft.parse(null, "w1").fields), []);
});

test("values are kept per kind and label, and an emptied field is forgotten", () => {
  let data = draft.parse(null, "w1");
  data = draft.withValue(data, "Tilbud", "Navn *", "Løbeklub");
  data = draft.withValue(data, "Organisation", "Navn *", "Hjerteforeningen");
  assert.equal(data.kind, "Organisation");
  assert.equal(draft.valueFor(data, "Tilbud", "Navn *", ""), "Løbeklub");
  assert.equal(draft.valueFor(data, "Organisation", "Navn *", ""), "Hjerteforeningen");
  data = draft.withValue(data, "Tilbud", "Navn *", "");
  assert.equal(draft.valueFor(data, "Tilbud", "Navn *", ""), null);
});

test("a field that already holds text is never overwritten", () => {
  const data = draft.withValue(draft.parse(null, "w1"), "Parkeringsplads", "Tekst *", "gammel");
  assert.equal(draft.valueFor(data, "Parkeringsplads", "Tekst *", "ny tekst"), null);
  assert.equal(draft.valueFor(data, "Parkeringsplads", "Andet", ""), null);
});

test("a select box's search field is not part of the draft: only text areas and text inputs are", () => {
  const field = (tagName, type, role) => ({ tagName, type, getAttribute: (name) => (name === "role" ? role : null) });
  assert.equal(draft.isDraftField(field("TEXTAREA", undefined, null)), true);
  assert.equal(draft.isDraftField(field("INPUT", "text", null)), true);
  assert.equal(draft.isDraftField(field("INPUT", "text", "combobox")), false); // the municipality box's search
  assert.equal(draft.isDraftField(field("INPUT", "checkbox", null)), false);
  assert.equal(draft.isDraftField(null), false);
});
