// The account page: the signed-in user's sessions and login history, read through the SDK.
// A tab opened here gets its token from another open tab, or refreshes by cookie.
import init, { LatchkeyClient } from '/pkg/latchkey_sdk.js';

const $ = (id) => document.getElementById(id);
const clientId = new URLSearchParams(location.search).get('client_id');
await init();
$('demo-link').href = clientId ? `/?client_id=${encodeURIComponent(clientId)}` : '/';

function signedOut(text) {
  $('account').hidden = true;
  $('state').textContent = text;
  document.body.dataset.auth = 'signed-out';
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text ?? '–';
  row.append(td);
}

async function show(client) {
  const user = await client.currentUser();
  $('email').textContent = user.email;
  $('sessions').replaceChildren();
  for (const s of await client.listSessions()) {
    const li = document.createElement('li');
    li.textContent = `${s.current ? '(this device) ' : ''}${s.browser ?? 'unknown browser'} on ${s.os ?? 'unknown OS'}, ${[s.city, s.country].filter(Boolean).join(', ') || 'unknown place'}, since ${s.created_at} `;
    if (!s.current) {
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.textContent = 'Revoke';
      revoke.addEventListener('click', async () => { await client.revokeSession(s.id); await show(client); });
      li.append(revoke);
    }
    $('sessions').append(li);
  }
  $('history').replaceChildren();
  const history = await client.loginHistory({ limit: 20 });
  for (const h of history.history) {
    const row = document.createElement('tr');
    cell(row, h.created_at);
    cell(row, h.action);
    cell(row, h.ip_address);
    cell(row, h.user_agent);
    $('history').append(row);
  }
  $('state').textContent = '';
  $('account').hidden = false;
  document.body.dataset.auth = 'signed-in';
}

if (!clientId) {
  signedOut('Open this page with ?client_id= an application\'s client id.');
} else {
  const client = new LatchkeyClient({ baseUrl: location.origin, clientId });
  client.onAuthStateChange((event) => {
    if (event === 'SIGNED_OUT') signedOut('Signed out.');
  });
  $('logout').addEventListener('click', () => client.logout({}));
  $('logout-everywhere').addEventListener('click', () => client.logout({ everywhere: true }));
  if (await client.getAccessToken()) await show(client);
  else signedOut('Not signed in: sign in on the demo page first.');
}
