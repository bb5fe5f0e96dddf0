// Where a request's time goes inside the worker's own isolate: V8's sampling profiler over the
// DevTools protocol (wrangler dev's inspector), each sample put in one bucket by its stack:
// the argon2id hash (any argon2, blake2 or password_hash frame: its memory filling is inlined
// into password_hash's Output::init_with), the rest of the worker's wasm, JavaScript (the
// bundle: wasm-bindgen's glue and, under wrangler dev, its middleware; the runtime's own
// modules, D1's client among them; built-in functions), garbage collection, and V8's own work.
// D1, KV and the dev server's own workers run elsewhere and are not in this isolate's profile.
//
// Usage: node scripts/profile.mjs [build dir]. Function names need a build whose names
// survived wasm-opt (wasm-bindgen --keep-debug, then wasm-opt -g, into a copy of
// worker/build); without them every wasm frame counts as "other wasm". Environment:
// PROFILE_N (logins; refreshes and /auth/me run 4 times as many; default 30), PROFILE_TOP
// (also print each request's functions with the most self time outside the hash; default 0;
// with PROFILE_WHERE set, with their line and column in the bundle).
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { startWorker, freePort } from '../tests/harness.mjs';
import { cpuRoutes } from './cpu.mjs';

const N = Number(process.env.PROFILE_N ?? 30);
const TOP = Number(process.env.PROFILE_TOP ?? 0);
const dir = process.argv[2];

function buckets(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const kindOf = new Map();
  const classify = (id) => {
    if (kindOf.has(id)) return kindOf.get(id);
    const { functionName: f, url } = byId.get(id).callFrame;
    let kind;
    if (f === '(idle)') kind = 'idle';
    else if (f === '(garbage collector)') kind = 'garbage collection';
    else if (f === '(program)') kind = 'V8 and runtime (native)';
    else {
      // The innermost frame that decides: a hash frame anywhere up the stack wins.
      let hash = false; let wasm = false;
      for (let a = id; a !== undefined; a = parent.get(a)) {
        const cf = byId.get(a).callFrame;
        if (/argon2|blake2|password_hash/i.test(cf.functionName)) hash = true;
        if (a === id && (cf.url.startsWith('wasm://') || /^\$?(wasm-function|_ZN|_R)/.test(cf.functionName))) wasm = true;
      }
      kind = hash ? 'argon2id hash' : wasm ? 'other wasm'
        : url.endsWith('index.js') ? 'JS: the bundle' // wasm-bindgen's glue, wrangler's dev middleware
          : url.startsWith('cloudflare-internal:') ? 'JS: runtime modules' // D1's client among them
            : 'JS: built-ins'; // fetch, JSON, URL, property gets: native functions called from JS
    }
    kindOf.set(id, kind);
    return kind;
  };
  const ms = {};
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const k = classify(id);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    ms[k] = (ms[k] ?? 0) + dt;
    if (k !== 'idle' && k !== 'argon2id hash') {
      const { functionName, url, lineNumber, columnNumber } = byId.get(id).callFrame;
      const where = process.env.PROFILE_WHERE ? `${url}:${lineNumber}:${columnNumber}` : url.split('/').pop();
      const name = `${k}: ${functionName || '(anonymous)'}${url && !url.startsWith('wasm://') ? ` ${where}` : ''}`;
      self.set(name, (self.get(name) ?? 0) + dt);
    }
  });
  return { ms, self };
}

const inspectorPort = await freePort();
const w = await startWorker({ inspectorPort, ...(dir ? { script: resolve(dir, 'index.js') } : {}) });
try {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
  let next = 1;
  const pending = new Map();
  ws.on('message', (data) => {
    const m = JSON.parse(data);
    if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); }
  });
  const call = (method, params = {}) => new Promise((ok) => {
    const id = next++;
    pending.set(id, ok);
    ws.send(JSON.stringify({ id, method, params }));
  });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 100 });
  // wrangler's inspector attaches to one of the two Workers, not always the edge one, which
  // every measured request reaches: a few requests to the edge alone tell which it is.
  await call('Profiler.start');
  for (let i = 0; i < 20; i++) await (await fetch(`${w.baseUrl}/healthz`)).text();
  const probe = buckets((await call('Profiler.stop')).result.profile).ms;
  if (!Object.entries(probe).some(([k, ms]) => k !== 'idle' && ms > 0)) {
    throw new Error("wrangler's inspector is attached to the administration Worker this time; run again");
  }
  const routes = await cpuRoutes(w, N);
  let offset = 0;
  for (const [, count, f] of routes) for (let i = 0; i < count / 4; i++) await f(offset++); // warm
  console.log(`== the worker's isolate, V8 sampling profiler, ms per request${dir ? ` (${dir})` : ''}`);
  const kinds = ['argon2id hash', 'other wasm', 'JS: the bundle', 'JS: runtime modules', 'JS: built-ins', 'garbage collection', 'V8 and runtime (native)'];
  console.log(`${'request'.padEnd(36)}     n ${kinds.map((k) => k.slice(0, 14).padStart(15)).join('')}   busy`);
  for (const [name, count, f] of routes) {
    await call('Profiler.start');
    for (let i = 0; i < count; i++) await f(offset++);
    const { result } = await call('Profiler.stop');
    const { ms, self } = buckets(result.profile);
    const busy = kinds.reduce((a, k) => a + (ms[k] ?? 0), 0);
    console.log(`${name.padEnd(36)} ${String(count).padStart(5)} ${kinds.map((k) => ((ms[k] ?? 0) / count).toFixed(2).padStart(15)).join('')} ${(busy / count).toFixed(2).padStart(6)}`);
    for (const [fn, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
      console.log(`      ${(t / count).toFixed(3).padStart(7)} ms  ${fn.slice(0, 140)}`);
    }
  }
  ws.close();
} finally {
  await w.stop();
}
