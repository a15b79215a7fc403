//! The OpenAPI document (`GET /api/v1/openapi.json`), from the handlers'
//! `#[utoipa::path]` annotations plus what holds for every route: the
//! bearer scheme and the error answers of the extractors routes share (401
//! without a valid token, 403 where roles or departments are checked, 400,
//! 413, 415 and 422 for bad bodies, 400 for bad queries, 404 for paths
//! naming something).

use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
use utoipa::{IntoParams, Modify, OpenApi};

use super::{contacts, departments, plugins, session, stats, stream, tokens, users};

#[derive(OpenApi)]
#[openapi(
    info(title = "Sopline API", description = "Run a contact centre's SOPs as code: contacts, events, outcomes, bindings, plugins."),
    paths(
        session::login, session::logout, session::me,
        contacts::create, contacts::post_event, contacts::get_contact, contacts::list, contacts::check, contacts::script,
        contacts::callbacks, contacts::deadlines, stats::points, stats::stats,
        departments::departments, departments::put_binding, departments::migrate, plugins::plugins, plugins::upload_plugin, plugins::plugin,
        users::users, users::add_user, users::disable, users::enable, users::delete_user, users::audit,
        tokens::list, tokens::revoke, tokens::revoke_all,
        stream::stream,
    ),
    // Schemas only query parameters name (utoipa collects those of bodies and answers itself).
    components(schemas(contacts::StateFilter)),
    modifiers(&BearerAuth, &QueryParameters, &CommonAnswers, &TaggedUnions),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The routes that refuse some callers by role or department (403).
const ROLE_CHECKED: &[(&str, &str)] = &[
    ("post", "/api/v1/contacts"),
    ("get", "/api/v1/contacts"),
    ("post", "/api/v1/contacts/{id}/events"),
    ("get", "/api/v1/stream"),
    ("get", "/api/v1/stats"),
    ("post", "/api/v1/plugins"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/audit"),
    ("put", "/api/v1/departments/{id}/binding"),
    ("post", "/api/v1/departments/{id}/migrate"),
    ("delete", "/api/v1/users/{name}"),
    ("post", "/api/v1/users/{name}/disable"),
    ("post", "/api/v1/users/{name}/enable"),
    ("get", "/api/v1/users/{name}/tokens"),
    ("delete", "/api/v1/users/{name}/tokens"),
    ("delete", "/api/v1/tokens/{id}"),
];

/// The error answers every route of a kind has, from the extractors they
/// share (kept where a handler describes its own): 401 where a token is
/// needed, 403 on [`ROLE_CHECKED`], 400 for a bad query, 400, 413 and 415
/// and 422 for a bad JSON body, 404 for a path naming something.
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                let anonymous = operation.security.iter().flatten().any(|r| *r == SecurityRequirement::default());
                if !anonymous {
                    add_error(
                        operation,
                        "401",
                        "No valid token. `error.code`: `unauthorized` (missing, unknown, or `?token=` outside the \
                         stream), `token_revoked`, `token_expired`, `user_disabled` or `user_deleted`; the message \
                         says what to do.",
                    );
                }
                if ROLE_CHECKED.contains(&(method, path.as_str())) {
                    add_error(operation, "403", "the caller's role or departments do not allow this");
                }
                let takes = |place: ParameterIn| operation.parameters.iter().flatten().any(|p| p.parameter_in == place);
                let (query, named) = (takes(ParameterIn::Query), takes(ParameterIn::Path));
                let json_body =
                    operation.request_body.as_ref().is_some_and(|body| body.content.contains_key("application/json"));
                if query {
                    add_error(operation, "400", "a query parameter is malformed or unknown");
                }
                if json_body {
                    add_error(operation, "400", "the body is not JSON");
                    add_error(operation, "413", "the body is larger than 64 KiB");
                    add_error(operation, "415", "the body is not `Content-Type: application/json`");
                    add_error(operation, "422", "the body's fields are missing, unknown or of the wrong type");
                }
                if named {
                    add_error(operation, "404", "no such thing among those the caller may see");
                }
            }
        }
    }
}

fn add_error(operation: &mut Operation, status: &str, description: &str) {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    let response = ResponseBuilder::new().description(description).content("application/json", body).build();
    operation.responses.responses.entry(status.to_string()).or_insert(response.into());
}

/// Query parameters of handlers whose `IntoParams` types do not say
/// `#[into_params(parameter_in = Query)]`: utoipa cannot tell our `Params`
/// extractor is a query and declares them as required path parameters.
/// Until those types say so, their parameters are put right here.
struct QueryParameters;

impl Modify for QueryParameters {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let query = || Some(ParameterIn::Query);
        let fixes: [(&str, Vec<Parameter>); 3] = [
            ("/api/v1/stats", stats::StatsQuery::into_params(query)),
            ("/api/v1/audit", users::AuditQuery::into_params(query)),
            ("/api/v1/stream", stream::StreamQuery::into_params(query)),
        ];
        for (path, parameters) in fixes {
            let Some(operation) = openapi.paths.paths.get_mut(path).and_then(|item| item.get.as_mut()) else {
                continue;
            };
            let mut kept = operation.parameters.take().unwrap_or_default();
            kept.retain(|p| !parameters.iter().any(|q| q.name == p.name));
            kept.extend(parameters);
            operation.parameters = Some(kept);
        }
    }
}

/// utoipa writes each variant of an internally tagged enum (`"type":
/// "answered"` beside the fields) as `allOf: [fields, {type}]`. With
/// `deny_unknown_fields` the fields part says `additionalProperties: false`,
/// which in JSON Schema then forbids `type` itself, so no body could match.
/// Each such variant becomes the one object serde reads.
struct TaggedUnions;

impl Modify for TaggedUnions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::Schema;
        let Some(components) = openapi.components.as_mut() else { return };
        let named = components.schemas.clone();
        let object = |part: &RefOr<Schema>| match part {
            RefOr::T(Schema::Object(object)) => Some(object.clone()),
            RefOr::Ref(r) => match named.get(r.ref_location.trim_start_matches("#/components/schemas/")) {
                Some(RefOr::T(Schema::Object(object))) => Some(object.clone()),
                _ => None,
            },
            _ => None,
        };
        for (name, schema) in components.schemas.iter_mut() {
            let RefOr::T(Schema::OneOf(union)) = schema else { continue };
            // The API fills the actor fields in from the credential
            // (api/attribution.rs), so a client may leave them out.
            let actors_optional = name == "PostedEvent";
            for variant in &mut union.items {
                let RefOr::T(Schema::AllOf(parts)) = variant else { continue };
                let objects: Option<Vec<_>> = parts.items.iter().map(object).collect();
                let Some(mut objects) = objects.filter(|o| !o.is_empty()) else { continue };
                let mut merged = objects.remove(0);
                for part in objects {
                    merged.properties.extend(part.properties);
                    merged.required.extend(part.required);
                    merged.additional_properties = merged.additional_properties.or(part.additional_properties);
                }
                if actors_optional {
                    merged.required.retain(|field| field != "agent" && field != "by");
                }
                *variant = RefOr::T(Schema::Object(merged));
            }
        }
    }
}

/// The document as served: built once.
pub fn json() -> &'static str {
    static DOC: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| ApiDoc::openapi().to_json().expect("the OpenAPI document serializes"));
    &DOC
}
