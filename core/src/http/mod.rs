//! What core says about HTTP, without doing any: the route table (every route's method,
//! path, access and parameters), the OpenAPI document generated from it and the API types,
//! the CORS policy, the security headers of each kind of response, who the `Authorization`
//! header says is calling, and the parts of the request's own URL the worker reads. The
//! worker matches, authenticates, authorises and renders by these.

pub mod caller;
pub mod cors;
pub mod headers;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod routes;
pub mod url;
