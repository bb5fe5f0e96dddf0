// The demo page: loads the SDK's wasm and shows what it reports.
import init, { version } from '/pkg/latchkey_sdk.js';

const status = document.getElementById('sdk-status');
try {
  await init();
  document.getElementById('sdk-version').textContent = version();
  status.textContent = 'ready';
  document.body.dataset.sdk = 'ready';
} catch (err) {
  status.textContent = `failed: ${err}`;
  document.body.dataset.sdk = 'failed';
}

try {
  const res = await fetch('/healthz');
  const health = await res.json();
  document.getElementById('service-health').textContent =
    `${health.status} (d1 ${health.d1}, kv ${health.kv}, version ${health.version})`;
} catch (err) {
  document.getElementById('service-health').textContent = `unreachable: ${err}`;
}
