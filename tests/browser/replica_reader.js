// What a reader sees once a page of the app has loaded (tests/browser/test_replicas_rebuild.py).
// Evaluated in the page: null while the old document is still there, Streamlit is still running or the
// provenance caption is not drawn yet; else the caption's source ("Kilde: …") and every error shown.
() => {
  if (window.__civilkortOldDocument) return null;
  const app = document.querySelector("[data-testid=stApp]");
  const state = app && app.getAttribute("data-test-script-state");
  if (!app || state === "initial" || state === "running") return null;
  const main = document.querySelector("[data-testid=stMain]");
  const text = main ? main.innerText : "";
  const errors = [];
  for (const box of document.querySelectorAll("[data-testid=stException]")) {
    errors.push(`undtagelse: ${box.innerText.slice(0, 300)}`);
  }
  for (const box of document.querySelectorAll("[data-testid=stAlertContentError]")) {
    errors.push(`fejlbanner: ${box.innerText.slice(0, 300)}`);
  }
  for (const phrase of ["Traceback", "Noget gik galt", "Der er endnu ingen data"]) {
    if (text.includes(phrase)) errors.push(`tekst: ${phrase}`);
  }
  const source = /Data bygget [^·\n]*· Kilde: ([^·\n]+)/.exec(text);
  if (!source && errors.length === 0) return null;
  return { source: source ? source[1].trim() : null, errors };
}
