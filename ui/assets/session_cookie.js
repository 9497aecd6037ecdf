// Sets or clears the code sign-in's session cookie in the app's own document (run by st.html).
// The value is a token signed on the server (civilkort/session_token.py); this code only stores it.
// SameSite=Strict: never sent by another site; Secure when the page is https; Path=/ for every page.
/* exported civilkortSessionCookie */
function civilkortSessionCookie({ name, value, maxAge }) {
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  const age = value ? Math.max(0, Math.floor(maxAge)) : 0;
  document.cookie = `${name}=${value ? encodeURIComponent(value) : ''}; Max-Age=${age}; Path=/; SameSite=Strict${secure}`;
}
