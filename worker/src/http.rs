//! Small HTTP helpers shared by the handlers.

use latchkey_core::http::headers::{security_headers, Security};
use serde::Serialize;
use worker::{Headers, Response, ResponseBuilder};

/// The header that carries the request id on every response.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: u16, body: &T) -> worker::Result<Response> {
    Ok(Response::from_json(body)?.with_status(status))
}

/// A fresh request id: 128 random bits, hex.
pub fn new_request_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Randomness is only missing if the runtime is broken; an id is still owed.
        return "unavailable".to_owned();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Returns `resp` with `x-request-id`, the security headers core gives its kind
/// ([`security_headers`]) and `extra` set. Responses fetched from other bindings (static
/// assets) have immutable headers, so the headers are copied into a new response.
pub fn finish(
    resp: Response,
    request_id: &str,
    security: Security,
    extra: &[(&str, String)],
) -> worker::Result<Response> {
    let status = resp.status_code();
    let headers = Headers::new();
    for (name, value) in resp.headers().entries() {
        headers.append(&name, &value)?;
    }
    headers.set(REQUEST_ID_HEADER, request_id)?;
    for (name, value) in security_headers(security) {
        headers.set(name, value)?;
    }
    for (name, value) in extra {
        headers.set(name, value)?;
    }
    let (_, body) = resp.into_parts();
    Ok(ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .body(body))
}

/// The OpenAPI document, generated once per isolate.
/// How long a call to an outside service (a webhook, an email or SMS provider) may take.
const OUTBOUND_TIMEOUT_MS: u32 = 10_000;

/// POSTs `body` with `headers` to an outside service, following no redirect (a service
/// answers where it was configured, or fails) and giving up after ten seconds; answers the
/// status.
pub async fn post_out(url: &str, headers: &[(&str, String)], body: &str) -> worker::Result<u16> {
    Ok(send_out(url, headers, Some(body)).await?.status_code())
}

/// A GET (no `body`) or POST to an outside service, as [`post_out`]: the status and the
/// body's text.
pub async fn request_out(
    url: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> worker::Result<(u16, String)> {
    let mut resp = send_out(url, headers, body).await?;
    Ok((resp.status_code(), resp.text().await?))
}

async fn send_out(
    url: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> worker::Result<worker::Response> {
    use worker::{AbortSignal, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};
    let h = Headers::new();
    for (k, v) in headers {
        h.set(k, v)?;
    }
    let mut init = RequestInit::new();
    init.with_method(if body.is_some() {
        Method::Post
    } else {
        Method::Get
    })
    .with_headers(h)
    .with_redirect(RequestRedirect::Manual)
    .with_body(body.map(Into::into));
    let signal = AbortSignal::from(worker::web_sys::AbortSignal::timeout_with_u32(
        OUTBOUND_TIMEOUT_MS,
    ));
    Fetch::Request(Request::new_with_init(url, &init)?)
        .send_with_signal(&signal)
        .await
}
