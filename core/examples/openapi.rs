//! Prints the OpenAPI document of the native API. `make worker` writes it to
//! `www/openapi.json`, which the worker serves at `/openapi.json`: the document is made at
//! build time, so the worker's `.wasm` carries no schema generator.

fn main() {
    println!("{}", latchkey_core::http::openapi::document());
}
