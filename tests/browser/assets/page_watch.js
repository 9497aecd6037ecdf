// Test-only, added to a page before Streamlit starts (Playwright's add_init_script): records what a
// participant saw and when, so a test can read it after the page has changed again.
//   window.civilkortWatch.confirmations  each "Gemt: …" confirmation once: {text, at}
//   window.civilkortWatch.events         changes of the app's connection and script state: {kind, value, at}
//   window.civilkortWatch.counts         each new "Indtastninger (N)" heading: {n, at}
// A reconnect to another replica reruns the page there, which removes a confirmation shown before it.
(() => {
  const watch = { confirmations: [], events: [], counts: [] };
  window.civilkortWatch = watch;
  const seenTexts = new Set();
  let lastCount = null;
  let connection = null;
  let script = null;

  const look = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app) {
      if (app.dataset.testConnectionState !== connection) {
        connection = app.dataset.testConnectionState;
        watch.events.push({ kind: 'connection', value: connection, at: Date.now() });
      }
      if (app.dataset.testScriptState !== script) {
        script = app.dataset.testScriptState;
        watch.events.push({ kind: 'script', value: script, at: Date.now() });
      }
    }
    for (const alert of document.querySelectorAll('[data-testid="stAlertContentSuccess"]')) {
      const text = (alert.innerText || '').trim();
      if (text.includes('Gemt:') && !seenTexts.has(text)) {
        seenTexts.add(text);
        watch.confirmations.push({ text, at: Date.now() });
      }
    }
    for (const heading of document.querySelectorAll('h3')) {
      const match = /^Indtastninger \((\d+)\)/.exec((heading.innerText || '').trim());
      if (match && Number(match[1]) !== lastCount) {
        lastCount = Number(match[1]);
        watch.counts.push({ n: lastCount, at: Date.now() });
      }
    }
  };

  new MutationObserver(look).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ['data-test-connection-state', 'data-test-script-state'],
  });
})();
