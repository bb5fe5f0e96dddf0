// The page an IT administrator's set-up link opens: what the link is for, then the form
// that connects their identity provider. The token travels after '#' and is taken off the
// address (a reload asks for the link again).
const token = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, '', location.pathname);

const $ = (id) => document.getElementById(id);
const say = (title, text) => {
  $('title').textContent = title;
  $('state').textContent = text;
};
const post = async (path, body) => {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { ok: res.ok, json: await res.json().catch(() => ({})) };
};
const spent = {
  CODE_EXPIRED: ['This link does not work any more', 'It was used already or has expired. Ask the organization for a new one.'],
};
const fields = {
  INVALID_NAME: 'name', INVALID_ISSUER: 'issuer', ISSUER_UNREACHABLE: 'issuer',
  INVALID_CLIENT_ID: 'client-id', INVALID_CLIENT_SECRET: 'client-secret',
};

async function main() {
  if (!token) return say('No set-up link', 'Open the link you were given to continue.');
  const info = await post('/api/v1/sso-setup/info', { token });
  if (!info.ok) {
    const [title, text] = spent[info.json.error_code] ?? ['This link does not work', info.json.error_msg ?? 'Try again.'];
    return say(title, text);
  }
  $('org').textContent = info.json.organization_name;
  $('domains').textContent = info.json.domains.join(', ');
  $('redirect').textContent = info.json.redirect_uri;
  $('expires').textContent = new Date(info.json.expires_at).toLocaleString();
  $('state').textContent = '';
  $('about').hidden = false;
  $('form').hidden = false;
  $('name').focus();
  $('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('save').disabled = true;
    $('error').textContent = '';
    for (const id of Object.values(fields)) $(id).removeAttribute('aria-invalid');
    const body = {
      token, name: $('name').value.trim(), issuer: $('issuer').value.trim(),
      client_id: $('client-id').value.trim(), client_secret: $('client-secret').value,
    };
    const done = await post('/api/v1/sso-setup', body).catch(() => ({ ok: false, json: {} }));
    $('save').disabled = false;
    if (done.ok) {
      $('form').hidden = true;
      $('about').hidden = true;
      return say('Your identity provider is connected', `People at ${done.json.domains.join(', ')} can now choose "Sign in with SSO". You can close this tab.`);
    }
    if (spent[done.json.error_code]) return say(...spent[done.json.error_code]);
    const why = done.json.error_msg ?? 'the service could not be reached. Try again';
    $('error').textContent = `${why.charAt(0).toUpperCase()}${why.slice(1)}.`;
    const field = fields[done.json.error_code];
    if (field) {
      $(field).setAttribute('aria-invalid', 'true');
      $(field).focus();
    }
  });
}

main().catch(() => say('This link does not work', 'The service could not be reached. Try again.'));
