//! The request's own URL, as the runtime serializes it (the WHATWG URL standard: scheme and
//! host in lower case, the host in punycode, a default port left out, spaces and controls
//! percent-encoded). The worker reads three things of it: the scheme, the origin and the
//! query's pairs. These are cut from that serialization, not parsed again by a URL parser:
//! a parser would add its IDNA and normalization tables (more than 100 KB) to the worker's
//! `.wasm` for hosts the runtime has already mapped.

/// What the worker reads of the request's URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestUrl<'a> {
    /// `https`, `http`.
    pub scheme: &'a str,
    /// `scheme://host[:port]`, as a browser sends it in `Origin`.
    pub origin: String,
    /// The query without its `?`, before any fragment; empty when there is none.
    pub query: &'a str,
}

impl<'a> RequestUrl<'a> {
    /// The parts of an absolute URL; `None` if it has no `scheme://` or no host.
    pub fn parse(url: &'a str) -> Option<Self> {
        let (scheme, rest) = url.split_once("://")?;
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return None;
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        // Credentials in the URL are not part of its origin.
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host.is_empty() {
            return None;
        }
        let before_fragment = tail.split_once('#').map_or(tail, |(t, _)| t);
        let query = before_fragment.split_once('?').map_or("", |(_, q)| q);
        Some(Self {
            scheme,
            origin: format!("{scheme}://{host}"),
            query,
        })
    }

    /// The query's pairs, decoded as browsers decode a form ([`crate::validate::form_decode_lossy`]).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        crate::validate::form_decode_lossy(self.query.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_request_url_scheme_origin_and_query() {
        let u = RequestUrl::parse("https://auth.example.com/api/v1/users?email=a%40b.c&q=x+y#top")
            .expect("parsed");
        assert_eq!(u.scheme, "https");
        assert_eq!(u.origin, "https://auth.example.com");
        assert_eq!(u.query, "email=a%40b.c&q=x+y");
        assert_eq!(
            u.query_pairs(),
            vec![("email".into(), "a@b.c".into()), ("q".into(), "x y".into())]
        );

        let dev = RequestUrl::parse("http://127.0.0.1:8787/healthz").expect("parsed");
        assert_eq!(dev.scheme, "http");
        assert_eq!(dev.origin, "http://127.0.0.1:8787");
        assert_eq!(dev.query, "");
        assert!(dev.query_pairs().is_empty());

        let v6 = RequestUrl::parse("http://[::1]:8787?a=1").expect("parsed");
        assert_eq!(v6.origin, "http://[::1]:8787");
        assert_eq!(v6.query_pairs(), vec![("a".into(), "1".into())]);

        // Credentials are not part of the origin; a '?' after the fragment starts no query.
        let creds = RequestUrl::parse("https://user:pw@example.com/p#x?y=1").expect("parsed");
        assert_eq!(creds.origin, "https://example.com");
        assert_eq!(creds.query, "");
    }

    #[test]
    fn test_request_url_refuses_what_is_not_an_absolute_url() {
        for bad in [
            "/api/v1/users",
            "example.com",
            "://example.com/",
            "https:///path",
            "ht tp://x/",
        ] {
            assert_eq!(RequestUrl::parse(bad), None, "{bad}");
        }
    }

    /// The pairs as the `url` crate's `query_pairs` (application/x-www-form-urlencoded
    /// parsing) gave them before: a broken escape stays as written, bytes that are not
    /// UTF-8 become U+FFFD, empty pieces are skipped, a name without '=' has an empty value.
    #[test]
    fn test_request_url_query_pairs_decode_like_a_form() {
        let u =
            RequestUrl::parse("https://x.test/?a=%zz&&b&c=%E2%82%AC&d=%FF&e=%2&=f").expect("url");
        assert_eq!(
            u.query_pairs(),
            vec![
                ("a".into(), "%zz".into()),
                ("b".into(), String::new()),
                ("c".into(), "€".into()),
                ("d".into(), "\u{FFFD}".into()),
                ("e".into(), "%2".into()),
                (String::new(), "f".into()),
            ]
        );
    }
}
