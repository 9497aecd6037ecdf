// Start loading another page of the app without waiting for it (tests/browser/test_replicas_rebuild.py):
// the current document is marked, so replica_reader.js can tell the new one from it.
(url) => {
  window.__civilkortOldDocument = true;
  window.location.assign(url);
}
