//! Logging in and who is calling.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, ApiResult, Body, State};
use crate::server::auth::{self, Caller};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub name: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginAnswer {
    pub token: String,
    pub user: Caller,
}

/// Exchange a name and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/login", tag = "auth", request_body = Login, security(()),
    responses((status = 200, body = LoginAnswer), (status = 401, body = super::ErrorBody)))]
pub async fn login(state: State, Body(req): Body<Login>) -> ApiResult<Json<LoginAnswer>> {
    let user = state.store.user(&req.name).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    // Verify even for unknown users so the answer takes as long either way.
    let dummy = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2lq1a0MmQF0ZcdxDN2yXsiGy9yBnbiR2ShcfTVqd7fQ";
    let password = req.password.clone();
    let hash_for_check = hash.clone().unwrap_or_else(|| dummy.to_string());
    let ok =
        tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash_for_check)).await.unwrap_or(false);
    match user.as_ref().and_then(Caller::from_row) {
        Some(caller) if ok && hash.is_some() => {
            let token = auth::issue_token(&state.store, &caller.name).await?;
            Ok(Json(LoginAnswer { token, user: caller }))
        }
        _ => Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "wrong name or password")),
    }
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Caller)))]
pub async fn me(caller: Caller) -> Json<Caller> {
    Json(caller)
}
