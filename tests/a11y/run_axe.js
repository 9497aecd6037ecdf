// Run axe-core's WCAG 2.0/2.1 A and AA rules on the page (and its frames) and return what it found,
// trimmed to what a test report needs. Injected after axe.min.js by tests/browser/a11y.py.
/* global axe */
window.civilkortAxe = async function civilkortAxe(context) {
  const results = await axe.run(context || document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    iframes: true,
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
};
