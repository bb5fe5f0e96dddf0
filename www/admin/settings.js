// The admin dashboard's organization settings: its name, custom domain, how long login
// records are kept, who delivers its messages, and its brute-force policy, saved with the
// server's validation errors shown beside the fields. An organization's key or administrator
// sees its own organization only.
import {
  api, el, when, viewTitle, claim, problem, field, checkbox, group, apiForm, copyButton,
} from '/admin/common.js';

const READ = 'organizations:read';
const WRITE = 'organizations:write';
const TITLE = 'Organization';

export async function show(view) {
  const current = claim(view);
  let org;
  try {
    [org] = (await api('/api/v1/organizations')).organizations;
  } catch (e) {
    if (current()) viewTitle(view, TITLE, problem(e, READ));
    return;
  }
  if (!current()) return;
  if (!org) {
    viewTitle(view, TITLE, el('p', { className: 'muted', textContent: 'No organization is visible with this credential.' }));
    return;
  }
  const dates = el('p', { className: 'muted' });
  const dated = (o) => { dates.textContent = `Created ${when(o.created_at)}; last changed ${when(o.updated_at)}.`; };
  dated(org);
  const id = el('input', { name: 'organization_id', value: org.id, readOnly: true, spellcheck: false, className: 'mono' });
  viewTitle(view, TITLE,
    el('div', { className: 'card' }, el('div', { className: 'copy-field' }, field('Organization id', id), copyButton(org.id, 'the organization id')), dates),
    settingsForm(org, dated));
}

const number = (name, min, max) => el('input', {
  type: 'number', name, min: String(min), max: String(max), step: '1', required: true, inputMode: 'numeric',
});
const select = (name, options) => el('select', { name }, ...options.map(([v, label]) => new Option(label, v)));

/** The settings of the Update type, filled from `org`; `saved(org)` after each save. */
function settingsForm(org, saved) {
  const c = {
    name: el('input', { name: 'name', required: true, autocomplete: 'organization' }),
    domain: el('input', { name: 'custom_domain', spellcheck: false, autocomplete: 'off', placeholder: 'login.example.com' }),
    retention: number('retention_days', 1, 3650),
    email: select('email', [['send_email', 'Cloudflare (the send_email binding)'], ['resend', 'Resend']]),
    sms: select('sms', [['none', 'None: no text-message codes'], ['twilio', 'Twilio']]),
    alerts: checkbox('Email users an alert about a sign-in that looked risky', { name: 'login_alerts' }),
    ipFailures: number('ip_failures', 1, 100),
    delayAfter: number('delay_after', 0, 100),
    accountFailures: number('account_failures', 1, 100),
    lockMinutes: number('lock_minutes', 1, 1440),
    perHour: number('address_failures_per_hour', 10, 100000),
    breached: select('breached_password_at_login', [
      ['off', 'Nothing (no check at login)'], ['flag', 'Flag the login and raise a security event'],
      ['require_change', 'Flag it, and require a new password before signing in'],
    ]),
  };
  const alerts = c.alerts.querySelector('input');
  const fill = (o) => {
    c.name.value = o.name;
    c.domain.value = o.custom_domain ?? '';
    c.retention.value = o.retention_days;
    c.email.value = o.messaging.email;
    c.sms.value = o.messaging.sms;
    alerts.checked = o.messaging.login_alerts;
    const a = o.attack_protection;
    c.ipFailures.value = a.ip_failures;
    c.delayAfter.value = a.delay_after;
    c.accountFailures.value = a.account_failures;
    c.lockMinutes.value = a.lock_minutes;
    c.perHour.value = a.address_failures_per_hour;
    c.breached.value = a.breached_password_at_login;
  };
  const body = () => ({
    name: c.name.value,
    custom_domain: c.domain.value.trim() || null,
    retention_days: Number(c.retention.value),
    messaging: { email: c.email.value, sms: c.sms.value, login_alerts: alerts.checked },
    attack_protection: {
      ip_failures: Number(c.ipFailures.value),
      delay_after: Number(c.delayAfter.value),
      account_failures: Number(c.accountFailures.value),
      lock_minutes: Number(c.lockMinutes.value),
      address_failures_per_hour: Number(c.perHour.value),
      breached_password_at_login: c.breached.value,
    },
  });
  fill(org);
  return apiForm({
    title: 'Settings',
    button: 'Save',
    permission: WRITE,
    fields: { DOMAIN_TAKEN: 'custom_domain' },
    children: [
      field('Name', c.name),
      field('Custom domain', c.domain, 'The host name the hosted sign-in pages are served on; empty for none.'),
      field('Keep login records (days)', c.retention, '1 to 3650.'),
      group('Messages', '',
        field('Email is sent by', c.email),
        field('Text messages are sent by', c.sms),
        c.alerts),
      group('Attack protection', 'attack_protection',
        field('Failures from one address before the login id is locked there', c.ipFailures, '1 to 100.'),
        field('Failures from one address before each attempt waits longer', c.delayAfter, '0 to the number above.'),
        field('Failures of one login id before it is locked everywhere', c.accountFailures, '1 to 100.'),
        field('Minutes a lock lasts', c.lockMinutes, '1 to 1440.'),
        field('Failures from one address in an hour before it is refused', c.perHour, '10 to 100000, across login ids.'),
        field('When a password found in known breaches signs in', c.breached)),
    ],
    submit: async () => {
      const changed = await api(`/api/v1/organizations/${encodeURIComponent(org.id)}`, { method: 'PUT', body: body() });
      fill(changed);
      saved(changed);
      return 'Saved.';
    },
  });
}
