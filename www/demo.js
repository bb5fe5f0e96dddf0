// The demo page: loads the SDK's wasm, shows what it reports, and signs in with it.
import init, { version, LatchkeyClient } from '/pkg/latchkey_sdk.js';

const $ = (id) => document.getElementById(id);
const status = $('sdk-status');
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

const clientId = new URLSearchParams(location.search).get('client_id');
const client = clientId ? new LatchkeyClient({ baseUrl: location.origin, clientId }) : null;

function item(list, text) {
  const li = document.createElement('li');
  li.textContent = text;
  list.append(li);
}

async function showAccount() {
  const user = await client.currentUser();
  $('signed-in').textContent = user.email;
  $('sessions').replaceChildren();
  for (const s of await client.listSessions()) {
    item($('sessions'), `${s.current ? '(this device) ' : ''}${s.browser ?? 'unknown browser'} on ${s.os ?? 'unknown OS'} since ${s.created_at}`);
  }
  $('history').replaceChildren();
  const history = await client.loginHistory({ limit: 10 });
  for (const h of history.history) item($('history'), `${h.created_at} ${h.action} from ${h.ip_address ?? '?'}`);
  $('account').hidden = false;
  document.body.dataset.auth = 'signed-in';
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  if (!client) {
    $('login-error').textContent = 'No client_id in the address.';
    return;
  }
  try {
    await client.loginWithPassword($('login-id').value, $('password').value);
    await showAccount();
  } catch (err) {
    $('login-error').textContent = `${err.code}: ${err.message}`;
    document.body.dataset.auth = 'error';
  }
});

$('logout').addEventListener('click', async () => {
  await client.logout({});
  $('account').hidden = true;
  document.body.dataset.auth = 'signed-out';
});
