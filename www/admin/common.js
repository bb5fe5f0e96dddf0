// What every section of the admin dashboard shares: the credential it calls the API with
// (a pasted API key kept in this tab's sessionStorage, or the access token of an
// administrator signed in through <latchkey-login>), the API call and its error, and a few
// ways of putting server data on the page, always as text.

export const $ = (id) => document.getElementById(id);
export const KEY = 'latchkey:admin-key';

/** Who the dashboard speaks as: `signedIn` with the SDK's `client`, else the pasted key. */
export const auth = { signedIn: false, client: null };

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error_msg ?? `the server answered ${status}`);
    this.status = status;
    this.code = body?.error_code ?? 'HTTP_ERROR';
  }
}

/** The pasted key, else the signed-in administrator's access token (refreshed as needed). */
export async function credential() {
  return sessionStorage.getItem(KEY) ?? (auth.signedIn && auth.client ? await auth.client.getAccessToken() : null);
}

/** A JSON call to the administrators' API; an error answer throws an `ApiError`. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { authorization: `Bearer ${await credential()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, answer);
  return answer;
}

/** What a refusal means, in words: a 403 names the permission the section needs. */
export function refusal(e, permission) {
  if (e?.status === 403 || e?.status === 401) {
    const who = auth.signedIn ? 'This account' : 'This key';
    return `${who} may not do this (${e.code}): it needs ${permission}.`;
  }
  return e?.message ?? String(e);
}

/** An element with properties (`textContent`, `className`, …) and children. */
export function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

export const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const plural = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * Asks in place of `button` before a destructive action: the question with a Yes and a
 * Cancel button (Escape cancels), focus moved to the question and back to `button` after.
 * `yes` runs only when confirmed; `button` comes back when it is done.
 */
export function confirmInline(button, question, yes) {
  const ok = el('button', { type: 'button', className: 'danger', textContent: 'Yes' });
  const no = el('button', { type: 'button', textContent: 'Cancel' });
  const ask = el('span', { className: 'confirm', tabIndex: -1 }, el('span', { textContent: question }), ok, no);
  ask.setAttribute('role', 'group');
  ask.setAttribute('aria-label', question);
  const close = () => {
    ask.remove();
    button.hidden = false;
    button.focus();
  };
  no.addEventListener('click', close);
  ask.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); close(); } });
  ok.addEventListener('click', async () => {
    ask.hidden = true;
    try { await yes(); } finally { close(); }
  });
  button.hidden = true;
  button.after(ask);
  ask.focus();
}

// ---- Shared by the applications, roles, API keys and organization sections ---------------
// Forms whose fields show the server's validation error beside them, destructive actions
// confirmed in place (`confirmInline`), secrets shown once with a Copy button, and tables
// that scroll sideways.

/** Latchkey's own permissions: what an API key may hold, and the permission names that,
 * in a role, grant them. */
export const LATCHKEY_PERMISSIONS = [
  'organizations:read', 'organizations:write', 'applications:read', 'applications:write',
  'users:read', 'users:write', 'roles:read', 'roles:write', 'api_keys:read', 'api_keys:write',
  'login', 'login_records:read',
];

let lastId = 0;
/** A fresh element id. */
export const uid = (prefix = 'f') => `${prefix}-${++lastId}`;

const turns = new WeakMap();
/** Starts a load of `view` (busy until `viewTitle` fills it); the answer tells whether it is
 * still the latest one (so the answer to an older load is dropped). */
export function claim(view) {
  const turn = (turns.get(view) ?? 0) + 1;
  turns.set(view, turn);
  view.setAttribute('aria-busy', 'true');
  return () => turns.get(view) === turn;
}

/** Puts a view's `<h2>` and content in place (styled by manage.css); the heading takes the
 * focus when the focus was in the view (a link or button there just went) or nowhere. */
export function viewTitle(view, title, ...children) {
  const focus = document.activeElement === document.body || view.contains(document.activeElement);
  const h2 = el('h2', { textContent: title, tabIndex: -1 });
  view.classList.add('manage');
  view.replaceChildren(h2, ...children);
  view.setAttribute('aria-busy', 'false');
  if (focus && !view.hidden) h2.focus({ preventScroll: true });
  return h2;
}

/** A paragraph saying what went wrong, a 403 naming the permission that is missing. */
export const problem = (e, permission) => el('p', { className: 'error', role: 'alert', textContent: refusal(e, permission) });

/** A labelled control (its `name` is the API field), a hint, and a place for its error. */
export function field(label, control, hint = '') {
  control.id ||= uid(control.name || 'field');
  const parts = [el('label', { htmlFor: control.id, textContent: label }), control];
  const described = [];
  if (hint) {
    parts.push(el('p', { className: 'hint', id: `${control.id}-hint`, textContent: hint }));
    described.push(`${control.id}-hint`);
  }
  parts.push(el('p', { className: 'field-error error', id: `${control.id}-error` }));
  control.setAttribute('aria-describedby', [...described, `${control.id}-error`].join(' '));
  return el('div', { className: 'field' }, ...parts);
}

/** A checkbox with its label after it. */
export function checkbox(label, props = {}) {
  return el('label', { className: 'check' }, el('input', { type: 'checkbox', ...props }), label);
}

/** A fieldset named `name` (the API field its error is about) with a legend and a place for
 * its error. */
export function group(legend, name, ...children) {
  const set = el('fieldset', { name, id: uid(name || 'group') });
  set.append(el('legend', { textContent: legend }), ...children, el('p', { className: 'field-error error', id: `${set.id}-error` }));
  set.setAttribute('aria-describedby', `${set.id}-error`);
  return set;
}

/** Checkboxes, one per `[value, label]`, in a fieldset named `name`. */
export function checkGroup(legend, name, options, checked = []) {
  const boxes = options.map(([value, label]) => checkbox(label, { value, checked: checked.includes(value) }));
  const set = group(legend, name, el('div', { className: 'check-list' }, ...boxes));
  set.classList.add('checks');
  return set;
}

/** The values of the checked boxes in `set`. */
export const checkedValues = (set) => [...set.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value);

/** The non-empty lines of a textarea. */
export const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** Forgets the errors a form shows. */
export function clearErrors(form) {
  for (const p of form.querySelectorAll('.field-error, .form-error')) p.textContent = '';
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

/** Shows an error beside the field its code names (`INVALID_ALLOWED_ORIGINS` is the field
 * `allowed_origins`; `fields` maps other codes, `{ ROLE_EXISTS: 'name' }`), else under
 * the form; a 403 names `permission`. The field takes the focus. */
export function showError(form, e, permission, fields = {}) {
  const name = fields[e?.code] ?? /^INVALID_(.+)$/.exec(e?.code ?? '')?.[1].toLowerCase();
  let control = name ? form.elements.namedItem(name) : null;
  if (control instanceof RadioNodeList) control = control[0];
  const slot = control?.id ? form.querySelector(`#${CSS.escape(control.id)}-error`) : null;
  if (!slot || e?.status === 403) {
    form.querySelector('.form-error').textContent = refusal(e, permission);
    return;
  }
  slot.textContent = e.message;
  control.setAttribute('aria-invalid', 'true');
  (control.matches('fieldset') ? control.querySelector('input, select, textarea') : control)?.focus();
}

/** A form titled `title` (an `<h3>`) holding `children` and a submit button: `submit(form)`
 * runs on submit, and what it answers is said under the button; its error is shown by
 * `showError` (`permission` may be a function of the form). */
export function apiForm({ title, children, button, permission, fields, submit, className = '' }) {
  const h3 = el('h3', { textContent: title, id: uid('form-title') });
  const said = el('p', { className: 'form-status', role: 'status' });
  const go = el('button', { type: 'submit', textContent: button });
  const form = el('form', { className: `card api-form ${className}`.trim() },
    h3, ...children, el('p', { className: 'form-error error', role: 'alert' }), el('div', { className: 'actions' }, go, said));
  form.setAttribute('aria-labelledby', h3.id);
  // A field's error goes once it is changed.
  form.addEventListener('input', (event) => {
    const control = event.target.closest('[aria-invalid]');
    if (!control) return;
    control.removeAttribute('aria-invalid');
    const slot = form.querySelector(`#${CSS.escape(control.id)}-error`);
    if (slot) slot.textContent = '';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    said.textContent = '';
    go.disabled = true;
    try {
      said.textContent = (await submit(form)) ?? '';
    } catch (e) {
      showError(form, e, typeof permission === 'function' ? permission(form) : permission, fields);
    } finally {
      go.disabled = false;
    }
  });
  return form;
}

/** A button for a destructive action, confirmed in place first (`question` may be a
 * function); `label` names it for assistive technology (`Delete the role admin`) where
 * several are on the page. */
export function dangerButton(text, question, action, label) {
  const b = el('button', { type: 'button', className: 'danger', textContent: text });
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', () => confirmInline(b, typeof question === 'function' ? question() : question, action));
  return b;
}

/** A Copy button for `text` (`what` names it: "the client id"); says when it is copied. */
export function copyButton(text, what) {
  const said = el('span', { className: 'copied', role: 'status' });
  const b = el('button', { type: 'button', className: 'copy', textContent: 'Copy' });
  b.setAttribute('aria-label', `Copy ${what}`);
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      said.textContent = 'Copied.';
    } catch {
      said.textContent = 'Could not copy: select it and copy it yourself.';
    }
    setTimeout(() => { said.textContent = ''; }, 4000);
  });
  return el('span', { className: 'copy-wrap' }, b, said);
}

/** A secret shown once (a new API key, a client secret): says so, with a Copy button and a
 * button that hides it. Only this element holds it: it is gone with it. */
export function secretOnce(title, secret, what) {
  const h3 = el('h3', { textContent: title, id: uid('secret') });
  const box = el('div', { className: 'card secret', role: 'region', tabIndex: -1 },
    h3,
    el('p', {}, el('strong', { textContent: 'Shown only now. ' }), 'Copy it and keep it somewhere safe: Latchkey keeps only a hash of it and cannot show it again.'),
    el('p', { className: 'secret-line' }, el('code', { className: 'secret-value', textContent: secret }), copyButton(secret, what)));
  const done = el('button', { type: 'button', textContent: 'I have copied it: hide it' });
  done.addEventListener('click', () => {
    const next = box.nextElementSibling?.querySelector('h2, h3, button, a');
    box.remove();
    next?.focus();
  });
  box.append(done);
  box.setAttribute('aria-labelledby', h3.id);
  return box;
}

/** A table in a region that scrolls sideways if it must: `columns` and rows of cells (text
 * or elements). Each cell knows its column's name, which manage.css shows beside it when a
 * phone stacks the rows; a button's cell is an `action`. */
export function table(label, columns, rows) {
  const head = el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', textContent: c })));
  const cell = (c, i) => {
    const td = el('td', { className: c instanceof HTMLButtonElement ? 'action' : '' }, c ?? '');
    td.dataset.label = columns[i];
    return td;
  };
  const body = el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map(cell))));
  const region = el('div', { className: 'scroll', tabIndex: 0, role: 'region' }, el('table', {}, el('thead', {}, head), body));
  region.setAttribute('aria-label', label);
  return region;
}

/** A link to `#hash` (a page of the dashboard). */
export const link = (hash, text) => el('a', { href: hash, textContent: text });

/** A line that says `text` once it is on the page, so that screen readers announce it. */
export function notice(text) {
  const p = el('p', { className: 'notice', role: 'status' });
  if (text) setTimeout(() => { p.textContent = text; }, 100);
  return p;
}
