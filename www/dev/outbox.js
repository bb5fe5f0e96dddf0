// Lists the development outbox (GET /api/v1/dev/outbox). Messages are shown as text, with
// their links made clickable; their HTML is never injected into this page.
const $ = (id) => document.getElementById(id);

function linkify(text, into) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
  for (const part of parts) {
    if (/^https?:\/\//.test(part)) {
      const a = document.createElement('a');
      a.href = part;
      a.textContent = part;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      into.append(a);
    } else {
      into.append(part);
    }
  }
}

async function load() {
  $('state').textContent = 'Loading…';
  const res = await fetch('/api/v1/dev/outbox');
  if (!res.ok) {
    $('state').textContent = res.status === 404
      ? 'The outbox is off: development overrides are not enabled on this server.'
      : `The outbox could not be read (${res.status}).`;
    return;
  }
  const { messages } = await res.json();
  const list = $('messages');
  list.replaceChildren();
  for (const m of messages) {
    const item = document.createElement('article');
    const head = document.createElement('h2');
    head.textContent = m.subject || `Text message to ${m.recipient}`;
    const meta = document.createElement('p');
    meta.textContent = `${m.channel} to ${m.recipient} · ${new Date(m.created_at).toLocaleString()} · via ${m.provider}`;
    const body = document.createElement('pre');
    linkify(m.text, body);
    item.append(head, meta, body);
    list.append(item);
  }
  $('state').textContent = messages.length ? `${messages.length} message(s)` : 'Nothing sent yet.';
}

$('refresh').addEventListener('click', load);
load();
