// What each crate adds to a .wasm: code bytes per crate, from the function bodies and the
// name section rustc leaves in the unoptimised module (wasm-opt later shrinks everything, so
// the shares are what count). Usage: node scripts/wasm-sizes.mjs file.wasm [rows]
import { readFileSync } from 'node:fs';

function leb(buf, pos) {
  let result = 0; let shift = 0; let byte;
  do {
    byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [result, pos];
}

const ESCAPES = { LT: '<', GT: '>', RF: '&', BP: '*', C: ',', SP: '@', u20: ' ', u7b: '{', u7d: '}', u5b: '[', u5d: ']', u27: "'", u3b: ';', u2b: '+', u22: '"' };

/** A legacy-mangled Rust symbol (`_ZN...E`, as rustc leaves them) as a path; others unchanged. */
export function demangle(symbol) {
  if (!symbol.startsWith('_ZN')) return symbol;
  const parts = [];
  let p = 3;
  while (p < symbol.length && symbol[p] !== 'E') {
    const m = symbol.slice(p).match(/^\d+/);
    if (!m) break;
    p += m[0].length;
    parts.push(symbol.slice(p, p + Number(m[0])));
    p += Number(m[0]);
  }
  if (parts.length > 1 && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  return parts.join('::')
    .replace(/^_\$/, '$').replace(/::_\$/g, '::$')
    .replace(/\$([A-Za-z0-9]+)\$/g, (all, e) => ESCAPES[e] ?? all)
    .replace(/\.\./g, '::');
}

/** The crate a Rust symbol belongs to (demangled, or legacy-mangled as rustc leaves them). */
export function crateOf(symbol) {
  let s = demangle(symbol).replace(/\[[0-9a-f]+\]/g, '');
  if (s.startsWith('<')) {
    // `<Type as Trait>::f`: the type's crate when it has a path, else the trait's (generic impls).
    const m = s.slice(1).match(/^(?:&(?:mut )?)?(\S+?) as ([^>]+)>/);
    s = m ? (m[1].includes('::') ? m[1] : m[2]) : s.slice(1);
  }
  s = s.replace(/^&(mut )?/, '').replace(/^(dyn |impl )/, '');
  const crate = s.split('::')[0];
  if (/^(__wbg|__wbindgen|__externref|wasm_bindgen)/.test(crate)) return 'wasm_bindgen';
  if (/^(core|alloc|std|compiler_builtins|dlmalloc|__rustc|__rust|__rdl|__rg|memcpy|memmove|memset|memcmp|bcmp)$/.test(crate)) return 'std (core, alloc, dlmalloc)';
  if (/^(latchkeyclient|widget)_/.test(crate)) return 'latchkey_sdk (exports)';
  return crate;
}

export function crateSizes(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  let pos = 8;
  let imported = 0;
  const bodies = [];
  const names = new Map();
  let data = 0;
  while (pos < buf.length) {
    const id = buf[pos++];
    let size; [size, pos] = leb(buf, pos);
    const end = pos + size;
    if (id === 2) { // imports: functions count first in the index space
      let n; let p; [n, p] = leb(buf, pos);
      for (let i = 0; i < n; i++) {
        let len; [len, p] = leb(buf, p); p += len;
        [len, p] = leb(buf, p); p += len;
        const kind = buf[p++];
        if (kind === 0) { [, p] = leb(buf, p); imported++; }
        else if (kind === 1) { p++; const flags = buf[p++]; [, p] = leb(buf, p); if (flags & 1) [, p] = leb(buf, p); }
        else if (kind === 2) { const flags = buf[p++]; [, p] = leb(buf, p); if (flags & 1) [, p] = leb(buf, p); }
        else if (kind === 3) { p += 2; }
        else if (kind === 4) { p++; [, p] = leb(buf, p); }
      }
    } else if (id === 10) {
      let n; let p; [n, p] = leb(buf, pos);
      for (let i = 0; i < n; i++) {
        let len; [len, p] = leb(buf, p);
        bodies.push(len); p += len;
      }
    } else if (id === 11) {
      data = size;
    } else if (id === 0) {
      let len; let p; [len, p] = leb(buf, pos);
      const name = buf.toString('utf8', p, p + len); p += len;
      if (name === 'name') {
        while (p < end) {
          const sub = buf[p++];
          let subSize; [subSize, p] = leb(buf, p);
          const subEnd = p + subSize;
          if (sub === 1) {
            let n; [n, p] = leb(buf, p);
            for (let i = 0; i < n; i++) {
              let idx; [idx, p] = leb(buf, p);
              let l; [l, p] = leb(buf, p);
              names.set(idx, buf.toString('utf8', p, p + l)); p += l;
            }
          }
          p = subEnd;
        }
      }
    }
    pos = end;
  }
  const byCrate = new Map();
  bodies.forEach((len, i) => {
    const crate = crateOf(names.get(imported + i) ?? '(unnamed)');
    byCrate.set(crate, (byCrate.get(crate) ?? 0) + len);
  });
  if (data) byCrate.set('(data: strings, tables)', data);
  const total = [...byCrate.values()].reduce((a, b) => a + b, 0);
  return { total, named: names.size, rows: [...byCrate].sort((a, b) => b[1] - a[1]) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, rows = 20, only] = process.argv.slice(2);
  const { total, named, rows: list } = crateSizes(readFileSync(file));
  if (named === 0) console.log('(no name section: build without stripping symbols)');
  for (const [crate, bytes] of list.slice(0, Number(rows))) {
    console.log(`${crate.padEnd(40)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  ${(100 * bytes / total).toFixed(1).padStart(5)}%`);
  }
}
