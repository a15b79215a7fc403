//! The HTTP API under `/api/v1`, plus `/healthz` and `/metrics`.
//!
//! Every answer that is not a success is `{"error": {"code", "message"}}`
//! with a 4xx status for anything the caller can fix (bad JSON, unknown
//! fields, wrong role, unknown department, oversized body); 5xx only when
//! the server itself fails.

pub mod attribution;
pub mod contacts;
pub mod departments;
mod error;
pub mod openapi;
pub mod plugins;
pub mod session;
pub mod stats;
pub mod stream;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};

use super::AppState;
use super::auth::{Caller, Role};

pub use error::{ApiError, ApiResult, ErrorBody, ErrorDetail};
pub use openapi::ApiDoc;

pub type State = axum::extract::State<Arc<AppState>>;

/// A JSON body whose problems answer as [`ApiError`]s.
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

/// Query parameters whose problems answer as [`ApiError`]s.
pub struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Params(value)),
            Err(rejection) => Err(ApiError::bad_request("invalid_query", rejection.body_text())),
        }
    }
}

fn json_error(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let code = match &rejection {
        JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
        JsonRejection::JsonSyntaxError(_) => "invalid_json",
        JsonRejection::JsonDataError(_) => "invalid_body",
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        _ => "invalid_body",
    };
    ApiError::new(status, code, rejection.body_text())
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let unauthorized = |message: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
        // EventSource cannot send headers, so the stream alone also takes
        // `?token=`; anywhere else a token in the URL would end up in logs.
        let query_token =
            parts.uri.query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token="))).map(str::to_string);
        let on_stream = parts.extensions.get::<MatchedPath>().is_some_and(|p| p.as_str() == "/api/v1/stream");
        if query_token.is_some() && !on_stream {
            return Err(unauthorized(
                "a token in the URL (`?token=`) is accepted only by GET /api/v1/stream; send it in the header `Authorization: Bearer TOKEN`",
            ));
        }
        let header_token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let Some(token) = header_token.or(query_token) else {
            return Err(unauthorized(
                "missing `Authorization: Bearer TOKEN` (create one with `sopline token create` or POST /api/v1/login)",
            ));
        };
        match state.tokens.check(&state.store, token.trim()).await? {
            Ok(caller) => Ok(caller),
            Err(refusal) => Err(ApiError::new(StatusCode::UNAUTHORIZED, refusal.code(), refusal.message())),
        }
    }
}

impl Caller {
    /// Refuses callers without one of `roles`.
    pub fn require(&self, roles: &[Role], what: &str) -> ApiResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!(
                "{what} needs the role {} (you are {})",
                names.join(" or "),
                self.role.as_str()
            )))
        }
    }
}

/// The whole HTTP surface.
pub fn router(state: Arc<AppState>) -> Router {
    use axum::extract::DefaultBodyLimit;
    let api = Router::new()
        .route("/login", post(session::login))
        .route("/logout", post(session::logout))
        .route("/me", get(session::me))
        .route("/contacts", post(contacts::create).get(contacts::list))
        .route("/contacts/{id}", get(contacts::get_contact))
        .route("/contacts/{id}/events", post(contacts::post_event))
        .route("/contacts/{id}/check", post(contacts::check))
        .route("/contacts/{id}/script", get(contacts::script))
        .route("/callbacks", get(contacts::callbacks))
        .route("/deadlines", get(contacts::deadlines))
        .route("/points", get(stats::points))
        .route("/stats", get(stats::stats))
        .route("/departments", get(departments::departments))
        .route("/departments/{id}/binding", put(departments::put_binding))
        .route("/departments/{id}/migrate", post(departments::migrate))
        .route("/plugins", get(plugins::plugins))
        .route("/plugins/{id}/{version}", get(plugins::plugin))
        .route("/users", get(users::users).post(users::add_user))
        .route("/users/{name}", delete(users::delete_user))
        .route("/users/{name}/disable", post(users::disable))
        .route("/users/{name}/enable", post(users::enable))
        .route("/users/{name}/tokens", get(tokens::list).delete(tokens::revoke_all))
        .route("/tokens/{id}", delete(tokens::revoke))
        .route("/audit", get(users::audit))
        .route("/stream", get(stream::stream))
        .route("/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], openapi::json()) }))
        .layer(DefaultBodyLimit::max(64 * 1024))
        // Components are bigger than events; anything bigger is no plugin.
        .merge(
            Router::new()
                .route("/plugins", post(plugins::upload_plugin))
                .layer(DefaultBodyLimit::max(crate::plugin::MAX_COMPONENT_BYTES)),
        )
        .fallback(|| async { ApiError::not_found("no such API path; see /api/v1/openapi.json") });
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/", get(|| async { axum::response::Redirect::temporary("/console") }))
        .merge(super::console_routes())
        .fallback(|| async { ApiError::not_found("not found; the API is under /api/v1, the console at /console") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this path does not take that method")
        })
        .with_state(state)
}

async fn healthz(state: State) -> Response {
    match sqlx::query("SELECT 1").execute(state.store.pool()).await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok", "node": state.node }))).into_response(),
        Err(e) => ApiError::failed(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            anyhow::Error::new(e).context("the database does not answer"),
        )
        .into_response(),
    }
}

async fn metrics(state: State) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}
