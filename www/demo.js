// The demo page: loads the SDK's wasm (which defines <latchkey-login>), shows what it
// reports, and lets the element sign people in or up.
import init, { version } from '/pkg/latchkey_sdk.js';

const $ = (id) => document.getElementById(id);
const status = $('sdk-status');
// The element's attributes are set before the SDK defines it, so it never shows itself
// without its client id.
const clientId = new URLSearchParams(location.search).get('client_id');
if (clientId) {
  const login = $('login');
  login.setAttribute('client-id', clientId);
  login.hidden = false;
  $('no-client').hidden = true;
  const account = `/account?client_id=${encodeURIComponent(clientId)}`;
  $('account-link').href = account;
  // "Continue" in the widget, once signed in, goes to the account page.
  login.setAttribute('redirect-url', account);
  login.addEventListener('latchkey:login', (e) => {
    $('signed-in').textContent = e.detail.user.email;
    $('signed-in-section').hidden = false;
    $('last-error').textContent = '';
    document.body.dataset.auth = 'signed-in';
  });
  login.addEventListener('latchkey:logout', () => {
    $('signed-in-section').hidden = true;
    document.body.dataset.auth = 'signed-out';
  });
  login.addEventListener('latchkey:error', (e) => {
    $('last-error').textContent = `Last error: ${e.detail.code}`;
    document.body.dataset.auth = 'error';
  });
}

try {
  await init();
  $('sdk-version').textContent = version();
  status.textContent = 'ready';
  document.body.dataset.sdk = 'ready';
} catch (err) {
  status.textContent = `failed: ${err}`;
  document.body.dataset.sdk = 'failed';
}

try {
  const res = await fetch('/healthz');
  const health = await res.json();
  $('service-health').textContent = `${health.status} (d1 ${health.d1}, kv ${health.kv}, version ${health.version})`;
} catch (err) {
  $('service-health').textContent = `unreachable: ${err}`;
}
