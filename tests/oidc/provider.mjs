// A real OpenID Connect provider for the login tests: panva's oidc-provider (certified), configured for one
// client and a few accounts, with a small login page of its own.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json:
//   {
//     "port": 45678,                           // listens on 127.0.0.1 only
//     "issuer": "http://127.0.0.1:45678",
//     "client": {"client_id": "...", "client_secret": "...",
//                "redirect_uris": ["http://localhost:8501/oauth2callback"],
//                "post_logout_redirect_uris": ["http://localhost:8501/oauth2callback"]},
//     "accounts": {"kirsten": {"password": "...",
//                  "claims": {"sub": "k1", "email": "...", "name": "...", "groups": ["koordinator:aarhus"]}}}
//   }
//
// What Streamlit's st.login needs from a provider (measured, see /work/shared/FIELD-NOTES.md):
// * it always sends prompt=select_account: registered here as a requestable prompt. With a live provider
//   session the page offers "Fortsæt som <navn>" (and another account); without one, the login form.
// * st.user is built from the id_token only: conformIdTokenClaims=false puts the granted scopes' claims
//   (email, name, groups) in the id_token. groups is part of the "profile" scope, which Streamlit asks for.
// * st.logout sends post_logout_redirect_uri=<app>/oauth2callback: register it in post_logout_redirect_uris.
// No page loads anything from another host (the browser tests block and record that).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider, { interactionPolicy } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts ?? {};
const bySub = new Map(Object.values(accounts).map((account) => [account.claims.sub, account]));

const esc = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="da">
<head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}.fejl{color:#a00000}
</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;
}

const policy = interactionPolicy.base();
policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(config.issuer, {
  clients: [
    {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...config.client,
    },
  ],
  jwks: { keys: [{ ...signingKey, kid: 'test', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ email_verified: true, ...account.claims }) };
  },
  // The one client is the app itself: consent is implied (no consent page), as for a first-party client.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      async logoutSource(ctx, form) {
        ctx.body = page(
          'Log ud',
          `<p>Vil du logge ud af testudbyderen?</p>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Ja, log mig ud</button>
<button type="submit" form="op.logoutForm">Nej, forbliv logget ind</button>`,
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Logget ud', '<p>Du er logget ud.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Fejl', `<pre class="fejl">${esc(JSON.stringify(out, null, 2))}</pre>`);
  },
});

function loginForm(uid, { error = '', current = null } = {}) {
  const again = current
    ? `<form method="post" action="/interaction/${uid}/continue">
<p>Du er logget ind som <strong>${esc(current.claims.name)}</strong> (${esc(current.claims.email)}).</p>
<button type="submit">Fortsæt som ${esc(current.claims.name)}</button></form>
<h2>Eller log ind med en anden konto</h2>`
    : '';
  return page(
    'Log ind',
    `${again}${error ? `<p class="fejl" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
<label for="login">Brugernavn</label><input id="login" name="login" required autofocus>
<label for="password">Adgangskode</label><input id="password" name="password" type="password" required>
<button type="submit">Log ind</button></form>`,
  );
}

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const current = details.session ? bySub.get(details.session.accountId) : null;
  if (req.method === 'GET' && !action) {
    send(res, 200, loginForm(uid, { current }));
    return;
  }
  if (req.method === 'POST' && action === 'continue' && current) {
    const result = { select_account: {}, login: { accountId: details.session.accountId } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await formBody(req);
    const account = accounts[form.get('login') ?? ''];
    if (!account || account.password !== form.get('password')) {
      send(res, 200, loginForm(uid, { error: 'Forkert brugernavn eller adgangskode.', current }));
      return;
    }
    const result = { select_account: {}, login: { accountId: account.claims.sub } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  send(res, 405, page('Fejl', '<p>Ukendt handling.</p>'));
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\/(login|continue))?(?:\?.*)?$/.exec(req.url);
  if (!match) {
    handle(req, res);
    return;
  }
  interaction(req, res, match[1], match[2]).catch((error) => {
    console.error(error);
    send(res, 400, page('Fejl', `<p class="fejl">${esc(error.message)}</p>`));
  });
});
server.listen(config.port, '127.0.0.1', () => {
  console.log(`oidc-provider klar på ${config.issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
