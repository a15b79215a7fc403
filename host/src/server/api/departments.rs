//! Departments and their bindings: list, swap (live), migrate open
//! contacts. Every change is audited with who and when.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{ApiError, ApiResult, Body, State};
use crate::server::auth::{Caller, Role};
use crate::server::core::Job;
use crate::server::store::BindingRow;
use crate::server::swap::{self, SwapError, SwapRequest};

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
    /// What changes, old → new: `plugin`, `calendar`, and `params` by name.
    #[schema(value_type = Object)]
    pub changes: Value,
    pub applied: bool,
}

impl From<SwapError> for ApiError {
    fn from(e: SwapError) -> ApiError {
        let unprocessable = |code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, e.to_string());
        match &e {
            SwapError::UnknownDepartment(_) => ApiError::not_found(e.to_string()),
            SwapError::UnknownCalendar { .. } => unprocessable("unknown_calendar"),
            SwapError::UnknownPlugin(_) => unprocessable("unknown_plugin"),
            SwapError::Invalid(_) => unprocessable("invalid_binding"),
            SwapError::Concurrent(_) => ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string()),
            SwapError::Store(_) => ApiError::internal(e),
        }
    }
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
    let catalog = state.catalog.read().expect("catalog lock").clone();
    let request = SwapRequest { plugin: req.plugin, version: req.version, params: req.params, calendar: req.calendar };
    let plan = swap::plan(&state.store, &catalog, &state.calendars, &id, request, &caller.name).await?;
    if req.dry_run {
        return Ok(Json(BindingAnswer {
            binding: plan.row,
            pinned: plan.pinned,
            changes: plan.changes,
            applied: false,
        }));
    }
    let binding = swap::apply(&state.store, &plan, &caller.name).await?;
    state.core.rebind(plan.department).await?;
    swap::announce(&state.store, &state.node, &binding).await;
    Ok(Json(BindingAnswer { binding, pinned: plan.pinned, changes: plan.changes, applied: true }))
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
        let job = Job::Migrate { contact: contact.clone(), actor: caller.name.clone() };
        match state.core.run(job, &None).await {
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
