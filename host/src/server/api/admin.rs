//! Logging in, departments and their bindings (swap, migrate), plugins,
//! users and the audit trail. Every change is audited with who and when.

use std::sync::Arc;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Body, Params, State};
use crate::server::auth::{self, Caller, Role};
use crate::server::core::{Command, Job};
use crate::server::store::{AuditEntry, BindingRow, UserRow};
use crate::server::{AppState, bindings};

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

#[derive(Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: String,
    pub binding: BindingRow,
    /// The plugin's manifest: its parameters with kinds, defaults and descriptions.
    #[schema(value_type = Object)]
    pub manifest: Value,
    /// Open contacts per binding revision: those on older revisions stay pinned.
    #[schema(value_type = Object)]
    pub open_per_binding: Value,
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentList {
    pub departments: Vec<DepartmentView>,
    /// The calendars a binding may name (`rules/calendars/*.toml`).
    pub calendars: Vec<CalendarView>,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarView {
    pub name: String,
    /// IANA name, e.g. `Asia/Shanghai`: the zone of the department's days and business hours.
    pub timezone: String,
}

/// Departments the caller works for, with their current binding.
#[utoipa::path(get, path = "/api/v1/departments", tag = "admin", responses((status = 200, body = DepartmentList)))]
pub async fn departments(state: State, caller: Caller) -> ApiResult<Json<DepartmentList>> {
    let mut out = Vec::new();
    for binding in state.store.current_bindings().await? {
        if !caller.sees(&binding.department) && caller.role != Role::Author {
            continue;
        }
        let manifest = {
            let catalog = state.catalog.read().expect("catalog lock");
            catalog
                .find(&binding.plugin_id, Some(&binding.plugin_version))
                .map(|p| crate::plugin::manifest_json(&p.manifest))
                .unwrap_or_default()
        };
        let open: serde_json::Map<String, Value> = state
            .store
            .open_per_binding(&binding.department)
            .await?
            .into_iter()
            .map(|(rev, n)| (rev.to_string(), n.into()))
            .collect();
        out.push(DepartmentView {
            id: binding.department.clone(),
            binding,
            manifest,
            open_per_binding: Value::Object(open),
        });
    }
    let calendars = state
        .calendars
        .iter()
        .map(|(name, c)| CalendarView {
            name: name.clone(),
            timezone: c.zone().iana_name().unwrap_or("UTC").to_string(),
        })
        .collect();
    Ok(Json(DepartmentList { departments: out, calendars }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingRequest {
    /// Plugin id; default: the current one.
    pub plugin: Option<String>,
    /// Plugin version; default: the newest loaded.
    pub version: Option<String>,
    /// Parameter values by name; default: the current ones (when the plugin stays).
    #[schema(value_type = Object)]
    pub params: Option<Value>,
    /// Calendar name; default: the current one.
    pub calendar: Option<String>,
    /// Only check and preview; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Serialize, ToSchema)]
pub struct BindingAnswer {
    pub binding: BindingRow,
    /// Open contacts that stay pinned to an older binding.
    pub pinned: i64,
    pub applied: bool,
}

/// Swap a department's SOP (plugin, version, parameters or calendar), live:
/// new contacts follow it at once; open ones stay pinned to their binding.
#[utoipa::path(put, path = "/api/v1/departments/{id}/binding", tag = "admin", request_body = BindingRequest,
    params(("id" = String, Path, description = "department id")),
    responses((status = 200, body = BindingAnswer), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn put_binding(
    state: State,
    caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<BindingRequest>,
) -> ApiResult<Json<BindingAnswer>> {
    caller.require(&[Role::Admin], "binding or swapping an SOP")?;
    let current = state.store.current_bindings().await?.into_iter().find(|b| b.department == id).ok_or_else(|| {
        ApiError::not_found(format!("no department `{id}`; departments come from rules/departments/*.toml"))
    })?;
    if let Some(name) = req.calendar.as_ref().filter(|c| !state.calendars.contains_key(*c)) {
        let known: Vec<&str> = state.calendars.keys().map(String::as_str).collect();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_calendar",
            format!("no calendar `{name}` (known: {}); calendars come from rules/calendars/*.toml", known.join(", ")),
        ));
    }
    let plugin_id = req.plugin.clone().unwrap_or_else(|| current.plugin_id.clone());
    let plugin_version = {
        let catalog = state.catalog.read().expect("catalog lock");
        let plugin = catalog
            .find(&plugin_id, req.version.as_deref())
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_plugin", e))?;
        plugin.manifest.version.clone()
    };
    let params = match req.params {
        Some(p) => p,
        None if plugin_id == current.plugin_id => current.params.clone(),
        None => Value::Object(Default::default()),
    };
    let row = BindingRow {
        department: id.clone(),
        revision: current.revision + 1,
        name: current.name.clone(),
        plugin_id,
        plugin_version,
        params,
        calendar: req.calendar.unwrap_or_else(|| current.calendar.clone()),
        source: "api".into(),
        created_at: String::new(),
        created_by: caller.name.clone(),
    };
    let department = {
        let catalog = state.catalog.read().expect("catalog lock").clone();
        bindings::department(&row, &catalog, &state.calendars)
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_binding", e))?
    };
    let pinned: i64 = state.store.open_per_binding(&id).await?.iter().map(|(_, n)| n).sum();
    if req.dry_run {
        return Ok(Json(BindingAnswer { binding: row, pinned, applied: false }));
    }
    state.store.insert_binding(&row).await.map_err(|e| {
        ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("another swap of `{id}` happened at the same time; try again ({e})"),
        )
    })?;
    state
        .store
        .audit(&caller.name, "swap", &id, serde_json::json!({
            "revision": row.revision, "plugin": format!("{}@{}", row.plugin_id, row.plugin_version),
            "params": row.params, "calendar": row.calendar, "from": format!("{}@{} (binding {})", current.plugin_id, current.plugin_version, current.revision),
        }))
        .await?;
    state.ask(|reply| Command::Rebind { department, reply }).await?;
    notify_binding(&state, &row).await;
    let binding = state.store.binding(&id, row.revision).await?.unwrap_or(row);
    Ok(Json(BindingAnswer { binding, pinned, applied: true }))
}

/// Tells other nodes (PostgreSQL) to load the new binding.
async fn notify_binding(state: &AppState, row: &BindingRow) {
    if state.store.backend() == crate::server::store::Backend::Postgres {
        let payload = serde_json::json!({ "node": state.node, "department": row.department, "revision": row.revision })
            .to_string();
        if let Err(e) =
            sqlx::query("SELECT pg_notify('sopline_bindings', $1)").bind(payload).execute(state.store.pool()).await
        {
            tracing::warn!(error = %e, "could not tell other nodes about the new binding");
        }
    }
}

/// Loads a binding another node stored (its plugin too, if new here).
pub async fn apply_binding(state: &Arc<AppState>, row: &BindingRow) -> Result<(), String> {
    let missing = state.catalog.read().expect("catalog lock").find(&row.plugin_id, Some(&row.plugin_version)).is_err();
    if missing {
        let wasm = state.store.plugin_wasm(&row.plugin_id, &row.plugin_version).await.map_err(|e| e.to_string())?;
        let wasm = wasm.ok_or_else(|| format!("plugin {}@{} is not stored", row.plugin_id, row.plugin_version))?;
        let plugin = state.runtime.load(&wasm).map_err(|e| e.to_string())?;
        state.catalog.write().expect("catalog lock").add(plugin);
    }
    let catalog = state.catalog.read().expect("catalog lock").clone();
    let department = bindings::department(row, &catalog, &state.calendars)?;
    state.ask(|reply| Command::Rebind { department, reply }).await.map_err(|e| e.to_string())
}

#[derive(Serialize, ToSchema)]
pub struct MigrateAnswer {
    pub migrated: usize,
    pub failed: Vec<String>,
}

/// Move a department's open contacts to its current binding (explicit; swaps never do this).
#[utoipa::path(post, path = "/api/v1/departments/{id}/migrate", tag = "admin",
    params(("id" = String, Path, description = "department id")), responses((status = 200, body = MigrateAnswer)))]
pub async fn migrate(state: State, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<MigrateAnswer>> {
    caller.require(&[Role::Admin], "migrating contacts to a new SOP")?;
    let current = state.store.current_bindings().await?.into_iter().find(|b| b.department == id);
    let current = current.ok_or_else(|| ApiError::not_found(format!("no department `{id}`")))?;
    let ids = state.store.open_before_binding(&id, current.revision).await?;
    let (mut migrated, mut failed) = (0, Vec::new());
    for contact in ids {
        let job = Job::Migrate { contact: contact.clone(), by: caller.name.clone() };
        match state.ask(|reply| Command::Run { job, reply: Some(reply) }).await {
            Ok(_) => migrated += 1,
            Err(e) => failed.push(format!("{contact}: {e}")),
        }
    }
    state
        .store
        .audit(
            &caller.name,
            "migrate",
            &id,
            serde_json::json!({ "revision": current.revision, "migrated": migrated, "failed": failed }),
        )
        .await?;
    Ok(Json(MigrateAnswer { migrated, failed }))
}

#[derive(Serialize, ToSchema)]
pub struct PluginList {
    #[schema(value_type = Vec<Object>)]
    pub plugins: Vec<Value>,
}

/// Every plugin version stored.
#[utoipa::path(get, path = "/api/v1/plugins", tag = "plugins", responses((status = 200, body = PluginList)))]
pub async fn plugins(state: State, _caller: Caller) -> ApiResult<Json<PluginList>> {
    let plugins = state
        .store
        .plugin_list()
        .await?
        .into_iter()
        .map(|(id, version, sha256)| serde_json::json!({ "id": id, "version": version, "sha256": sha256 }))
        .collect();
    Ok(Json(PluginList { plugins }))
}

/// Upload a plugin component (the body is the `.wasm`). Authors and admins.
#[utoipa::path(post, path = "/api/v1/plugins", tag = "plugins", request_body(content = Vec<u8>, content_type = "application/wasm"),
    responses((status = 201, description = "the manifest"), (status = 422, body = super::ErrorBody, description = "not a compatible plugin")))]
pub async fn upload_plugin(
    state: State,
    caller: Caller,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.require(&[Role::Author, Role::Admin], "uploading a plugin")?;
    let wasm = body.to_vec();
    let runtime_state = state.clone();
    let loaded = tokio::task::spawn_blocking(move || runtime_state.runtime.load(&wasm).map(|p| (p, wasm)))
        .await
        .map_err(ApiError::internal)?;
    let (plugin, wasm) =
        loaded.map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_plugin", e.to_string()))?;
    let m = plugin.manifest.clone();
    if !state.store.insert_plugin(&m.id, &m.version, &plugin.sha256(), &wasm, &caller.name).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("{}@{} is already stored; raise the version in the manifest to upload a change", m.id, m.version),
        ));
    }
    state.catalog.write().expect("catalog lock").add(plugin.clone());
    state
        .store
        .audit(
            &caller.name,
            "upload",
            &format!("{}@{}", m.id, m.version),
            serde_json::json!({ "sha256": plugin.sha256() }),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(crate::plugin::manifest_json(&m))))
}

/// A plugin version's manifest.
#[utoipa::path(get, path = "/api/v1/plugins/{id}/{version}", tag = "plugins",
    params(("id" = String, Path), ("version" = String, Path)), responses((status = 200, description = "the manifest"), (status = 404, body = super::ErrorBody)))]
pub async fn plugin(
    state: State,
    _caller: Caller,
    Path((id, version)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let catalog = state.catalog.read().expect("catalog lock");
    let plugin = catalog.find(&id, Some(&version)).map_err(ApiError::not_found)?;
    Ok(Json(crate::plugin::manifest_json(&plugin.manifest)))
}

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
