// The admin dashboard's Users section. `#users` lists the organization's users, 25 a page,
// found by text in their address, username or name and by status, with a form to create one. `#users/<id>` is one user's
// page: details; disable or enable, mark the email verified, lift lockouts; a password reset;
// roles; the applications they are registered for; their active sessions (revoke one or all);
// their recent sign-ins; deletion. Destructive actions ask first, in place. Each part loads
// on its own, and a refusal names the permission it needs. Server data goes in as text only.
import { failureText, methodText, flagText } from '/pkg/latchkey_sdk.js';
import { api, refusal, el, when, plural, confirmInline } from '/admin/common.js';

const PAGE = 25;
/** The list's page and filters, kept while the administrator opens a user and comes back. */
const list = { offset: 0, text: '', status: '' };
/** Said once by the next view (a user was created or deleted). */
let notice = '';
/** Bumped by every `show`: answers meant for an older view are dropped. */
let shown = 0;

/** Shows the list, or user `id`; the view is `aria-busy` until every part has loaded, and
 * `data-shown` counts the views shown (a test waits for the next one). */
export async function show(view, id) {
  const mine = ++shown;
  view.dataset.shown = mine;
  view.setAttribute('aria-busy', 'true');
  try {
    if (id) await showUser(view, id, mine);
    else await showList(view, mine);
  } finally {
    if (mine === shown) view.setAttribute('aria-busy', 'false');
  }
}

// ---- small pieces ---------------------------------------------------------------------------

const enc = encodeURIComponent;
const userPath = (id, rest = '') => `/api/v1/users/${enc(id)}${rest}`;
const button = (text, props = {}) => el('button', { type: 'button', textContent: text, ...props });
const cell = (content, props = {}) => (content instanceof Node ? el('td', props, content) : el('td', { textContent: content ?? '–', ...props }));
const heads = (...names) => el('thead', {}, el('tr', {}, ...names.map((n) => el('th', { scope: 'col', textContent: n }))));
/** A table that scrolls sideways on a phone: a named region keyboard users can scroll too. */
function scroll(table, name) {
  const box = el('div', { className: 'scroll', tabIndex: 0 }, table);
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', name);
  return box;
}

/** A line that says how an action went (polite live region); `bad` shows it as an error. */
function statusLine() {
  const p = el('p', { className: 'note' });
  p.setAttribute('role', 'status');
  return p;
}
function say(p, text, bad = false) {
  p.textContent = text;
  p.classList.toggle('error', bad);
}

/** A card with an `<h3>` title, labelled by it. */
let cards = 0;
function card(title, ...children) {
  const id = `users-card-${++cards}`;
  const section = el('section', { className: 'card' }, el('h3', { id, textContent: title }), ...children);
  section.setAttribute('aria-labelledby', id);
  return section;
}

/** A labelled input (the label wraps it, as admin.css lays labels out). */
function field(text, props = {}) {
  const input = el('input', props);
  return { label: el('label', {}, text, input), input };
}
function checkbox(text, checked = false) {
  const input = el('input', { type: 'checkbox', checked });
  return { label: el('label', { className: 'check' }, input, text), input };
}

/** Runs an API call, says `done` (or the refusal, naming `permission`) in `line`. */
async function attempt(line, permission, call, done) {
  say(line, 'Working…');
  try {
    const answer = await call();
    say(line, typeof done === 'function' ? done(answer) : done);
    return answer;
  } catch (e) {
    say(line, refusal(e, permission), true);
    return undefined;
  }
}

const regions = new Intl.DisplayNames(undefined, { type: 'region' });
const country = (code) => { try { return regions.of(code) ?? code; } catch { return code; } };
const place = (r) => [r.city, r.country && country(r.country)].filter(Boolean).join(', ') || 'Unknown location';
const statusText = (s) => (s === 'active' ? 'Active' : 'Disabled');
const statusBadge = (s) => el('span', { className: `state ${s === 'active' ? 'on' : 'off'}`, textContent: statusText(s) });

// ---- the list -------------------------------------------------------------------------------

async function showList(view, mine) {
  const heading = el('h2', { textContent: 'Users', tabIndex: -1 });
  const line = statusLine();
  const rows = el('tbody');
  const range = el('span');
  range.setAttribute('aria-live', 'polite');
  const previous = button('Previous', { disabled: true });
  const next = button('Next', { disabled: true });
  const load = () => loadList({ rows, range, previous, next, line }, mine);
  view.replaceChildren(
    heading,
    searchForm(load),
    line,
    scroll(el('table', { className: 'users' }, heads('User', 'Name', 'Status', 'Email verified', 'Last sign-in', 'Created'), rows), 'Users'),
    el('nav', { className: 'pages' }, previous, range, next),
    createCard(),
  );
  view.querySelector('nav.pages').setAttribute('aria-label', 'User pages');
  previous.addEventListener('click', () => { list.offset = Math.max(0, list.offset - PAGE); load(); });
  next.addEventListener('click', () => { list.offset += PAGE; load(); });
  if (notice) {
    say(line, notice);
    notice = '';
    heading.focus();
  }
  await load();
}

/** Text in the address, username or name (any case), and status. */
function searchForm(load) {
  const text = field('Email, username or name', { type: 'search', value: list.text, spellcheck: false, autocomplete: 'off' });
  const status = el('select', {}, new Option('Any', ''), new Option('Active', 'active'), new Option('Disabled', 'disabled'));
  status.value = list.status;
  const clear = button('Clear');
  const form = el('form', { className: 'card filters' },
    text.label, el('label', {}, 'Status', status), el('button', { type: 'submit', textContent: 'Search' }), clear);
  form.setAttribute('aria-label', 'Find users');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    Object.assign(list, { offset: 0, text: text.input.value.trim(), status: status.value });
    load();
  });
  clear.addEventListener('click', () => {
    text.input.value = '';
    status.value = '';
    Object.assign(list, { offset: 0, text: '', status: '' });
    load();
  });
  return form;
}

async function loadList({ rows, range, previous, next, line }, mine) {
  const q = new URLSearchParams({ limit: PAGE, offset: list.offset });
  if (list.text) q.set('q', list.text);
  if (list.status) q.set('status', list.status);
  const table = rows.closest('table');
  table.setAttribute('aria-busy', 'true');
  let page;
  try {
    page = await api(`/api/v1/users?${q}`);
  } catch (e) {
    if (mine !== shown) return;
    table.setAttribute('aria-busy', 'false');
    rows.replaceChildren();
    range.textContent = '';
    previous.disabled = next.disabled = true;
    say(line, refusal(e, 'users:read'), true);
    return;
  }
  if (mine !== shown) return;
  table.setAttribute('aria-busy', 'false');
  // An earlier search's error goes; a notice (a user created or deleted) stays.
  if (line.classList.contains('error')) say(line, '');
  const shownRows = page.users.map(userRow);
  rows.replaceChildren(...shownRows.map((r) => r.tr));
  range.textContent = page.total_count === 0 ? 'No users match.'
    : `${list.offset + 1}–${list.offset + page.users.length} of ${page.total_count.toLocaleString()}`;
  previous.disabled = list.offset === 0;
  next.disabled = list.offset + page.users.length >= page.total_count;
  await lastSignIns(shownRows, mine);
}

/** A row: the address links to the user's page; a click anywhere on the row opens it too. */
function userRow(u) {
  const href = `#users/${enc(u.id)}`;
  const who = el('td', { className: 'who' }, el('a', { href, textContent: u.email }));
  if (u.username) who.append(el('span', { className: 'muted', textContent: u.username }));
  const last = cell('…');
  const tr = el('tr', { className: 'opens' }, who, cell(u.name), cell(statusBadge(u.status)),
    cell(u.email_verified ? 'Yes' : 'No'), last, cell(when(u.created_at), { title: u.created_at }));
  tr.addEventListener('click', (e) => { if (!e.target.closest('a, button')) location.hash = href; });
  return { tr, last, id: u.id };
}

/** The API's user has no last sign-in: each row asks the login records for its newest success,
 * four at a time. */
async function lastSignIns(rows, mine) {
  const queue = [...rows];
  let refused = false;
  const next = async () => {
    for (let r = queue.shift(); r && mine === shown; r = queue.shift()) {
      if (refused) { r.last.textContent = '–'; continue; }
      try {
        const { records } = await api(`/api/v1/login-records?user_id=${enc(r.id)}&outcome=success&limit=1`);
        r.last.textContent = records[0] ? when(records[0].created_at) : 'Never';
        if (records[0]) r.last.title = records[0].created_at;
      } catch (e) {
        refused ||= e.status === 403;
        r.last.textContent = '–';
        r.last.title = refused ? 'Needs login_records:read' : e.message;
      }
    }
  };
  await Promise.all([next(), next(), next(), next()]);
}

function createCard() {
  const email = field('Email', { type: 'email', required: true, autocomplete: 'off', spellcheck: false });
  const name = field('Name (optional)', { autocomplete: 'off' });
  const username = field('Username (optional)', { autocomplete: 'off', spellcheck: false });
  const password = field('Password (optional)', { type: 'password', autocomplete: 'new-password' });
  const change = checkbox('Require a new password at the first sign-in');
  const verified = checkbox('The email address is already verified');
  const error = el('p', { className: 'error' });
  error.setAttribute('role', 'alert');
  const form = el('form', { className: 'filters' }, email.label, name.label, username.label, password.label,
    el('div', { className: 'checks' }, change.label, verified.label), el('button', { type: 'submit', textContent: 'Create user' }));
  form.setAttribute('aria-label', 'Create a user');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const body = { email: email.input.value.trim(), password_change_required: change.input.checked, email_verified: verified.input.checked };
    for (const [k, f] of Object.entries({ name, username, password })) {
      const v = k === 'password' ? f.input.value : f.input.value.trim();
      if (v) body[k] = v;
    }
    try {
      const user = await api('/api/v1/users', { method: 'POST', body });
      notice = `Created ${user.email}.`;
      location.hash = `#users/${enc(user.id)}`;
    } catch (err) {
      error.textContent = `Not created: ${refusal(err, 'users:write')}`;
    }
  });
  return card('Create a user', el('p', { className: 'muted', textContent: 'Without a password, the user signs in with email codes, links or passkeys.' }), form, error);
}

// ---- one user -------------------------------------------------------------------------------

async function showUser(view, id, mine) {
  // Not the previous user's page meanwhile.
  view.replaceChildren(el('h2', { textContent: 'User' }), el('p', { className: 'muted', textContent: 'Loading…' }));
  let user;
  try {
    user = await api(userPath(id));
  } catch (e) {
    if (mine !== shown) return;
    const why = e.status === 404 ? 'There is no such user; it may have been deleted.' : refusal(e, 'users:read');
    view.replaceChildren(el('h2', { textContent: 'User' }), back(), el('p', { className: 'error', textContent: why }));
    return;
  }
  if (mine !== shown) return;
  const heading = el('h2', { textContent: user.email, tabIndex: -1, className: 'wrap' });
  const line = statusLine();
  // Disabling the user or setting a password ends their sessions: the list is asked again.
  const sessions = sessionsCard(user);
  const details = detailsCard(user, sessions.reload);
  const password = passwordCard(user, (u) => { details.update(u); sessions.reload(); });
  const parts = [details, password, rolesCard(user), applicationsCard(user), sessions, historyCard(user), deleteCard(user)];
  view.replaceChildren(heading, back(), line, ...parts.map((p) => p.section));
  if (notice) {
    say(line, notice);
    notice = '';
    heading.focus();
  }
  await Promise.all(parts.map((p) => p.loaded));
}

const back = () => el('p', {}, el('a', { href: '#users', textContent: '← All users' }));

/** The user's details, and the switches: disabled or not, email verified or not, lockouts. */
function detailsCard(user, signedOut) {
  const dl = el('dl', { className: 'facts' });
  const line = statusLine();
  const toggle = button('');
  const verify = button('');
  const unlock = button('Lift lockouts');
  const update = (u) => {
    user = u;
    dl.replaceChildren(...facts(u).flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', {}, v)]));
    toggle.textContent = u.status === 'active' ? 'Disable' : 'Enable';
    toggle.className = u.status === 'active' ? 'danger' : '';
    verify.textContent = u.email_verified ? 'Mark the email unverified' : 'Mark the email verified';
  };
  update(user);
  const put = (body, done) => attempt(line, 'users:write', () => api(userPath(user.id), { method: 'PUT', body }), done);
  toggle.addEventListener('click', async () => {
    if (user.status !== 'active') {
      const u = await put({ status: 'active' }, 'Enabled: the user may sign in again.');
      if (u) update(u);
      return;
    }
    confirmInline(toggle, 'Disable this user? Their sessions end and they cannot sign in.', async () => {
      const u = await put({ status: 'disabled' }, 'Disabled: their sessions ended.');
      if (u) { update(u); signedOut(); }
    });
  });
  verify.addEventListener('click', async () => {
    const to = !user.email_verified;
    const u = await attempt(line, 'users:write',
      () => api(userPath(user.id, '/verify-email'), { method: 'POST', body: { email_verified: to } }),
      to ? 'The email address is marked verified.' : 'The email address is marked unverified.');
    if (u) update(u);
  });
  unlock.addEventListener('click', () => attempt(line, 'users:write',
    () => api(userPath(user.id, '/lock'), { method: 'DELETE' }),
    'Lockouts lifted: the user may try to sign in again now.'));
  const section = card('Details', dl, el('div', { className: 'actions' }, toggle, verify, unlock), line);
  return { section, update };
}

/** [term, text or node] pairs of a user, nothing from the server but as text. */
function facts(u) {
  return [
    ['Name', u.name ?? '–'],
    ['Username', u.username ?? '–'],
    ['Email', `${u.email} (${u.email_verified ? 'verified' : 'not verified'})`],
    ['Phone', u.phone ?? '–'],
    ['Status', statusBadge(u.status)],
    ['Password', u.has_password ? (u.password_change_required ? 'Set; a new one is required at the next sign-in' : 'Set') : 'None (codes, links or passkeys only)'],
    ['Account expires', u.expires_at ? when(u.expires_at) : 'Never'],
    ['Created', when(u.created_at)],
    ['Updated', when(u.updated_at)],
    ['Id', el('code', { textContent: u.id })],
  ];
}

/** A new password, and/or whether the next sign-in must choose a new one. */
function passwordCard(user, updated) {
  const password = field('New password', { type: 'password', autocomplete: 'new-password' });
  const change = checkbox('Require a new password at the next sign-in', user.password_change_required);
  const line = statusLine();
  const form = el('form', { className: 'filters' }, password.label, change.label, el('button', { type: 'submit', textContent: 'Save' }));
  form.setAttribute('aria-label', 'Reset the password');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { password_change_required: change.input.checked };
    if (password.input.value) body.password = password.input.value;
    const u = await attempt(line, 'users:write', () => api(userPath(user.id), { method: 'PUT', body }),
      body.password ? 'Password set: the user was signed out everywhere, and lockouts are lifted.' : 'Saved.');
    if (!u) return;
    password.input.value = '';
    change.input.checked = u.password_change_required;
    updated(u);
  });
  const hint = 'A new password signs the user out of every session.';
  return { section: card('Reset the password', el('p', { className: 'muted', textContent: hint }), form, line) };
}

/** The organization's roles as checkboxes, the user's ticked; saved as a whole. */
function rolesCard(user) {
  const box = el('div');
  const line = statusLine();
  const section = card('Roles', box, line);
  const loaded = (async () => {
    let all;
    let mine;
    try {
      [all, mine] = await Promise.all([api('/api/v1/roles'), api(userPath(user.id, '/roles'))]);
    } catch (e) {
      say(line, refusal(e, 'roles:read'), true);
      return;
    }
    if (all.roles.length === 0) {
      box.append(el('p', { className: 'muted', textContent: 'The organization has no roles yet.' }));
      return;
    }
    const held = new Set(mine.roles.map((r) => r.id));
    const boxes = all.roles.map((r) => ({ id: r.id, ...checkbox(r.name, held.has(r.id)), description: r.description }));
    const fieldset = el('fieldset', { className: 'roles' }, el('legend', { textContent: 'Roles of this user' }),
      ...boxes.map((b) => (b.description ? el('div', {}, b.label, el('span', { className: 'muted', textContent: b.description })) : el('div', {}, b.label))));
    const save = el('button', { type: 'submit', textContent: 'Save roles' });
    const form = el('form', {}, fieldset, save);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const roleIds = boxes.filter((b) => b.input.checked).map((b) => b.id);
      attempt(line, 'roles:write', () => api(userPath(user.id, '/roles'), { method: 'PUT', body: { role_ids: roleIds } }),
        (r) => `Roles saved: ${r.roles.map((x) => x.name).join(', ') || 'none'}.`);
    });
    box.append(form);
  })();
  return { section, loaded };
}

/** The applications the user is registered for, by name where the key may read them. */
function applicationsCard(user) {
  const box = el('div');
  const section = card('Applications', box);
  const loaded = (async () => {
    const [regs, apps] = await Promise.allSettled([api(userPath(user.id, '/registrations')), api('/api/v1/applications?limit=100')]);
    if (regs.status === 'rejected') {
      box.append(el('p', { className: 'error', textContent: refusal(regs.reason, 'users:read') }));
      return;
    }
    const names = new Map(apps.status === 'fulfilled' ? apps.value.applications.map((a) => [a.id, a.name]) : []);
    const { registrations } = regs.value;
    if (registrations.length === 0) {
      box.append(el('p', { className: 'muted', textContent: 'Not registered for any application.' }));
      return;
    }
    box.append(el('ul', {}, ...registrations.map((r) => el('li', {},
      names.get(r.application_id) ?? r.application_id, el('span', { className: 'muted', textContent: ` · since ${when(r.created_at)}` })))));
    if (apps.status === 'rejected') box.append(el('p', { className: 'muted', textContent: `By id: ${refusal(apps.reason, 'applications:read')}` }));
  })();
  return { section, loaded };
}

const DEVICES = { desktop: 'Computer', mobile: 'Phone', tablet: 'Tablet', bot: 'Bot' };
const deviceText = (s) => s.device_name ?? DEVICES[s.device] ?? 'Unknown device';
const browserText = (s) => (s.browser ? `${s.browser} on ${s.os ?? 'unknown system'}` : 'Unknown browser');

/** The user's active sessions: revoke one, or all. */
function sessionsCard(user) {
  const rows = el('tbody');
  const line = statusLine();
  const all = button('Revoke all', { className: 'danger', disabled: true });
  const table = el('table', {}, heads('Device', 'Browser', 'Place', 'IP address', 'Last active', 'Action'), rows);
  const empty = el('p', { className: 'muted', hidden: true, textContent: 'No active session.' });
  const load = async () => {
    try {
      const { sessions } = await api(userPath(user.id, '/sessions'));
      rows.replaceChildren(...sessions.map((s) => sessionRow(s, user, line, load)));
      table.hidden = sessions.length === 0;
      empty.hidden = sessions.length > 0;
      all.disabled = sessions.length === 0;
    } catch (e) {
      table.hidden = true;
      say(line, refusal(e, 'users:read'), true);
    }
  };
  all.addEventListener('click', () => confirmInline(all, 'Sign this user out of every session?', async () => {
    await attempt(line, 'users:write', () => api(userPath(user.id, '/sessions'), { method: 'DELETE' }),
      (r) => `Revoked ${plural(r.revoked, 'session', 'sessions')}.`);
    await load();
  }));
  const section = card('Active sessions', el('div', { className: 'actions' }, all), empty, scroll(table, 'Active sessions'), line);
  return { section, loaded: load(), reload: load };
}

function sessionRow(s, user, line, reload) {
  const revoke = button('Revoke', { className: 'danger' });
  revoke.setAttribute('aria-label', `Revoke the session on ${deviceText(s)}, ${browserText(s)}`);
  revoke.addEventListener('click', () => confirmInline(revoke, 'Revoke this session?', async () => {
    const done = await attempt(line, 'users:write', () => api(userPath(user.id, `/sessions/${enc(s.id)}`), { method: 'DELETE' }), 'Session revoked.');
    if (done !== undefined) await reload();
  }));
  return el('tr', {}, cell(deviceText(s)), cell(browserText(s)), cell(place(s)), cell(s.ip ?? '–'),
    cell(when(s.last_active_at), { title: s.last_active_at }), cell(revoke));
}

/** The user's ten newest sign-in attempts, failures included, and a link to all of them. */
function historyCard(user) {
  const rows = el('tbody');
  const line = statusLine();
  const table = el('table', {}, heads('When', 'Outcome', 'Application', 'Method', 'Where', 'Device'), rows);
  const more = el('a', { href: `#activity/user/${enc(user.id)}`, textContent: 'All of this user’s login activity' });
  const loaded = (async () => {
    try {
      const { records, total } = await api(`/api/v1/login-records?user_id=${enc(user.id)}&limit=10`);
      rows.replaceChildren(...records.map(recordRow));
      table.hidden = records.length === 0;
      say(line, total === 0 ? 'No sign-in attempts yet.' : `The newest ${Math.min(10, total)} of ${plural(total, 'attempt', 'attempts')}.`);
    } catch (e) {
      table.hidden = true;
      say(line, refusal(e, 'login_records:read'), true);
    }
  })();
  return { section: card('Recent sign-ins', line, scroll(table, 'Recent sign-ins'), el('p', {}, more)), loaded };
}

function recordRow(r) {
  const ok = r.outcome === 'success';
  const outcome = cell(ok ? 'Signed in' : `Failed: ${failureText(r.reason ?? '')}`, { className: ok ? '' : 'failed' });
  for (const f of r.flags) {
    const label = flagText(f);
    if (label) outcome.append(el('span', { className: 'badge', textContent: label }));
  }
  return el('tr', {}, cell(when(r.created_at), { title: r.created_at }), outcome, cell(r.application_name),
    cell(methodText(r.method)), cell(`${place(r)}${r.ip ? ` · ${r.ip}` : ''}`),
    cell(r.browser ? `${r.browser} on ${r.os ?? 'unknown system'}` : 'Unknown device'));
}

/** Deletion, asked first; the login records stay. */
function deleteCard(user) {
  const line = statusLine();
  const remove = button('Delete user', { className: 'danger' });
  remove.addEventListener('click', () => confirmInline(remove, `Delete ${user.email} for good?`, async () => {
    const done = await attempt(line, 'users:write', () => api(userPath(user.id), { method: 'DELETE' }), 'Deleted.');
    if (done === undefined) return;
    notice = `Deleted ${user.email}.`;
    location.hash = '#users';
  }));
  const text = 'Deletes the user, their credentials and sessions. Their login records are kept.';
  return { section: card('Delete this user', el('p', { className: 'muted', textContent: text }), remove, line) };
}
