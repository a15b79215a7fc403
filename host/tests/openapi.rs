//! The OpenAPI document (`GET /api/v1/openapi.json`) describes the API a
//! client generator or a fuzzer will actually meet: query parameters are
//! optional query parameters, every authenticated route says it can answer
//! 401 (and 403 where roles apply), and bodies have real schemas.

use serde_json::Value;
use sopline::server::api::ApiDoc;
use utoipa::OpenApi as _;

fn document() -> Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap()
}

/// Every (method, path, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op.clone()));
            }
        }
    }
    out
}

/// Follows a `$ref` into `components`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => resolve(doc, doc.pointer(r.trim_start_matches('#')).unwrap_or_else(|| panic!("no {r}"))),
        None => schema,
    }
}

fn body_schema<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    resolve(doc, &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"])
}

#[test]
fn every_reference_resolves() {
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = document();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        assert!(doc.pointer(r.trim_start_matches('#')).is_some(), "{r} does not resolve");
    }
}

#[test]
fn query_parameters_are_optional_query_parameters() {
    let doc = document();
    let list = &doc["paths"]["/api/v1/contacts"]["get"]["parameters"];
    let department = list.as_array().unwrap().iter().find(|p| p["name"] == "department").unwrap();
    assert_eq!(department["in"], "query", "{department}");
    assert_ne!(department["required"], true, "{department}");

    let mut required_query = Vec::new();
    for (method, path, op) in operations(&doc) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap();
            match p["in"].as_str().unwrap() {
                "path" => {
                    assert!(path.contains(&format!("{{{name}}}")), "{method} {path}: `{name}` is not in the path")
                }
                "query" if p["required"] == true => required_query.push(format!("{path}?{name}")),
                _ => {}
            }
        }
    }
    assert_eq!(required_query, ["/api/v1/contacts/{id}/script?scene"], "only `scene` must be given");
}

#[test]
fn authenticated_routes_document_401_and_403_where_roles_apply() {
    let doc = document();
    let mut open = Vec::new();
    for (method, path, op) in operations(&doc) {
        let anonymous = op["security"].as_array().is_some_and(|s| s.iter().any(|r| r.as_object().unwrap().is_empty()));
        if anonymous {
            open.push(format!("{method} {path}"));
            continue;
        }
        let unauthorized = &op["responses"]["401"];
        assert!(unauthorized.is_object(), "{method} {path} does not document 401");
        assert!(
            unauthorized["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap_or("")
                .ends_with("/ErrorBody"),
            "{method} {path}: the 401 is an ErrorBody: {unauthorized}"
        );
    }
    assert_eq!(open, ["post /api/v1/login"], "only logging in is open");
    for (method, path) in [
        ("post", "/api/v1/contacts"),
        ("post", "/api/v1/contacts/{id}/events"),
        ("get", "/api/v1/contacts"),
        ("get", "/api/v1/stream"),
        ("get", "/api/v1/stats"),
        ("post", "/api/v1/plugins"),
        ("get", "/api/v1/users"),
        ("post", "/api/v1/users"),
        ("get", "/api/v1/audit"),
        ("put", "/api/v1/departments/{id}/binding"),
        ("post", "/api/v1/departments/{id}/migrate"),
    ] {
        assert!(doc["paths"][path][method]["responses"]["403"].is_object(), "{method} {path} does not document 403");
    }
}

#[test]
fn opening_a_contact_and_posting_events_have_real_schemas() {
    let doc = document();
    let open = body_schema(&doc, "post", "/api/v1/contacts");
    let props = open["properties"].as_object().unwrap_or_else(|| panic!("POST /contacts body: {open}"));
    for field in ["department", "channel", "category", "customer", "fields", "id"] {
        assert!(props.contains_key(field), "POST /contacts body lacks `{field}`: {open}");
    }
    let mut required: Vec<&str> = open["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    required.sort();
    assert_eq!(required, ["category", "channel", "department"]);
    let channel = resolve(&doc, &props["channel"]);
    assert_eq!(channel["enum"], serde_json::json!(["phone", "chat", "email", "visit", "web"]), "{channel}");
    let customer = resolve(&doc, &props["customer"]);
    for field in ["id", "name", "phone"] {
        assert!(customer["properties"][field].is_object(), "customer lacks `{field}`: {customer}");
    }
    assert_eq!(customer["additionalProperties"]["type"], "string", "extra customer fields are text: {customer}");

    let event = body_schema(&doc, "post", "/api/v1/contacts/{id}/events");
    let variants = event["oneOf"].as_array().or(event["anyOf"].as_array()).unwrap_or_else(|| panic!("{event}"));
    let types: Vec<String> = variants
        .iter()
        .flat_map(|v| resolve(&doc, v)["properties"]["type"]["enum"].as_array().cloned().unwrap_or_default())
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    for common in ["answered", "message", "ended", "resolved", "callback_attempted", "closed"] {
        assert!(types.iter().any(|t| t == common), "the events schema lacks `{common}`: {types:?}");
    }
    // The server fills the actor fields in from the token: clients may leave them out.
    for variant in variants.iter().map(|v| resolve(&doc, v)) {
        let required = variant["required"].as_array().cloned().unwrap_or_default();
        assert!(!required.iter().any(|f| f == "agent" || f == "by"), "an actor field is required: {variant}");
    }
}
