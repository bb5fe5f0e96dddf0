// The hosted sign-in page of the OpenID provider. The authorization endpoint serves it
// only for a request it checked (client, exact redirect URI, PKCE, scopes); here the user
// signs in with <latchkey-login>, then the page trades that session for the code
// (POST /api/v1/oauth2/grant, which checks the request again) and goes back to the client.
import init, { LatchkeyClient } from '/pkg/latchkey_sdk.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const clientId = params.get('client_id');
const prompt = (params.get('prompt') ?? '').split(' ');
const status = (text) => { $('status').textContent = text; };

async function grant(client) {
  status('Signing you in…');
  const res = await fetch('/api/v1/oauth2/grant', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await client.getAccessToken()}` },
    body: JSON.stringify({ query: location.search }),
  });
  const body = await res.json().catch(() => ({}));
  if (res.ok) {
    document.body.dataset.state = 'redirecting';
    location.replace(body.redirect_to);
    return;
  }
  if (body.error_code === 'login_required') {
    // The session is older than the application accepts. With prompt=none nothing may be
    // shown: the client hears so. Otherwise the person, who chose to continue, signs in again.
    if (prompt.includes('none')) return sendBack('login_required');
    await client.logout().catch(() => {});
    showForm('This application asks you to sign in again.');
    return;
  }
  document.body.dataset.state = 'error';
  status(`This sign-in could not be completed: ${body.error_msg ?? res.statusText}`);
}

/** Back to the client with `error` (its redirect URI was checked before this page was served). */
async function sendBack(error) {
  const issuer = (await (await fetch('/.well-known/openid-configuration')).json()).issuer;
  const back = new URL(params.get('redirect_uri'));
  back.searchParams.set('error', error);
  if (params.get('state')) back.searchParams.set('state', params.get('state'));
  back.searchParams.set('iss', issuer);
  document.body.dataset.state = 'redirecting';
  location.replace(back.href);
}

function showForm(text) {
  status(text);
  const login = $('login');
  // The client's login_hint, as the starting identifier (the person may change it).
  const hint = params.get('login_hint');
  if (hint) login.setAttribute('login-hint', hint.slice(0, 320));
  login.setAttribute('client-id', clientId);
  login.hidden = false;
  document.body.dataset.state = 'form';
}

async function start() {
  // Only as the authorization endpoint's answer: opened anywhere else, nothing was checked.
  if (location.pathname !== '/oauth2/authorize' || !clientId) {
    document.body.dataset.state = 'error';
    status('Open this page through the application you are signing in to.');
    return;
  }
  await init();
  const client = new LatchkeyClient({ baseUrl: location.origin, clientId });
  const login = $('login');
  // A fresh sign-in (not a session found on load) goes straight back to the application;
  // a session found on load waits for "Continue".
  login.addEventListener('latchkey:login', (e) => { if (!e.detail.resumed) grant(client); });
  login.addEventListener('latchkey:continue', () => grant(client));
  if (prompt.includes('none')) {
    // No page at all: the session this browser has, or login_required at the client.
    if (await client.getAccessToken().catch(() => null)) return grant(client);
    return sendBack('login_required');
  }
  // prompt=login signs nobody out on load (any site could open this address): a session
  // found here waits for "Continue", and the server asks for a new sign-in if it is not
  // recent (login_required, above).
  showForm('');
}

start().catch((err) => {
  document.body.dataset.state = 'error';
  status(`Something went wrong: ${err}`);
});
