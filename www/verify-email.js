// The page a confirmation link opens: it confirms the address at once (the link is the
// proof) and says so. The token travels after '#' and is taken off the address.
const token = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, '', location.pathname);

const say = (title, text) => {
  document.getElementById('title').textContent = title;
  document.getElementById('state').textContent = text;
};

const explain = {
  CODE_USED: ['This link was used already', 'Your address may be confirmed already: try signing in.'],
  CODE_EXPIRED: ['This link has expired', 'Confirmation links work for 24 hours. Sign in to get a new one.'],
};

async function main() {
  if (!token) return say('No confirmation link', 'Open the link from your email to continue.');
  const res = await fetch('/api/v1/auth/verify-email', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }),
  });
  const json = await res.json().catch(() => ({}));
  if (res.ok) return say('Your email is confirmed', `${json.email} is confirmed. You can sign in now, and close this tab.`);
  const [title, text] = explain[json.error_code] ?? ['This link does not work', json.error_msg ?? 'Something went wrong. Try again.'];
  say(title, text);
}

main().catch(() => say('This link does not work', 'The service could not be reached. Try again.'));
