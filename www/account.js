// The account page: <latchkey-profile> (sessions and login history) with the page's own
// passkey and two-step settings inside it, through the SDK. A tab opened here gets its token
// from another open tab, or refreshes by cookie.
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

function button(text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

/** The user's passkeys: rename, delete, and add one on this device. */
async function showPasskeys(client) {
  $('passkeys').replaceChildren();
  const passkeys = await client.listPasskeys();
  $('passkey-state').textContent = passkeys.length === 0
    ? 'No passkeys yet. Add one to sign in without your password.'
    : `${passkeys.length} passkey${passkeys.length === 1 ? '' : 's'}.`;
  for (const p of passkeys) {
    const li = document.createElement('li');
    li.dataset.passkey = p.id;
    const used = p.last_used_at ? `last used ${p.last_used_at}` : 'never used';
    li.append(`${p.name}${p.backed_up ? ' (synced)' : ''}, added ${p.created_at}, ${used} `);
    li.append(button('Rename', async () => {
      const name = prompt('New name for this passkey', p.name);
      if (name) await report(client, () => client.renamePasskey(p.id, name));
    }));
    li.append(' ');
    li.append(button('Delete', async () => {
      if (confirm(`Delete the passkey "${p.name}"? It will no longer sign you in.`)) {
        await report(client, () => client.deletePasskey(p.id));
      }
    }));
    $('passkeys').append(li);
  }
  $('add-passkey').hidden = !LatchkeyClient.passkeysSupported();
}

/** Runs a passkey change, then shows the list again, or what went wrong. */
async function report(client, change) {
  try {
    await change();
    await showPasskeys(client);
  } catch (e) {
    $('passkey-state').textContent = `Could not change your passkeys: ${e.message || e.code}`;
  }
}

/** Backup codes, shown once. */
function showBackupCodes(codes) {
  $('backup-list').replaceChildren(...codes.map((c) => {
    const li = document.createElement('li');
    li.append(Object.assign(document.createElement('code'), { textContent: c }));
    return li;
  }));
  $('backup-codes').hidden = codes.length === 0;
}

/** Two-step verification: the user's authenticator apps and backup codes. */
async function showMfa(client) {
  const list = await client.listAuthenticators();
  const confirmed = list.authenticators.filter((a) => a.confirmed);
  $('mfa-state').textContent = confirmed.length === 0
    ? 'Off. Set up an authenticator app to be asked for a code after your password.'
    : `On: ${confirmed.length} authenticator app${confirmed.length === 1 ? '' : 's'}, ${list.backup_codes_left} backup code${list.backup_codes_left === 1 ? '' : 's'} left.`;
  $('authenticators').replaceChildren(...confirmed.map((a) => {
    const li = document.createElement('li');
    li.dataset.authenticator = a.id;
    li.append(`${a.name}, added ${a.created_at}, ${a.last_used_at ? `last used ${a.last_used_at}` : 'never used'} `);
    li.append(button('Remove', async () => {
      const password = prompt('Your password, to remove this authenticator app');
      if (password !== null) await mfaChange(client, () => client.removeAuthenticator(a.id, { password }));
    }));
    return li;
  }));
  $('new-backup-codes').hidden = confirmed.length === 0;
}

/** Runs a two-step verification change, then shows the section again, or what went wrong. */
async function mfaChange(client, change) {
  try {
    await change();
    await showMfa(client);
  } catch (e) {
    $('mfa-state').textContent = `Could not change two-step verification: ${e.message || e.code}`;
  }
}

async function show(client) {
  const user = await client.currentUser();
  $('email').textContent = user.email;
  await showPasskeys(client);
  await showMfa(client);
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
  $('add-passkey').addEventListener('click', () => report(client, () => client.registerPasskey({ name: `Passkey on ${navigator.platform || 'this device'}` })));
  let pending = null;
  $('add-totp').addEventListener('click', () => mfaChange(client, async () => {
    pending = await client.startTotpEnrollment();
    $('totp-qr').src = `data:image/svg+xml,${encodeURIComponent(pending.qr_svg)}`;
    $('totp-secret').textContent = pending.secret;
    $('totp-setup').hidden = false;
    $('totp-code').focus();
  }));
  $('totp-setup').addEventListener('submit', (e) => {
    e.preventDefault();
    mfaChange(client, async () => {
      const done = await client.confirmTotpEnrollment(pending.id, $('totp-code').value.trim());
      $('totp-setup').hidden = true;
      $('totp-code').value = '';
      showBackupCodes(done.backup_codes ?? []);
    });
  });
  $('new-backup-codes').addEventListener('click', () => {
    const password = prompt('Your password, to replace your backup codes');
    if (password !== null) mfaChange(client, async () => showBackupCodes(await client.regenerateBackupCodes({ password })));
  });
  if (await client.getAccessToken()) await show(client);
  else signedOut('Not signed in: sign in on the demo page first.');
}
