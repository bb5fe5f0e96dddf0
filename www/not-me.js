// The page a login alert's "This was not me" link opens: it signs the session out at once
// (the link is the proof), then offers a password reset. The token travels after '#' and is
// taken off the address.
const token = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, '', location.pathname);

const $ = (id) => document.getElementById(id);
const say = (title, text) => { $('title').textContent = title; $('state').textContent = text; };

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { ok: res.ok, json: await res.json().catch(() => ({})) };
}

async function main() {
  if (!token) return say('No link', 'Open the link from the email to continue.');
  const { ok, json } = await post('/api/v1/auth/not-me', { token });
  if (!ok) {
    return say('This link does not work', json.error_code === 'CODE_EXPIRED'
      ? 'It was used already or has expired (alert links work for a week). Sign in and review your sessions.'
      : (json.error_msg ?? 'Something went wrong. Try again.'));
  }
  say(json.session_revoked ? 'That session is signed out' : 'That session had ended already',
    'Whoever signed in can no longer use it. Reset your password now, so they cannot sign in again.');
  if (!json.client_id) return;
  $('reset').hidden = false;
  $('reset').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('send').disabled = true;
    const sent = await post('/api/v1/auth/password-reset', { client_id: json.client_id, email: $('email').value });
    $('send').disabled = false;
    if (sent.ok) {
      $('reset').hidden = true;
      say('Check your email', 'If an account has that address, we sent it a link to choose a new password.');
    } else {
      $('state').textContent = sent.json.error_msg ?? 'Something went wrong. Try again.';
    }
  });
}

main().catch(() => say('This link does not work', 'The service could not be reached. Try again.'));
