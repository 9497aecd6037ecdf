// Keeps what a participant types in the workshop's form in this tab's sessionStorage, and puts it back
// after a reload or a reconnect (Streamlit then starts a new session with empty fields). Run by st.html
// from ui/workshop_session.py in the app's own document.
//
// Only the form's text fields (inputs and text areas inside the capture form) are kept, per entry kind
// (the "Hvad vil du tilføje?" choice) and per field label; never the workshop's code. A saved entry or
// *Forlad workshoppen* clears the draft (clear: true). sessionStorage belongs to this tab only, so the
// next person on a shared phone does not inherit it once the tab is closed.
//
// No "<" directly before a letter or "/" anywhere in this file: st.html's sanitiser (DOMPurify) drops a
// script whose text has one.
(function (root) {
  "use strict";

  var KEY = "civilkort.workshop.udkast";
  var FORM = ".st-key-ws-capture";
  var KIND = ".st-key-ws_kind";

  // --- pure helpers (tested in tests/js/workshop_draft.test.mjs) ---------------------------------------

  function parse(text, workshop) {
    try {
      var data = JSON.parse(text || "null");
      if (data && data.workshop === workshop && data.fields && typeof data.fields === "object") {
        return data;
      }
    } catch (e) {
      // an unreadable draft is no draft
    }
    return { workshop: workshop, kind: null, fields: {} };
  }

  function withValue(data, kind, label, value) {
    var fields = Object.assign({}, data.fields);
    var own = Object.assign({}, fields[kind] || {});
    if (value) {
      own[label] = value;
    } else {
      delete own[label];
    }
    fields[kind] = own;
    return { workshop: data.workshop, kind: kind, fields: fields };
  }

  // A field the person writes in: a text area or a text input, not a select box's search field (role
  // "combobox"): what is typed there only filters the choices, and writing it back would leave the box's
  // search text standing with its list closed.
  function isDraftField(field) {
    if (!field || !field.tagName) return false;
    if (field.tagName === "TEXTAREA") return true;
    return field.tagName === "INPUT" && field.type === "text" && field.getAttribute("role") !== "combobox";
  }

  function valueFor(data, kind, label, current) {
    if (current) return null; // never overwrite what is in the field
    var own = data.fields[kind] || {};
    return Object.prototype.hasOwnProperty.call(own, label) ? own[label] : null;
  }

  // --- the page ----------------------------------------------------------------------------------------

  function activeKind(doc) {
    var on = doc.querySelector(KIND + ' button[aria-checked="true"], ' + KIND + ' button[kind$="Active"]');
    return on ? on.textContent.trim() : null;
  }

  function setValue(field, value) {
    var proto = field.tagName === "TEXTAREA" ? root.HTMLTextAreaElement : root.HTMLInputElement;
    var setter = Object.getOwnPropertyDescriptor(proto.prototype, "value").set;
    setter.call(field, value);
    field.dispatchEvent(new root.Event("input", { bubbles: true }));
  }

  function install(state) {
    var doc = root.document;
    var storage = root.sessionStorage;
    var typed = new root.WeakSet(); // fields the person has typed in since this page loaded: never refilled

    function load() {
      return parse(storage.getItem(KEY), state.workshop);
    }

    function restore() {
      var data = load();
      var kind = activeKind(doc);
      if (!kind) return;
      if (data.kind && data.kind !== kind && !state.kindAsked) {
        state.kindAsked = true; // choose the kind the draft was typed in, once
        var buttons = doc.querySelectorAll(KIND + " button");
        for (var i = 0; i !== buttons.length; i += 1) {
          if (buttons[i].textContent.trim() === data.kind) {
            buttons[i].click();
            return;
          }
        }
      }
      state.kindAsked = true;
      var fields = doc.querySelectorAll(FORM + " input[type=text], " + FORM + " textarea");
      // Streamlit may draw a field empty again as its first run settles: fill it again until typed in
      fields.forEach(function (field) {
        if (typed.has(field) || !isDraftField(field)) return;
        var value = valueFor(data, kind, field.getAttribute("aria-label") || "", field.value);
        if (value) setValue(field, value);
      });
    }

    doc.addEventListener(
      "input",
      function (event) {
        var field = event.target;
        if (!field || !field.closest || !field.closest(FORM)) return;
        if (!isDraftField(field)) return;
        if (!event.isTrusted) return; // our own refill, not the person typing
        typed.add(field);
        var kind = activeKind(doc);
        if (!kind) return;
        var data = withValue(load(), kind, field.getAttribute("aria-label") || "", field.value);
        storage.setItem(KEY, JSON.stringify(data));
      },
      true
    );
    var pending = false;
    new root.MutationObserver(function () {
      if (pending) return;
      pending = true;
      root.requestAnimationFrame(function () {
        pending = false;
        restore();
      });
    }).observe(doc.body, { childList: true, subtree: true });
    root.setInterval(restore, 700); // a value reset without a change to the page's elements
    state.restore = restore;
  }

  function civilkortWorkshopDraft(options) {
    var state = root.__civilkortDraft || (root.__civilkortDraft = {});
    if (options.clear) {
      root.sessionStorage.removeItem(KEY);
    }
    state.workshop = options.workshop;
    if (!state.restore) install(state);
    state.restore();
  }

  civilkortWorkshopDraft.parse = parse;
  civilkortWorkshopDraft.withValue = withValue;
  civilkortWorkshopDraft.valueFor = valueFor;
  civilkortWorkshopDraft.isDraftField = isDraftField;
  root.civilkortWorkshopDraft = civilkortWorkshopDraft;
})(typeof window !== "undefined" ? window : globalThis);
