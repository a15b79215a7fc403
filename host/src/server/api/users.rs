//! Users and the audit trail (admins).

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Body, Params, State};
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
    state.tokens.forget();
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
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_alphanumeric() || "-_.@".contains(c)) {
        return Err(format!("user name `{name}`: use 1–64 letters, digits, `-`, `_`, `.` or `@`"));
    }
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
        password_hash,
    };
    store.put_user(&user).await.map_err(|e| e.to_string())?;
    Ok(user)
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditList {
    pub entries: Vec<AuditEntry>,
}

/// The audit trail, newest first (admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditQuery), responses((status = 200, body = AuditList)))]
pub async fn audit(state: State, caller: Caller, Params(q): Params<AuditQuery>) -> ApiResult<Json<AuditList>> {
    caller.require(&[Role::Admin], "reading the audit trail")?;
    Ok(Json(AuditList { entries: state.store.audit_trail(q.limit.unwrap_or(200)).await? }))
}
