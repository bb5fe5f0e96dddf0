// The admin dashboard's API keys: the organization's keys (name, what they may do, when made
// and until when, never a secret), a form to create one whose secret is shown once, and
// revocation after a confirmation. The secret lives only in the box that shows it: opening
// the section again, or reloading, shows it no more.
import {
  KEY, api, el, when, refusal, viewTitle, claim, problem, field, checkbox, checkGroup, checkedValues,
  apiForm, dangerButton, secretOnce, table, LATCHKEY_PERMISSIONS,
} from '/admin/common.js';

const READ = 'api_keys:read';
const WRITE = 'api_keys:write';

export async function show(view) {
  const current = claim(view);
  let list;
  try {
    list = await api('/api/v1/api-keys');
  } catch (e) {
    if (current()) viewTitle(view, 'API keys', problem(e, READ));
    return;
  }
  if (!current()) return;
  const secret = el('div', { className: 'secret-slot' });
  const keys = el('section', { className: 'card' });
  const reload = async () => {
    try {
      fillKeys(keys, (await api('/api/v1/api-keys')).api_keys, reload);
    } catch (e) {
      keys.replaceChildren(el('h3', { textContent: 'Keys' }), problem(e, READ));
    }
  };
  fillKeys(keys, list.api_keys, reload);
  viewTitle(view, 'API keys', secret, keys, createForm(secret, reload));
}

/** Whether `k` is the key this dashboard was opened with. */
const mine = (k) => (sessionStorage.getItem(KEY) ?? '').startsWith(`lk_${k.prefix}_`);

function status(k) {
  if (k.revoked_at) return `Revoked ${when(k.revoked_at)}`;
  if (k.expires_at && Date.parse(k.expires_at) <= Date.now()) return `Expired ${when(k.expires_at)}`;
  return k.expires_at ? `Active until ${when(k.expires_at)}` : 'Active';
}

/** The keys' table in `card`, each active key with a Revoke button. */
function fillKeys(card, keys, reload) {
  const error = el('p', { className: 'error', role: 'alert' });
  const rows = keys.map((k) => {
    const revoke = async () => {
      error.textContent = '';
      try {
        await api(`/api/v1/api-keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
        await reload();
      } catch (e) {
        error.textContent = refusal(e, `${WRITE}, and every permission the key holds`);
      }
    };
    const question = mine(k)
      ? `Revoke ${k.name}? This dashboard uses it: it stops working too.`
      : `Revoke ${k.name}? Whatever uses it is refused from now on.`;
    return [
      mine(k) ? el('span', {}, k.name, el('span', { className: 'muted', textContent: ' (this dashboard’s key)' })) : k.name,
      el('code', { textContent: `lk_${k.prefix}_…` }),
      k.permissions ? k.permissions.join(', ') || 'None' : 'All',
      when(k.created_at),
      status(k),
      k.revoked_at ? '' : dangerButton('Revoke', question, revoke, `Revoke the key ${k.name}`),
    ];
  });
  const h3 = el('h3', { textContent: 'Keys' });
  const body = keys.length
    ? table('API keys', ['Name', 'Key', 'Permissions', 'Created', 'Status', 'Revoke'], rows)
    : el('p', { className: 'muted', textContent: 'No API key.' });
  card.replaceChildren(h3, body, error);
}

/** The form for a new key; its secret is shown once in `slot`. */
function createForm(slot, reload) {
  const name = el('input', { name: 'name', required: true, autocomplete: 'off' });
  const all = checkbox('Every permission, including ones Latchkey adds later (an unrestricted key)', { name: 'unrestricted' });
  const some = checkGroup('Permissions', 'permissions', LATCHKEY_PERMISSIONS.map((p) => [p, p]));
  const allBox = all.querySelector('input');
  allBox.addEventListener('change', () => { some.disabled = allBox.checked; });
  const expires = el('input', { name: 'expires_at', type: 'datetime-local' });
  return apiForm({
    title: 'Create an API key',
    button: 'Create key',
    permission: `${WRITE}, and every permission the new key would hold`,
    children: [field('Name', name), some, all, field('Expires (optional)', expires, 'The key stops working then; empty for never.')],
    submit: async (form) => {
      const permissions = allBox.checked ? null : checkedValues(some);
      if (permissions?.length === 0) {
        throw Object.assign(new Error('Choose at least one permission, or every permission.'), { code: 'INVALID_PERMISSIONS' });
      }
      const body = { name: name.value, permissions };
      if (expires.value) body.expires_at = new Date(expires.value).toISOString();
      const made = await api('/api/v1/api-keys', { method: 'POST', body });
      const shown = secretOnce(`The new key “${made.name}”`, made.key, 'the API key');
      slot.replaceChildren(shown);
      shown.focus();
      form.reset();
      some.disabled = false;
      await reload();
      return '';
    },
  });
}
