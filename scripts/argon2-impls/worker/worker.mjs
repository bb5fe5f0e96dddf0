// One hash per request, by the implementation the path names; /noop for the request's own cost.
import impls from '../target/wasm32-unknown-unknown/release/argon2_impls.wasm';

let exports;
export default {
  async fetch(req) {
    exports ??= (await WebAssembly.instantiate(impls, {})).exports;
    const f = {
      '/rustcrypto': exports.hash_rustcrypto,
      '/rustcrypto-kept': exports.hash_rustcrypto_kept,
      '/rust-argon2': exports.hash_rust_argon2,
      '/noop': () => 0,
    }[new URL(req.url).pathname];
    return f ? new Response(String(f())) : new Response('no such path', { status: 404 });
  },
};
