//! The API's error answers: `{"error": {"code", "message"}}`.
//!
//! A caller's mistake (4xx) says what to change, in words a person can act
//! on. A failure of the server (5xx) says only that it failed and under
//! which error id: the details (SQL, table and file names, a plugin's
//! internals) go to the log under that id, for whoever runs the server, and
//! not to whoever sent the request.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::server::auth::random_hex;
use crate::server::core::CoreError;

/// Why a request got no success answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// An answer for the caller: a status, a stable code and a message.
    #[error("{status} {code}: {message}")]
    Answer {
        status: StatusCode,
        /// Stable, e.g. `not_found`; see [`ErrorDetail::code`].
        code: &'static str,
        message: String,
    },
    /// The server failed; the error is for the log only.
    #[error("{status} {code}: {error:#}")]
    Failed { status: StatusCode, code: &'static str, error: anyhow::Error },
}

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, e.g. `unauthorized`, `forbidden`, `not_found`, `invalid_json`, `rejected`, `internal`.
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Answer { status, code, message: message.into() }
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    /// A 500 whose `error` only the log sees.
    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        ApiError::failed(StatusCode::INTERNAL_SERVER_ERROR, "internal", anyhow::Error::msg(error.to_string()))
    }
    /// The HTTP status it answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Answer { status, .. } | ApiError::Failed { status, .. } => *status,
        }
    }
    /// What the caller reads (a 5xx's is made when it is answered).
    pub fn message(&self) -> Option<&str> {
        match self {
            ApiError::Answer { message, .. } => Some(message),
            ApiError::Failed { .. } => None,
        }
    }
    /// A 5xx whose `error` only the log sees.
    pub fn failed(status: StatusCode, code: &'static str, error: anyhow::Error) -> ApiError {
        ApiError::Failed { status, code, error }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> ApiError {
        ApiError::failed(StatusCode::INTERNAL_SERVER_ERROR, "internal", error)
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> ApiError {
        match e {
            CoreError::NotFound(m) => ApiError::not_found(m),
            CoreError::Rejected(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "rejected", m),
            CoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            CoreError::Refused(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused_by_database", m),
            CoreError::Internal(m) => ApiError::internal(m),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            ApiError::Answer { status, code, message } => (status, code, message),
            ApiError::Failed { status, code, error } => {
                let id = random_hex(4);
                tracing::error!(error_id = %id, status = status.as_u16(), error = %format!("{error:#}"), "request failed");
                (status, code, format!("the server failed (error id {id}); the details are in its log"))
            }
        };
        (status, Json(ErrorBody { error: ErrorDetail { code: code.into(), message } })).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn a_callers_mistake_keeps_its_message() {
        let (status, body) = answer(ApiError::not_found("no contact `c9` in your departments")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["message"], "no contact `c9` in your departments");
    }

    #[tokio::test]
    async fn a_core_failure_is_shown_only_as_an_error_id() {
        let (status, body) = answer(CoreError::Internal("commit failed: disk I/O error".into()).into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("the server failed (error id ") && !message.contains("disk"), "{message}");
    }
}
