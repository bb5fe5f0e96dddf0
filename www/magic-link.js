// The page a sign-in link opens: it shows which device and place asked, and approves or
// refuses that sign-in. The token travels after '#', so it reaches no server log; it is
// taken off the address at once.
const token = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, '', location.pathname);

const $ = (id) => document.getElementById(id);
const say = (title, text) => { $('title').textContent = title; $('state').textContent = text; };

const explain = {
  CODE_USED: ['This link was used already', 'Each sign-in link works once. Ask for a new one on the page where you signed in.'],
  CODE_EXPIRED: ['This link has expired', 'Sign-in links work for 15 minutes. Ask for a new one on the page where you signed in.'],
};

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  return { ok: res.ok, json };
}

function failed(json) {
  const [title, text] = explain[json.error_code] ?? ['This link does not work', json.error_msg ?? 'Something went wrong. Try again.'];
  say(title, text);
  $('request').hidden = true;
  $('actions').hidden = true;
}

async function answer(approve) {
  $('approve').disabled = true;
  $('deny').disabled = true;
  const { ok, json } = await post('/api/v1/auth/magic-link/verify', { token, approve });
  if (!ok) return failed(json);
  $('actions').hidden = true;
  if (json.approved) {
    say('Sign-in approved', `The page that asked is now signed in to ${json.application}. You can close this tab.`);
  } else {
    say('Sign-in refused', 'Nobody was signed in. If you did not ask for this link, consider changing your password.');
  }
}

async function main() {
  if (!token) {
    return say('No sign-in link', 'Open the link from your email to continue.');
  }
  const { ok, json } = await post('/api/v1/auth/magic-link/inspect', { token });
  if (!ok) return failed(json);
  $('app').textContent = json.application;
  $('email').textContent = json.email;
  $('device').textContent = json.device;
  $('place').textContent = `${json.location} (${json.ip})`;
  $('when').textContent = new Date(json.requested_at).toLocaleString();
  $('request').hidden = false;
  $('actions').hidden = false;
  say(`Sign in to ${json.application}?`, 'Someone asked to sign in with your email address. Approve only if it was you, on this device or another.');
  $('approve').addEventListener('click', () => answer(true));
  $('deny').addEventListener('click', () => answer(false));
}

main().catch(() => say('This link does not work', 'The service could not be reached. Try again.'));
