//! The OpenAPI 3.1 document, generated from the route table and the API types' JSON
//! schemas. [`responses`] matches [`Route`] exhaustively, so a new route does not compile
//! until it is documented.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::api::{ErrorBody, Health};
use crate::routes::{Access, Route, ROUTES};

struct Response {
    status: u16,
    description: &'static str,
    schema: Value,
}

fn schema<T: JsonSchema>(gen: &mut SchemaGenerator) -> Value {
    gen.subschema_for::<T>().to_value()
}

fn responses(route: Route, gen: &mut SchemaGenerator) -> Vec<Response> {
    match route {
        Route::Healthz => vec![
            Response {
                status: 200,
                description: "Every dependency answered.",
                schema: schema::<Health>(gen),
            },
            Response {
                status: 503,
                description: "A dependency failed; the body says which.",
                schema: schema::<Health>(gen),
            },
        ],
        Route::OpenApi => vec![Response {
            status: 200,
            description: "The OpenAPI 3.1 document.",
            schema: json!({"type": "object"}),
        }],
    }
}

/// Builds the whole document.
pub fn document() -> Value {
    let mut gen = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "#/components/schemas/".into();
            s.meta_schema = None;
        })
        .into_generator();
    let error_ref = schema::<ErrorBody>(&mut gen);

    let mut paths = Map::new();
    for spec in ROUTES {
        let mut out = Map::new();
        for r in responses(spec.route, &mut gen) {
            out.insert(
                r.status.to_string(),
                json!({
                    "description": r.description,
                    "content": {"application/json": {"schema": r.schema}}
                }),
            );
        }
        out.insert(
            "default".into(),
            json!({
                "description": "Error, in the common error shape.",
                "content": {"application/json": {"schema": error_ref}}
            }),
        );
        let params: Vec<Value> = path_params(spec.path)
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut op = json!({
            "operationId": spec.operation_id,
            "summary": spec.summary,
            "responses": out,
        });
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if spec.access == Access::Public {
            op["security"] = json!([]);
        }
        let item = paths
            .entry(spec.path)
            .or_insert_with(|| Value::Object(Map::new()));
        item[spec.method.as_str().to_ascii_lowercase()] = op;
    }

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Latchkey",
            "version": crate::VERSION,
            "description": "Authentication and user management for the edge."
        },
        "paths": paths,
        "components": {"schemas": gen.take_definitions(true)},
    })
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::Method;

    /// Every (method, path) in the document, in the table's method spelling.
    fn documented(doc: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.push((method.to_ascii_uppercase(), path.clone()));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn test_openapi_documents_exactly_the_route_table() {
        let doc = document();
        let mut table: Vec<_> = ROUTES
            .iter()
            .map(|r| (r.method.as_str().to_owned(), r.path.to_owned()))
            .collect();
        table.sort();
        assert_eq!(documented(&doc), table);
        assert_eq!(doc["openapi"], "3.1.0");
    }

    #[test]
    fn test_openapi_refs_resolve() {
        let doc = document();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap();
            assert!(schemas.contains_key(name), "dangling $ref {name}");
        }
        assert!(schemas.contains_key("ErrorBody"));
        assert!(schemas.contains_key("Health"));
    }

    #[test]
    fn test_openapi_health_schema_matches_type() {
        let doc = document();
        let health = &doc["components"]["schemas"]["Health"];
        let required: Vec<_> = health["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for field in ["status", "version", "d1", "kv"] {
            assert!(required.contains(&field), "{field} missing");
        }
        let get = &doc["paths"]["/healthz"]["get"];
        assert_eq!(get["operationId"], "getHealth");
        assert_eq!(Method::parse("GET"), Some(Method::Get));
    }
}
