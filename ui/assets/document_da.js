// Danish to assistive technology in the app's own document (run by st.html from ui/document.py).
//
// Streamlit 1.67 serves every page with lang="en" on its html element (upstream: streamlit/streamlit#15726), so a screen
// reader reads the Danish interface with English pronunciation (WCAG 3.1.1), and its own controls carry
// English names ("Collapse sidebar", "Help for …", "Clear all") and instructions ("Press Enter to apply").
// This sets the language and gives those controls Danish names, as Streamlit draws them: only strings listed
// below change, and only in attributes a screen reader announces and in Streamlit's instruction lines.
// It also repairs the list markup of the page list, whose section headings sit inside its ul element (axe
// `list`, `listitem`): the list and its items become plain groups of links under real headings.
//
// No "<" directly before a letter or "/" anywhere in this file: st.html's sanitiser (DOMPurify) drops a
// script whose text has one (tests/ui/test_document.py).
(function (root) {
  "use strict";

  // Streamlit's own English strings, exactly as it writes them, and their Danish.
  var EXACT = {
    "App pages": "Sider",
    "Sidebar": "Sidepanel",
    "Collapse sidebar": "Skjul sidepanelet",
    "Expand sidebar": "Vis sidepanelet",
    "Clear all": "Ryd alle",
    "Clear value": "Ryd værdien",
    "Open": "Åbn",
    "Selected values": "Valgte værdier",
    "Link to heading": "Link til overskriften",
    "Download as CSV": "Gem den viste tabel som CSV",
    "Fullscreen": "Fuld skærm",
    "Close fullscreen": "Luk fuld skærm",
    "Search": "Søg",
    "Show/hide columns": "Vis eller skjul kolonner",
    "Choose an option": "Vælg …",
    "Choose options": "Vælg …",
    "No results": "Ingen resultater",
    "Press Enter to apply": "Tryk Enter for at anvende",
    "Press Enter to submit form": "Tryk Enter for at sende formularen",
    "Press ⌘+Enter to apply": "Tryk ⌘+Enter for at anvende",
    "Press Ctrl+Enter to apply": "Tryk Ctrl+Enter for at anvende",
    "Press ⌘+Enter to submit form": "Tryk ⌘+Enter for at sende formularen",
    "Press Ctrl+Enter to submit form": "Tryk Ctrl+Enter for at sende formularen",
    "Drag and drop file here": "Træk en fil hertil",
    "Drag and drop files here": "Træk filer hertil",
    "Browse files": "Vælg fil",
    "Delete": "Slet",
    "Show password text": "Vis adgangskoden",
    "Hide password text": "Skjul adgangskoden",
    "Running...": "Arbejder …",
    "Main menu": "Hovedmenu",
    "Close": "Luk",
    "Copy to clipboard": "Kopiér",
    // Plotly's tool bar
    "Download plot as a PNG": "Hent figuren som PNG",
    "Zoom in": "Zoom ind",
    "Zoom out": "Zoom ud",
    "Pan": "Panorér",
    "Autoscale": "Tilpas akserne",
    "Reset axes": "Nulstil akserne",
    "Box Select": "Vælg med en kasse",
    "Lasso Select": "Vælg med en lasso",
    "Reset view": "Nulstil visningen"
  };
  // Labels Streamlit builds from an app text: the English part is a prefix.
  var PREFIXES = [["Help for ", "Hjælp til "], ["Remove ", "Fjern "]];
  // Instruction lines with a number in them.
  var PATTERNS = [
    [/^Limit (\d+)\s?MB per file(.*)$/, function (m) { return "Højst " + m[1] + " MB pr. fil" + m[2]; }]
  ];
  var ATTRIBUTES = ["aria-label", "title", "placeholder", "data-title"];
  // Where Streamlit writes instructions as text (not attributes).
  var TEXT_PLACES = "[data-testid=InputInstructions], [data-testid=stFileUploaderDropzoneInstructions], " +
    "[data-testid=stFileUploaderDropzone] button, [data-testid=stFileUploader] small, " +
    "[data-testid=stSelectboxVirtualDropdownEmpty], [data-testid=stStatusWidget]";

  // The Danish for one of Streamlit's strings, or null when it is not one of them (app text is left alone).
  function danish(text) {
    if (typeof text !== "string" || !text) { return null; }
    if (Object.prototype.hasOwnProperty.call(EXACT, text)) { return EXACT[text]; }
    for (var i = 0; i < PREFIXES.length; i++) {
      if (text.indexOf(PREFIXES[i][0]) === 0) { return PREFIXES[i][1] + text.slice(PREFIXES[i][0].length); }
    }
    for (var j = 0; j < PATTERNS.length; j++) {
      var m = PATTERNS[j][0].exec(text);
      if (m) { return PATTERNS[j][1](m); }
    }
    return null;
  }

  function translateAttributes(doc) {
    ATTRIBUTES.forEach(function (name) {
      doc.querySelectorAll("[" + name + "]").forEach(function (el) {
        var now = danish(el.getAttribute(name));
        if (now !== null) { el.setAttribute(name, now); }
      });
    });
    // A material icon inside markdown is named after its ligature ("filter_alt icon"): it is decoration.
    doc.querySelectorAll("[data-testid=stIconMaterial][aria-label]").forEach(function (el) {
      el.removeAttribute("aria-label");
      el.setAttribute("aria-hidden", "true");
    });
  }

  function translateText(doc) {
    doc.querySelectorAll(TEXT_PLACES).forEach(function (place) {
      var walker = doc.createTreeWalker(place, 4 /* NodeFilter.SHOW_TEXT */);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var text = node.nodeValue.trim(), now = danish(text);
        if (now !== null) { node.nodeValue = node.nodeValue.replace(text, now); }
      }
    });
  }

  // The page list: a ul element holding one div per section, each with a header and li elements.
  function repairPageList(doc) {
    doc.querySelectorAll("[data-testid=stSidebarNavItems]").forEach(function (list) {
      if (list.getAttribute("role") !== "none") { list.setAttribute("role", "none"); }
      list.querySelectorAll("li").forEach(function (item) {
        if (item.getAttribute("role") !== "none") { item.setAttribute("role", "none"); }
      });
      list.querySelectorAll("[data-testid=stNavSectionHeader]").forEach(function (header) {
        if (header.getAttribute("role") !== "heading") {
          header.setAttribute("role", "heading");
          header.setAttribute("aria-level", "2");
        }
      });
    });
  }

  function fix(doc) {
    if (doc.documentElement.getAttribute("lang") !== "da") { doc.documentElement.setAttribute("lang", "da"); }
    translateAttributes(doc);
    translateText(doc);
    repairPageList(doc);
  }

  // Once per document (the app's own when none is given): fix now and after every change Streamlit makes
  // (one pass per animation frame).
  function install(doc) {
    doc = doc || root.document;
    fix(doc);
    if (doc.civilkortDanish) { return; }
    var pending = false;
    var observer = new root.MutationObserver(function () {
      if (pending) { return; }
      pending = true;
      root.requestAnimationFrame(function () { pending = false; fix(doc); });
    });
    observer.observe(doc.documentElement, {
      subtree: true, childList: true, characterData: true, attributes: true,
      attributeFilter: ["lang"].concat(ATTRIBUTES)
    });
    doc.civilkortDanish = observer;
  }

  root.civilkortDanish = {danish: danish, fix: fix, install: install};
})(typeof window !== "undefined" ? window : globalThis);
