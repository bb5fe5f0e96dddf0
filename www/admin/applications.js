// The admin dashboard's applications: the list (name, client id, login methods) with a form
// to create one, and an application's page (`#applications/<id>`): its client id to copy,
// its settings (origins, redirect URIs, login methods, sign-up, sessions, multi-factor,
// passkeys), a client secret shown once, and deletion after a confirmation.
import {
  api, el, when, plural, refusal, viewTitle, claim, problem, notice, field, checkbox, group, checkGroup,
  checkedValues, lines, apiForm, dangerButton, copyButton, secretOnce, table, link,
} from '/admin/common.js';

const READ = 'applications:read';
const WRITE = 'applications:write';
const METHODS = [
  ['password', 'Password'], ['passkey', 'Passkey'], ['magic_code', 'Email code'],
  ['magic_link', 'Email link'], ['sms_code', 'Text message code'], ['sso', 'Single sign-on'],
];
const methodNames = (list) => list.map((m) => METHODS.find(([v]) => v === m)?.[1] ?? m).join(', ');
const page = (id) => `#applications/${encodeURIComponent(id)}`;

/** What the list says next, after an action that left an application's page. */
let told = '';

export async function show(view, id) {
  const current = claim(view);
  return id ? showApplication(view, id, current) : showList(view, current);
}

// ---- the list -------------------------------------------------------------------------------

async function showList(view, current) {
  let list;
  try {
    list = await api('/api/v1/applications?limit=100');
  } catch (e) {
    if (current()) viewTitle(view, 'Applications', problem(e, READ));
    return;
  }
  if (!current()) return;
  viewTitle(view, 'Applications', notice(told), applicationTable(list), createForm());
  told = '';
}

function applicationTable({ applications, total_count: total }) {
  if (applications.length === 0) {
    return el('p', { className: 'muted', textContent: 'No application yet: create the first one below.' });
  }
  const rows = applications.map((a) => [
    link(page(a.id), a.name), el('code', { textContent: a.client_id }), methodNames(a.login_methods),
  ]);
  const more = total > applications.length
    ? el('p', { className: 'muted', textContent: `The first ${applications.length} of ${plural(total, 'application', 'applications')}.` })
    : '';
  return el('div', { className: 'card' }, table('Applications', ['Name', 'Client id', 'Login methods'], rows), more);
}

function createForm() {
  const name = el('input', { name: 'name', required: true, autocomplete: 'off' });
  return apiForm({
    title: 'Create an application',
    button: 'Create',
    permission: WRITE,
    children: [field('Name', name, 'Its origins, redirect URIs and sign-in methods are set on its page next.')],
    submit: async () => {
      const app = await api('/api/v1/applications', { method: 'POST', body: { name: name.value } });
      location.hash = page(app.id);
    },
  });
}

// ---- an application's page ------------------------------------------------------------------

async function showApplication(view, id, current) {
  let app;
  try {
    app = await api(`/api/v1/applications/${encodeURIComponent(id)}`);
  } catch (e) {
    if (current()) viewTitle(view, 'Application', back(), problem(e, READ));
    return;
  }
  if (!current()) return;
  const secret = secretCard(app);
  const h2 = viewTitle(view, app.name, back(), identityCard(app), secret, settingsForm(app, saved), deleteCard(() => app));
  function saved(changed) {
    app = changed;
    h2.textContent = changed.name;
    secret.replaceWith(secretCard(changed));
  }
}

const back = () => el('p', {}, link('#applications', '← All applications'));

function identityCard(app) {
  const clientId = el('input', { name: 'client_id', value: app.client_id, readOnly: true, spellcheck: false, className: 'mono' });
  return el('div', { className: 'card' },
    el('div', { className: 'copy-field' }, field('Client id', clientId), copyButton(app.client_id, 'the client id')),
    el('p', { className: 'muted', textContent: `Created ${when(app.created_at)}; last changed ${when(app.updated_at)}.` }));
}

const number = (name, value, min, max) => el('input', {
  type: 'number', name, value: String(value), min: String(min), max: String(max), step: '1', required: true, inputMode: 'numeric',
});
const textarea = (name, list) => el('textarea', { name, value: list.join('\n'), rows: 3, spellcheck: false, className: 'mono' });
const select = (name, options, value) => {
  const s = el('select', { name }, ...options.map(([v, label]) => new Option(label, v)));
  s.value = value;
  return s;
};

/** The settings the Update type has, filled from `app`; `saved(app)` after each save. */
function settingsForm(app, saved) {
  const c = {
    name: el('input', { name: 'name', required: true, autocomplete: 'off' }),
    origins: textarea('allowed_origins', []),
    redirects: textarea('redirect_uris', []),
    methods: checkGroup('Login methods', 'login_methods', METHODS),
    selfSignup: checkbox('Anyone may sign up (self sign-up)', { name: 'self_signup' }),
    verified: checkbox('Password sign-ups and logins need a verified email first', { name: 'require_verified_email' }),
    bots: checkbox('Sign-ups and logins need a Cloudflare Turnstile token (bot protection)', { name: 'bot_protection' }),
    access: number('access_token_ttl_secs', 0, 60, 86400),
    refresh: number('refresh_token_ttl_secs', 0, 300, 31536000),
    idle: number('idle_timeout_secs', 0, 0, 31536000),
    mfaPolicy: select('policy', [['optional', 'Optional: asked of users who set up a factor'], ['required', 'Required of every user']], 'optional'),
    trustDays: number('trust_days', 0, 0, 365),
    passkeyMfa: checkbox('A passkey that verifies the user counts as two factors', { name: 'passkey_satisfies' }),
    rpId: el('input', { name: 'passkey_rp_id', spellcheck: false, autocomplete: 'off' }),
    uv: select('passkey_user_verification', [['required', 'Required (PIN or biometrics)'], ['preferred', 'Preferred']], 'required'),
    adminApi: checkbox("Tokens for Latchkey's administrative API (users' roles then grant administrative permissions)", { name: 'admin_api' }),
  };
  const box = (label) => label.querySelector('input');
  const fill = (a) => {
    c.name.value = a.name;
    c.origins.value = a.allowed_origins.join('\n');
    c.redirects.value = a.redirect_uris.join('\n');
    for (const b of c.methods.querySelectorAll('input')) b.checked = a.login_methods.includes(b.value);
    box(c.selfSignup).checked = a.self_signup;
    box(c.verified).checked = a.require_verified_email;
    box(c.bots).checked = a.bot_protection;
    c.access.value = a.access_token_ttl_secs;
    c.refresh.value = a.refresh_token_ttl_secs;
    c.idle.value = a.idle_timeout_secs;
    c.mfaPolicy.value = a.mfa.policy;
    c.trustDays.value = a.mfa.trust_days;
    box(c.passkeyMfa).checked = a.mfa.passkey_satisfies;
    c.rpId.value = a.passkey_rp_id ?? '';
    c.uv.value = a.passkey_user_verification;
    box(c.adminApi).checked = a.admin_api;
  };
  const body = () => ({
    name: c.name.value,
    allowed_origins: lines(c.origins.value),
    redirect_uris: lines(c.redirects.value),
    login_methods: checkedValues(c.methods),
    self_signup: box(c.selfSignup).checked,
    require_verified_email: box(c.verified).checked,
    bot_protection: box(c.bots).checked,
    access_token_ttl_secs: Number(c.access.value),
    refresh_token_ttl_secs: Number(c.refresh.value),
    idle_timeout_secs: Number(c.idle.value),
    mfa: { policy: c.mfaPolicy.value, trust_days: Number(c.trustDays.value), passkey_satisfies: box(c.passkeyMfa).checked },
    passkey_rp_id: c.rpId.value.trim(),
    passkey_user_verification: c.uv.value,
    admin_api: box(c.adminApi).checked,
  });
  fill(app);
  return apiForm({
    title: 'Settings',
    button: 'Save',
    permission: WRITE,
    fields: { INVALID_MFA_SETTINGS: 'mfa' },
    children: [
      field('Name', c.name),
      field('Allowed origins', c.origins, 'One per line, like https://app.example.com (http only for localhost): the pages that may use the sign-in element and the API from the browser.'),
      field('Redirect URIs', c.redirects, 'One per line: where OpenID Connect and the hosted sign-in pages may send users back.'),
      c.methods,
      group('Sign-up and sign-in', '', c.selfSignup, c.verified, c.bots),
      group('Sessions', '',
        field('Access-token lifetime (seconds)', c.access, '60 to 86400.'),
        field('Refresh-token lifetime (seconds)', c.refresh, '300 to 31536000 (a year), and at least the access-token lifetime.'),
        field('End a session after this long without use (seconds)', c.idle, '0 for never; else at least the access-token lifetime.')),
      group('Multi-factor', 'mfa',
        field('Second factor', c.mfaPolicy),
        field('Days a trusted device skips the second factor', c.trustDays, '0 to 365; 0 trusts no device.'),
        c.passkeyMfa),
      group('Passkeys', '',
        field('Relying-party id', c.rpId, 'Empty for the host of the first allowed origin; else a domain every origin is under.'),
        field('User verification', c.uv)),
      group('Administration', '', c.adminApi),
    ],
    submit: async () => {
      const changed = await api(`/api/v1/applications/${encodeURIComponent(app.id)}`, { method: 'PUT', body: body() });
      fill(changed);
      app = changed;
      saved(changed);
      return 'Saved.';
    },
  });
}

/** Whether the application has a client secret, and a button to make one, shown once. */
function secretCard(app) {
  const h3 = el('h3', { textContent: 'Client secret' });
  const card = el('section', { className: 'card' }, h3);
  if (app.admin_api) {
    card.append(el('p', { className: 'muted', textContent: 'An application for the administrative API has no client secret.' }));
    return card;
  }
  const slot = el('div');
  const error = el('p', { className: 'error', role: 'alert' });
  const make = async () => {
    error.textContent = '';
    try {
      const made = await api(`/api/v1/applications/${encodeURIComponent(app.id)}/client-secret`, { method: 'POST' });
      const shown = secretOnce('The new client secret', made.client_secret, 'the client secret');
      slot.replaceChildren(shown);
      shown.focus();
      state.textContent = CONFIDENTIAL;
      actions.replaceChildren(replace());
    } catch (e) {
      error.textContent = refusal(e, WRITE);
    }
  };
  const state = el('p', { textContent: app.confidential ? CONFIDENTIAL : PUBLIC });
  const replace = () => dangerButton('Replace the client secret', 'The current secret stops working at once. Replace it?', make);
  const actions = el('div', { className: 'actions' }, app.confidential
    ? replace()
    : el('button', { type: 'button', textContent: 'Make a client secret', onclick: make }));
  card.append(state, actions, error, slot);
  return card;
}
const CONFIDENTIAL = 'It has a client secret: a confidential OpenID Connect client, which authenticates with it at the token endpoint.';
const PUBLIC = 'No client secret: a public client (a browser or mobile app), which must use PKCE. A server-side application may have one.';

/** Deletion of the application `current()` says, after a confirmation. */
function deleteCard(current) {
  const error = el('p', { className: 'error', role: 'alert' });
  const remove = async () => {
    const app = current();
    error.textContent = '';
    try {
      await api(`/api/v1/applications/${encodeURIComponent(app.id)}`, { method: 'DELETE' });
      told = `Deleted the application “${app.name}”.`;
      location.hash = '#applications';
    } catch (e) {
      error.textContent = refusal(e, WRITE);
    }
  };
  const button = dangerButton('Delete this application', () => `Delete “${current().name}”? Its users can no longer sign in to it.`, remove);
  return el('section', { className: 'card' }, el('h3', { textContent: 'Delete' }), el('div', { className: 'actions' }, button), error);
}
