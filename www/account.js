// The account page: who is signed in, sign out (here or everywhere), and <latchkey-profile>
// (sessions, login history, passkeys, two-step verification), through the SDK. A tab opened
// here gets its token from another open tab, or refreshes by cookie.
import init, { LatchkeyClient } from '/pkg/latchkey_sdk.js';

const $ = (id) => document.getElementById(id);
const clientId = new URLSearchParams(location.search).get('client_id');
// Before the SDK defines the element, so it never starts without its client id.
if (clientId) $('profile').setAttribute('client-id', clientId);
await init();
$('demo-link').href = clientId ? `/?client_id=${encodeURIComponent(clientId)}` : '/';

function signedOut(text) {
  $('account').hidden = true;
  $('state').textContent = text;
  document.body.dataset.auth = 'signed-out';
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
  if (await client.getAccessToken()) {
    const user = await client.currentUser();
    $('email').textContent = user.email;
    $('state').textContent = '';
    $('account').hidden = false;
    document.body.dataset.auth = 'signed-in';
  } else {
    signedOut('Not signed in: sign in on the demo page first.');
  }
}
