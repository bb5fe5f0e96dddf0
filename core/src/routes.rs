//! The route table: the single list of every endpoint the worker serves. The worker
//! dispatches on [`Route`] with an exhaustive `match`, and the OpenAPI document is built
//! from the same table, so a route cannot exist without being documented, or the reverse.

/// HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn parse(method: &str) -> Option<Method> {
        match method {
            "GET" | "HEAD" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Public by design (DESIGN.md lists these).
    Public,
}

/// Every endpoint, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Healthz,
    OpenApi,
}

/// One row of the route table.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub route: Route,
    pub method: Method,
    /// Path template; `{name}` marks a parameter that matches one non-empty segment.
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    pub access: Access,
}

pub const ROUTES: &[RouteSpec] = &[
    RouteSpec {
        route: Route::Healthz,
        method: Method::Get,
        path: "/healthz",
        operation_id: "getHealth",
        summary: "Liveness and dependency check (a real D1 query and a real KV read).",
        access: Access::Public,
    },
    RouteSpec {
        route: Route::OpenApi,
        method: Method::Get,
        path: "/openapi.json",
        operation_id: "getOpenApi",
        summary: "This OpenAPI 3.1 document.",
        access: Access::Public,
    },
];

/// Path prefixes that belong to the API: an unknown path under them is a JSON 404 and is
/// never handed to the static files.
pub const API_PREFIXES: &[&str] = &["/api/", "/v1/", "/.well-known/"];

/// The result of matching a request against the table.
#[derive(Debug, PartialEq, Eq)]
pub enum RouteMatch {
    Found {
        spec: &'static RouteSpec,
        params: Vec<(&'static str, String)>,
    },
    /// The path exists, but not for this method.
    MethodNotAllowed,
    /// No route has this path.
    NotFound,
}

impl PartialEq for RouteSpec {
    fn eq(&self, other: &Self) -> bool {
        self.route == other.route
    }
}
impl Eq for RouteSpec {}

/// Matches a method and a path (without query) against [`ROUTES`].
pub fn match_route(method: &str, path: &str) -> RouteMatch {
    let mut path_matched = false;
    for spec in ROUTES {
        if let Some(params) = match_path(spec.path, path) {
            path_matched = true;
            if Method::parse(method) == Some(spec.method) {
                return RouteMatch::Found { spec, params };
            }
        }
    }
    if path_matched {
        RouteMatch::MethodNotAllowed
    } else {
        RouteMatch::NotFound
    }
}

/// True when `path` lies in the API's namespace (a route or one of [`API_PREFIXES`]).
pub fn is_api_path(path: &str) -> bool {
    API_PREFIXES.iter().any(|p| path.starts_with(p))
        || ROUTES.iter().any(|r| match_path(r.path, path).is_some())
}

fn match_path(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut params = Vec::new();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(params),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    params.push((name, ps.to_owned()));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn test_routes_match_exact_paths() {
        match match_route("GET", "/healthz") {
            RouteMatch::Found { spec, params } => {
                assert_eq!(spec.route, Route::Healthz);
                assert!(params.is_empty());
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            match_route("HEAD", "/openapi.json"),
            RouteMatch::Found { .. }
        ));
    }

    #[test]
    fn test_routes_unknown_path_and_wrong_method() {
        assert_eq!(match_route("GET", "/healthz/"), RouteMatch::NotFound);
        assert_eq!(match_route("GET", "/nope"), RouteMatch::NotFound);
        assert_eq!(
            match_route("POST", "/healthz"),
            RouteMatch::MethodNotAllowed
        );
        assert_eq!(
            match_route("BREW", "/healthz"),
            RouteMatch::MethodNotAllowed
        );
    }

    #[test]
    fn test_routes_templates_capture_parameters() {
        assert_eq!(
            match_path("/api/v1/users/{id}", "/api/v1/users/42"),
            Some(vec![("id", "42".to_owned())])
        );
        assert_eq!(match_path("/api/v1/users/{id}", "/api/v1/users/"), None);
        assert_eq!(match_path("/api/v1/users/{id}", "/api/v1/users/42/x"), None);
    }

    #[test]
    fn test_routes_table_has_no_duplicates() {
        let mut seen = HashSet::new();
        let mut ops = HashSet::new();
        for r in ROUTES {
            assert!(
                seen.insert((r.method, r.path)),
                "duplicate {} {}",
                r.method.as_str(),
                r.path
            );
            assert!(
                ops.insert(r.operation_id),
                "duplicate operation id {}",
                r.operation_id
            );
            assert!(r.path.starts_with('/'));
        }
    }

    #[test]
    fn test_routes_api_namespace() {
        assert!(is_api_path("/healthz"));
        assert!(is_api_path("/api/v1/anything"));
        assert!(is_api_path("/.well-known/jwks.json"));
        assert!(!is_api_path("/index.html"));
        assert!(!is_api_path("/"));
    }
}
