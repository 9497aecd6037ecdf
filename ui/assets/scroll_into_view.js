// Scrolls the app's page to one element once it is drawn (run by st.html from ui/workshop.py), so that
// what a button just showed higher up (the workshop's code, large) is in view. Gives up after 5 s.
// No "<" directly before a letter or "/" in this file (st.html's sanitiser would drop the script).
/* exported civilkortScrollIntoView */
function civilkortScrollIntoView(selector) {
  const started = Date.now();
  function attempt() {
    const element = window.document.querySelector(selector);
    if (element) {
      element.scrollIntoView({ block: "start", behavior: "auto" });
    } else if (Date.now() - started < 5000) {
      window.requestAnimationFrame(attempt);
    }
  }
  attempt();
}
