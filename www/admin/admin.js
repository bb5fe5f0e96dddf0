// The admin dashboard: every login attempt of the organization (failures included) as a
// filterable table (which downloads as a zip), a map, attempts per hour and failure reasons,
// and the record chain's status. It reads the administrators' API as an administrator signed
// in through <latchkey-login> (with `?client_id=` of an application with `admin_api`: the
// access token's roles must grant login_records:read), or with an API key the administrator
// pastes, kept in this tab's sessionStorage only. Everything the server sent is put on the
// page as text.
import init, { LatchkeyClient, failureText, methodText, flagText } from '/pkg/latchkey_sdk.js';
import { $, KEY, auth, api, ApiError, credential, when, plural } from '/admin/common.js';
import { LAND } from '/admin/land.js';

const SVG = 'http://www.w3.org/2000/svg';
const PAGE = 25;
let offset = 0;
let total = 0;
// Bumped by every load: an answer to an older one is dropped.
let asked = 0;

const clientId = new URLSearchParams(location.search).get('client_id');
// Before the SDK defines the element, so it never starts without its client id.
if (clientId) $('login').setAttribute('client-id', clientId);
await init();
/** The signed-in administrator's client, where the page names an application. */
const client = clientId ? new LatchkeyClient({ baseUrl: location.origin, clientId }) : null;
auth.client = client;

function svg(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const regions = new Intl.DisplayNames(undefined, { type: 'region' });
const country = (code) => { try { return regions.of(code) ?? code; } catch { return code; } };
const place = (r) => [r.city, r.country && country(r.country)].filter(Boolean).join(', ') || 'Unknown location';

/** The filters as a query string (datetime-local inputs are the browser's local time). */
function filters() {
  const q = new URLSearchParams();
  const set = (k, v) => { if (v) q.set(k, v); };
  set('outcome', $('f-outcome').value);
  set('method', $('f-method').value);
  set('application_id', $('f-app').value);
  set('country', $('f-country').value.trim());
  set('user_id', $('f-user').value.trim());
  if ($('f-from').value) set('from', new Date($('f-from').value).toISOString());
  // The inputs say minutes: "to 10:30" takes in 10:30:59.999 too.
  if ($('f-to').value) set('to', new Date(new Date($('f-to').value).getTime() + 59_999).toISOString());
  return q;
}

function showRecords(list) {
  total = list.total;
  $('records').replaceChildren(...list.records.map((r) => {
    const tr = document.createElement('tr');
    const td = (text, cls) => {
      const c = document.createElement('td');
      c.textContent = text;
      if (cls) c.className = cls;
      tr.append(c);
      return c;
    };
    td(when(r.created_at)).title = r.created_at;
    const outcome = td(r.outcome === 'success' ? 'Signed in' : `Failed: ${failureText(r.reason ?? '')}`, r.outcome === 'success' ? '' : 'failed');
    for (const f of r.flags) {
      const label = flagText(f);
      if (label) outcome.append(Object.assign(document.createElement('span'), { className: 'badge', textContent: label }));
    }
    const who = td('');
    if (r.user_id) {
      // The user's other attempts, one click away.
      const b = Object.assign(document.createElement('button'), { type: 'button', className: 'link', textContent: r.login_id });
      b.title = `Show only ${r.user_id}`;
      b.addEventListener('click', () => { $('f-user').value = r.user_id; offset = 0; load(); });
      who.append(b);
    } else {
      who.textContent = r.login_id;
    }
    td(r.application_name ?? '–');
    td(methodText(r.method));
    td(`${place(r)}${r.ip ? ` · ${r.ip}` : ''}`);
    td(r.browser ? `${r.browser} on ${r.os ?? 'unknown OS'}` : 'Unknown device');
    return tr;
  }));
  $('page').textContent = total === 0 ? 'No records match.' : `${offset + 1}–${offset + list.records.length} of ${total.toLocaleString()}`;
  $('newer').disabled = offset === 0;
  $('older').disabled = offset + list.records.length >= total;
}

/** The places on an equirectangular map of the land with a 30° graticule: circle area by
 * attempts. */
function showMap(places) {
  const W = 720;
  const H = 360;
  const x = (lon) => ((lon + 180) / 360) * W;
  const y = (lat) => ((90 - lat) / 180) * H;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'map-title map-desc' });
  root.append(svg('desc', { id: 'map-desc' }, places.length === 0
    ? 'No attempt with a known location.'
    : places.slice(0, 10).map((p) => `${place(p)}: ${p.success} successful, ${p.failure} failed`).join('; ')));
  root.append(svg('rect', { x: 0, y: 0, width: W, height: H, class: 'grid-line' }));
  root.append(svg('path', { d: LAND, class: 'land' }));
  for (let lon = -150; lon < 180; lon += 30) root.append(svg('line', { x1: x(lon), x2: x(lon), y1: 0, y2: H, class: 'grid-line' }));
  for (let lat = -60; lat < 90; lat += 30) root.append(svg('line', { x1: 0, x2: W, y1: y(lat), y2: y(lat), class: 'grid-line' }));
  const most = Math.max(1, ...places.map((p) => p.success + p.failure));
  // Biggest first, so small circles stay on top and can be pointed at.
  for (const p of [...places].sort((a, b) => (b.success + b.failure) - (a.success + a.failure))) {
    const n = p.success + p.failure;
    const c = svg('circle', {
      cx: x(p.longitude).toFixed(1), cy: y(p.latitude).toFixed(1), r: (3 + 17 * Math.sqrt(n / most)).toFixed(1),
      class: `place ${p.failure > p.success ? 'bad-fill' : 'ok-fill'}`,
    });
    c.append(svg('title', {}, `${place(p)}: ${p.success} successful, ${p.failure} failed`));
    root.append(c);
    if (n / most > 0.2) root.append(svg('text', { x: x(p.longitude) + 6, y: y(p.latitude) - 6 }, p.city ?? p.country ?? ''));
  }
  $('map').replaceChildren(root);
}

/** Stacked bars, one per hour of the window that had attempts. */
function showHours(hours) {
  if (hours.length === 0) { $('hours').textContent = 'No attempts in this window.'; return; }
  const W = 480;
  const H = 180;
  const most = Math.max(1, ...hours.map((h) => h.success + h.failure));
  const bw = Math.max(2, Math.min(24, (W - 40) / hours.length - 2));
  const root = svg('svg', { viewBox: `0 0 ${W} ${H + 30}`, role: 'img', 'aria-labelledby': 'hours-title hours-desc' });
  root.append(svg('desc', { id: 'hours-desc' }, hours.map((h) => `${when(h.hour)}: ${h.success} successful, ${h.failure} failed`).join('; ')));
  root.append(svg('text', { x: 0, y: 12 }, String(most)));
  root.append(svg('line', { x1: 30, x2: W, y1: H, y2: H, class: 'grid-line' }));
  hours.forEach((h, i) => {
    const x = 34 + i * (bw + 2);
    const ok = (h.success / most) * (H - 20);
    const bad = (h.failure / most) * (H - 20);
    const g = svg('g');
    g.append(svg('title', {}, `${when(h.hour)}: ${h.success} successful, ${h.failure} failed`));
    g.append(svg('rect', { x, y: H - ok, width: bw, height: ok, class: 'ok-fill' }));
    g.append(svg('rect', { x, y: H - ok - bad, width: bw, height: bad, class: 'bad-fill' }));
    root.append(g);
  });
  root.append(svg('text', { x: 34, y: H + 16 }, when(hours[0].hour)));
  if (hours.length > 1) root.append(svg('text', { x: W, y: H + 28, 'text-anchor': 'end' }, when(hours.at(-1).hour)));
  $('hours').replaceChildren(root);
}

/** Horizontal bars: failures by reason, in words. */
function showReasons(reasons) {
  if (reasons.length === 0) { $('reasons').textContent = 'No failed attempts in this window.'; return; }
  const W = 480;
  const row = 26;
  const most = Math.max(1, ...reasons.map((r) => r.count));
  const root = svg('svg', { viewBox: `0 0 ${W} ${reasons.length * row}`, role: 'img', 'aria-labelledby': 'reasons-title reasons-desc' });
  root.append(svg('desc', { id: 'reasons-desc' }, reasons.map((r) => `${failureText(r.reason)}: ${r.count}`).join('; ')));
  reasons.forEach((r, i) => {
    const y = i * row;
    root.append(svg('text', { x: 0, y: y + 17 }, failureText(r.reason)));
    const w = (r.count / most) * (W - 250);
    root.append(svg('rect', { x: 210, y: y + 4, width: Math.max(1, w), height: row - 8, class: 'bad-fill' }));
    root.append(svg('text', { x: 216 + w, y: y + 17 }, String(r.count)));
  });
  $('reasons').replaceChildren(root);
}

async function showChain() {
  try {
    const v = await api('/api/v1/login-records/verify');
    $('chain').textContent = !v.verifiable
      ? 'Record chain: nothing could be verified yet.'
      : v.first_broken_link
        ? `Record chain: BROKEN at record #${v.first_broken_link.seq} (${v.first_broken_link.reason}).`
        : `Record chain: intact from #${v.verified_from} through #${v.verified_through}${v.more ? ' (more to check)' : ''}.`;
    $('chain').className = v.first_broken_link ? 'error' : 'muted';
  } catch (e) {
    $('chain').textContent = `Record chain: could not be verified (${e.message}).`;
  }
}

// The filters of what is shown: the download holds the same records.
let shown = new URLSearchParams();

async function load() {
  const q = filters();
  shown = q;
  const mine = ++asked;
  $('state').textContent = 'Loading…';
  document.body.setAttribute('aria-busy', 'true');
  const page = new URLSearchParams(q);
  page.set('limit', PAGE);
  page.set('offset', offset);
  // The records and the counts are asked together, and each is shown on its own: the counts
  // cover 31 days at most, the records any window.
  const [list, stats] = await Promise.allSettled([api(`/api/v1/login-records?${page}`), api(`/api/v1/login-records/stats?${q}`)]);
  if (mine !== asked) return;
  document.body.setAttribute('aria-busy', 'false');
  const refused = [list, stats].find((r) => r.status === 'rejected' && (r.reason.status === 401 || r.reason.status === 403));
  if (refused) {
    const who = auth.signedIn ? 'This account' : 'This key';
    return signedOut(`${who} cannot read login records (${refused.reason.code}): it needs login_records:read.`);
  }
  const problems = [];
  if (list.status === 'fulfilled') showRecords(list.value);
  else {
    showRecords({ records: [], total: 0 });
    problems.push(`the records: ${list.reason.message}`);
  }
  if (stats.status === 'fulfilled') {
    const s = stats.value;
    $('summary').textContent = `${plural(s.success, 'successful sign-in', 'successful sign-ins')} and ${plural(s.failure, 'failed attempt', 'failed attempts')} from ${when(s.from)} to ${when(s.to)}.`;
    showMap(s.places);
    showHours(s.hours);
    showReasons(s.reasons);
  } else {
    $('summary').textContent = `No counts: ${stats.reason.message}`;
    showMap([]);
    for (const id of ['hours', 'reasons']) $(id).textContent = 'No counts for this window.';
    problems.push(`the counts: ${stats.reason.message}`);
  }
  $('state').textContent = problems.length ? `Could not load ${problems.join('; ')}` : '';
}

function signedOut(error = '') {
  sessionStorage.removeItem(KEY);
  $('dashboard').hidden = true;
  $('forget').hidden = true;
  $('sign-out').hidden = true;
  $('key-form').hidden = false;
  $('sign-in').hidden = !client;
  // Said where it was tried: under the sign-in, or under the key.
  $('key-error').textContent = auth.signedIn ? '' : error;
  $('sign-in-error').textContent = auth.signedIn ? error : '';
  $('state').textContent = '';
  document.body.dataset.auth = 'signed-out';
  if (error) $('key').focus();
}

/** The organization's identity-provider connections, and a set-up link for an IT administrator. */
async function showConnections() {
  $('setup-result').textContent = '';
  try {
    const { connections } = await api('/api/v1/connections');
    $('connections').replaceChildren(...connections.map((c) => {
      const tr = document.createElement('tr');
      for (const text of [c.name, c.kind === 'google' ? 'Google' : 'OpenID Connect', c.domains.join(', ') || '— (a button)', c.issuer, c.enabled ? 'Yes' : 'No']) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
    $('sso-table').hidden = connections.length === 0;
    $('sso-state').textContent = connections.length
      ? 'Each provider must list this redirect URI: ' + connections[0].redirect_uri
      : 'No identity provider is connected yet. Connect one with the API (POST /api/v1/connections), or make a set-up link for the IT administrator of the company whose people will sign in.';
    $('setup-form').hidden = false;
  } catch (e) {
    $('sso-table').hidden = true;
    $('setup-form').hidden = true;
    $('sso-state').textContent = e.status === 403
      ? 'This key or account may not see connections (it needs organizations:read).'
      : `Could not load the connections: ${e.message}`;
  }
}

$('setup-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const domains = $('setup-domains').value.split(/[\s,]+/).filter(Boolean);
  try {
    const link = await api('/api/v1/connections/setup-links', { method: 'POST', body: { domains } });
    const until = when(link.expires_at);
    $('setup-result').replaceChildren(
      document.createTextNode(`Send this single-use link to the IT administrator (valid until ${until}; it is shown only now): `),
      Object.assign(document.createElement('code'), { textContent: link.url, id: 'setup-link' }),
    );
  } catch (err) {
    $('setup-result').textContent = err.status === 403
      ? 'This key or account may not make set-up links (it needs organizations:write).'
      : `Could not make the link: ${err.message}`;
  }
});

/** The dashboard's sections: each but this one is its own module, loaded when first opened
 * and asked to `show(view, ...args)` each time it is; `#users/<id>` opens a user, say. */
const SECTIONS = {
  activity: null,
  users: () => import('/admin/users.js'),
  applications: () => import('/admin/applications.js'),
  roles: () => import('/admin/roles.js'),
  keys: () => import('/admin/keys.js'),
  settings: () => import('/admin/settings.js'),
};

async function route() {
  if ($('dashboard').hidden) return;
  const [name, ...args] = location.hash.slice(1).split('/').map(decodeURIComponent);
  const shown = name in SECTIONS ? name : 'activity';
  for (const k of Object.keys(SECTIONS)) $(`view-${k}`).hidden = k !== shown;
  for (const a of document.querySelectorAll('#sections a')) {
    if (a.getAttribute('href') === `#${shown}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (shown === 'activity') {
    // `#activity/user/<id>`: one user's attempts, from their page.
    if (args[0] === 'user' && args[1] && $('f-user').value !== args[1]) {
      $('f-user').value = args[1];
      offset = 0;
      await load();
    }
    return;
  }
  const view = $(`view-${shown}`);
  try {
    const section = await SECTIONS[shown]();
    await section.show(view, ...args);
  } catch (e) {
    view.replaceChildren(Object.assign(document.createElement('p'), { className: 'error', textContent: `This section could not be shown: ${e.message}` }));
  }
}
addEventListener('hashchange', route);

async function open() {
  $('key-form').hidden = true;
  $('sign-in').hidden = true;
  $('dashboard').hidden = false;
  $('forget').hidden = auth.signedIn;
  $('sign-out').hidden = !auth.signedIn;
  document.body.dataset.auth = 'signed-in';
  // The section the address names, at once: a later call would show it again over wherever
  // the administrator went meanwhile.
  const shown = route();
  try {
    const apps = await api('/api/v1/applications');
    $('f-app').replaceChildren(new Option('Any', ''), ...apps.applications.map((a) => new Option(a.name, a.id)));
  } catch { /* a key that may read records but not applications still gets the rest */ }
  await Promise.all([load(), showChain(), showConnections(), shown]);
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  auth.signedIn = false;
  sessionStorage.setItem(KEY, $('key').value.trim());
  $('key').value = '';
  open();
});
/** The records the filters select, all of them, as a zip holding a CSV (the server streams it). */
async function exportZip() {
  const button = $('export');
  button.disabled = true;
  $('state').textContent = 'Preparing the download…';
  try {
    const res = await fetch(`/api/v1/login-records/export?${shown}`, { headers: { authorization: `Bearer ${await credential()}` } });
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
    const url = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement('a'), { href: url, download: 'login_attempts.zip' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    $('state').textContent = 'Downloaded login_attempts.zip.';
  } catch (e) {
    $('state').textContent = `Could not download the records: ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

$('forget').addEventListener('click', () => signedOut());
$('export').addEventListener('click', exportZip);
$('filters').addEventListener('submit', (e) => { e.preventDefault(); offset = 0; load(); });
$('newer').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); load(); });
$('older').addEventListener('click', () => { if (offset + PAGE < total) { offset += PAGE; load(); } });

// The widget says when an administrator signed in, or already was (a session this browser has).
$('sign-in').addEventListener('latchkey:login', () => {
  if (sessionStorage.getItem(KEY)) return;
  auth.signedIn = true;
  open();
});
// "Continue" after a refusal: ask again (a role may have been granted meanwhile).
$('sign-in').addEventListener('latchkey:continue', () => {
  if (sessionStorage.getItem(KEY)) return;
  auth.signedIn = true;
  open();
});
// Signed out in the widget (to try another account, say).
$('sign-in').addEventListener('latchkey:logout', () => {
  if (!auth.signedIn) return;
  auth.signedIn = false;
  signedOut();
});
$('sign-out').addEventListener('click', async () => {
  await client?.logout().catch(() => {});
  auth.signedIn = false;
  // A fresh form: the old one still says who was signed in.
  const form = document.createElement('latchkey-login');
  form.id = 'login';
  form.setAttribute('client-id', clientId);
  $('login').replaceWith(form);
  signedOut();
});

if (sessionStorage.getItem(KEY)) open();
else signedOut();
