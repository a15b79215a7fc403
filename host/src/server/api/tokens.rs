//! A user's tokens, listed by their public ids and revoked (admins).

use axum::Json;
use axum::extract::Path;
use serde::Serialize;
use utoipa::ToSchema;

use super::users::access_error;
use super::{ApiResult, State};
use crate::server::auth::manage::{self, AccessError, Actor};
use crate::server::auth::{Caller, Role};
use crate::server::store::{TokenRow, now_ms, time_text};

/// A token without its secret.
#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub user: String,
    /// `login` (a console session) or `api` (`sopline token create`).
    pub kind: String,
    pub created_at: String,
    /// `null`: never expires.
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    /// `active`, `expired` or `revoked`.
    pub status: &'static str,
}

impl TokenView {
    fn new(t: TokenRow, now: i64) -> TokenView {
        let status = match (t.revoked_at, t.expires_at) {
            (Some(_), _) => "revoked",
            (None, Some(at)) if at <= now => "expired",
            _ => "active",
        };
        TokenView {
            id: t.id,
            user: t.user,
            kind: t.kind,
            created_at: time_text(t.created_at),
            expires_at: t.expires_at.map(time_text),
            revoked_at: t.revoked_at.map(time_text),
            status,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<TokenView>,
}

/// A user's tokens, newest first (admins).
#[utoipa::path(get, path = "/api/v1/users/{name}/tokens", tag = "admin", params(("name" = String, Path)),
    responses((status = 200, body = TokenList), (status = 404, body = super::ErrorBody)))]
pub async fn list(state: State, caller: Caller, Path(name): Path<String>) -> ApiResult<Json<TokenList>> {
    caller.require(&[Role::Admin], "listing tokens")?;
    let tokens = state.store.tokens(Some(&name)).await?;
    if tokens.is_empty() && state.store.user(&name).await?.is_none() {
        return Err(access_error(AccessError::NoSuchUser(name)));
    }
    let now = now_ms();
    Ok(Json(TokenList { tokens: tokens.into_iter().map(|t| TokenView::new(t, now)).collect() }))
}

/// Revoke one token by its id; it is refused from the next request on, on
/// every node (admins).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = TokenView), (status = 404, body = super::ErrorBody)))]
pub async fn revoke(state: State, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<TokenView>> {
    caller.require(&[Role::Admin], "revoking tokens")?;
    let token = manage::revoke_token(&state.store, Actor::Admin(&caller.name), &id).await.map_err(access_error)?;
    state.tokens.changed();
    Ok(Json(TokenView::new(token, now_ms())))
}

#[derive(Serialize, ToSchema)]
pub struct Revoked {
    /// How many tokens were still working.
    pub revoked: u64,
}

/// Revoke every token of a user: all their sessions end (admins).
#[utoipa::path(delete, path = "/api/v1/users/{name}/tokens", tag = "admin", params(("name" = String, Path)),
    responses((status = 200, body = Revoked), (status = 404, body = super::ErrorBody)))]
pub async fn revoke_all(state: State, caller: Caller, Path(name): Path<String>) -> ApiResult<Json<Revoked>> {
    caller.require(&[Role::Admin], "revoking tokens")?;
    let revoked = manage::revoke_tokens(&state.store, Actor::Admin(&caller.name), &name).await.map_err(access_error)?;
    state.tokens.changed();
    Ok(Json(Revoked { revoked }))
}
