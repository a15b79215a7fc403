//! Users and the audit trail (admins).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Body, Params, State};
use crate::server::auth::manage::{self, AccessError, Actor};
use crate::server::auth::{self, Caller, Role};
use crate::server::store::{AuditEntry, UserRow};

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserRow>,
}

/// Every user (admins).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", responses((status = 200, body = UserList)))]
pub async fn users(state: State, caller: Caller) -> ApiResult<Json<UserList>> {
    caller.require(&[Role::Admin], "listing users")?;
    Ok(Json(UserList { users: state.store.users().await? }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub departments: Vec<String>,
    pub password: Option<String>,
}

/// Create or change a user (admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewUser, responses((status = 201, body = UserRow)))]
pub async fn add_user(
    state: State,
    caller: Caller,
    Body(req): Body<NewUser>,
) -> ApiResult<(StatusCode, Json<UserRow>)> {
    caller.require(&[Role::Admin], "managing users")?;
    let user = new_user(&state.store, &req.name, &req.role, &req.departments, req.password.as_deref())
        .await
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_user", e))?;
    state
        .store
        .audit(
            &caller.name,
            "user",
            &user.name,
            serde_json::json!({ "role": user.role, "departments": user.departments }),
        )
        .await?;
    state.tokens.changed();
    Ok((StatusCode::CREATED, Json(user)))
}

/// Validates and stores a user (shared by the API and `sopline user add`).
pub async fn new_user(
    store: &crate::server::store::Store,
    name: &str,
    role: &str,
    departments: &[String],
    password: Option<&str>,
) -> Result<UserRow, String> {
    auth::names::check(name)?;
    let role = Role::parse(role)?;
    let known: Vec<String> =
        store.current_bindings().await.map_err(|e| e.to_string())?.into_iter().map(|b| b.department).collect();
    for d in departments {
        if known.is_empty() {
            return Err(format!(
                "no departments in this database yet, so `{d}` is unknown: `sopline serve` binds them from the rules when it first starts; start it once, then add users"
            ));
        }
        if !known.contains(d) {
            return Err(format!("unknown department `{d}` (known: {})", known.join(", ")));
        }
    }
    if matches!(role, Role::Agent | Role::Supervisor) && departments.is_empty() {
        return Err(format!("a {} needs at least one department (--department)", role.as_str()));
    }
    let password_hash = match password {
        Some(p) if p.len() < 8 => return Err("a password needs at least 8 characters".into()),
        Some(p) => Some(auth::hash_password(p).map_err(|e| e.to_string())?),
        None => None,
    };
    let user = UserRow {
        name: name.to_string(),
        role: role.as_str().into(),
        departments: departments.to_vec(),
        disabled: false,
        password_hash,
    };
    store.put_user(&user).await.map_err(|e| e.to_string())?;
    Ok(store.user(name).await.map_err(|e| e.to_string())?.unwrap_or(user))
}

/// A refused change of access as an answer.
pub(super) fn access_error(e: AccessError) -> ApiError {
    match e {
        AccessError::NoSuchUser(_) | AccessError::NoSuchToken(_) => ApiError::not_found(e.to_string()),
        AccessError::Yourself(_) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "rejected", e.to_string()),
        AccessError::Internal(e) => ApiError::from(e),
    }
}

/// Refuse a user's logins and tokens until enabled again (admins; not yourself).
#[utoipa::path(post, path = "/api/v1/users/{name}/disable", tag = "admin", params(("name" = String, Path)),
    responses((status = 200, body = UserRow), (status = 404, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "`rejected`: you cannot disable yourself")))]
pub async fn disable(state: State, caller: Caller, Path(name): Path<String>) -> ApiResult<Json<UserRow>> {
    set_disabled(state, caller, name, true).await
}

/// Let a disabled user in again; their unexpired, unrevoked tokens work again (admins).
#[utoipa::path(post, path = "/api/v1/users/{name}/enable", tag = "admin", params(("name" = String, Path)),
    responses((status = 200, body = UserRow), (status = 404, body = super::ErrorBody)))]
pub async fn enable(state: State, caller: Caller, Path(name): Path<String>) -> ApiResult<Json<UserRow>> {
    set_disabled(state, caller, name, false).await
}

async fn set_disabled(state: State, caller: Caller, name: String, disabled: bool) -> ApiResult<Json<UserRow>> {
    caller.require(&[Role::Admin], "disabling or enabling users")?;
    let actor = Actor::Admin(&caller.name);
    let user = manage::set_disabled(&state.store, actor, &name, disabled).await.map_err(access_error)?;
    state.tokens.changed();
    Ok(Json(user))
}

#[derive(Serialize, ToSchema)]
pub struct Deleted {
    pub deleted: String,
    /// How many of their tokens were still working.
    pub revoked: u64,
}

/// Delete a user and revoke their tokens; the log and the audit trail keep
/// their name (admins; not yourself).
#[utoipa::path(delete, path = "/api/v1/users/{name}", tag = "admin", params(("name" = String, Path)),
    responses((status = 200, body = Deleted), (status = 404, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "`rejected`: you cannot delete yourself")))]
pub async fn delete_user(state: State, caller: Caller, Path(name): Path<String>) -> ApiResult<Json<Deleted>> {
    caller.require(&[Role::Admin], "deleting users")?;
    let revoked = manage::delete_user(&state.store, Actor::Admin(&caller.name), &name).await.map_err(access_error)?;
    state.tokens.changed();
    Ok(Json(Deleted { deleted: name, revoked }))
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// At most this many entries (default 200, at most 1000).
    limit: Option<i64>,
    /// Only entries older than this id: the `next` of the previous page.
    before: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditList {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; `null` on the last page.
    pub next: Option<i64>,
}

/// The audit trail, newest first, in pages (admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditQuery), responses((status = 200, body = AuditList)))]
pub async fn audit(state: State, caller: Caller, Params(q): Params<AuditQuery>) -> ApiResult<Json<AuditList>> {
    caller.require(&[Role::Admin], "reading the audit trail")?;
    let (entries, next) = state.store.audit_page(q.limit.unwrap_or(200), q.before).await?;
    Ok(Json(AuditList { entries, next }))
}
