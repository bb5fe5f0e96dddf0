// The page a reset link opens: it names the account, takes the new password twice, and
// sets it. The token travels after '#' (no server log sees it) and is taken off the address.
const token = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, '', location.pathname);

const $ = (id) => document.getElementById(id);
const say = (title, text) => { $('title').textContent = title; $('state').textContent = text; };

const explain = {
  CODE_USED: ['This link was used already', 'Each reset link works once. Ask for a new one from the sign-in form ("Forgot password?").'],
  CODE_EXPIRED: ['This link has expired', 'Reset links work for 30 minutes. Ask for a new one from the sign-in form ("Forgot password?").'],
};
const fieldErrors = {
  INVALID_PASSWORD: 'Choose a longer password (at least 8 characters).',
  PASSWORD_BREACHED: 'This password appears in known data breaches. Choose another.',
};

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = res.status === 204 ? {} : await res.json().catch(() => ({}));
  return { ok: res.ok, json };
}

function failed(json) {
  const [title, text] = explain[json.error_code] ?? ['This link does not work', json.error_msg ?? 'Something went wrong. Try again.'];
  say(title, text);
  $('form').hidden = true;
}

async function save(e) {
  e.preventDefault();
  const password = $('password').value;
  if (password.length < 8) { $('error').textContent = fieldErrors.INVALID_PASSWORD; $('password').focus(); return; }
  if (password !== $('again').value) { $('error').textContent = 'The two passwords differ.'; $('again').focus(); return; }
  $('error').textContent = '';
  $('save').disabled = true;
  const { ok, json } = await post('/api/v1/auth/password-reset/complete', { token, password });
  $('save').disabled = false;
  if (ok) {
    $('form').hidden = true;
    return say('Your password was changed', 'Every session was signed out. Sign in with your new password.');
  }
  if (fieldErrors[json.error_code]) {
    $('error').textContent = fieldErrors[json.error_code];
    return $('password').focus();
  }
  failed(json);
}

async function main() {
  if (!token) return say('No reset link', 'Open the link from your email to continue.');
  const { ok, json } = await post('/api/v1/auth/password-reset/verify', { token });
  if (!ok) return failed(json);
  $('username').value = json.email;
  say('Choose a new password', `For ${json.email}. Every session of the account will be signed out.`);
  $('form').hidden = false;
  $('form').addEventListener('submit', save);
  $('password').focus();
}

main().catch(() => say('This link does not work', 'The service could not be reached. Try again.'));
