//! Swapping a department's SOP: a new binding revision (another plugin or
//! version, other parameters, another calendar), checked by building it
//! before anything is stored, then stored and audited with what changed.
//! The API and the command line both call these; making the new revision
//! current in a running core is the caller's part (`Core::rebind`).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::bindings;
use super::store::{Backend, BindingRow, Store};
use crate::calendar::Calendar;
use crate::engine::Department;
use crate::plugin::{LoadedPlugin, inspect::param_value_json};
use crate::rules::Catalog;

/// What an administrator asks to change; whatever is left out stays.
#[derive(Debug, Clone, Default)]
pub struct SwapRequest {
    /// Plugin id; default: the current one.
    pub plugin: Option<String>,
    /// Plugin version; default: the newest loaded.
    pub version: Option<String>,
    /// Parameter values by name; default: the current ones (when the plugin stays).
    pub params: Option<Value>,
    /// Calendar name; default: the current one.
    pub calendar: Option<String>,
}

/// Why a swap cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum SwapError {
    #[error("no department `{0}`; departments come from rules/departments/*.toml")]
    UnknownDepartment(String),
    #[error("no calendar `{name}` (known: {known}); calendars come from rules/calendars/*.toml")]
    UnknownCalendar { name: String, known: String },
    #[error("{0}")]
    UnknownPlugin(String),
    /// The binding does not build: a parameter, or the plugin's `configure`.
    #[error("{0}")]
    Invalid(String),
    #[error("another swap of `{0}` happened at the same time; try again")]
    Concurrent(String),
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// A checked swap, ready to store.
pub struct Swap {
    /// The revision it replaces.
    pub current: BindingRow,
    pub row: BindingRow,
    /// The department as the engine will run it.
    pub department: Department,
    /// Open contacts that stay pinned to older revisions.
    pub pinned: i64,
    /// What changes, old → new: plugin, calendar, and each parameter whose
    /// value (given or default) differs.
    pub changes: Value,
}

/// Works out and checks a swap of `department` for `actor`; stores nothing.
pub async fn plan(
    store: &Store,
    catalog: &Catalog,
    calendars: &BTreeMap<String, Arc<Calendar>>,
    department: &str,
    request: SwapRequest,
    actor: &str,
) -> Result<Swap, SwapError> {
    let current = store
        .current_bindings()
        .await?
        .into_iter()
        .find(|b| b.department == department)
        .ok_or_else(|| SwapError::UnknownDepartment(department.to_string()))?;
    if let Some(name) = request.calendar.as_ref().filter(|c| !calendars.contains_key(*c)) {
        let known: Vec<&str> = calendars.keys().map(String::as_str).collect();
        return Err(SwapError::UnknownCalendar { name: name.clone(), known: known.join(", ") });
    }
    let plugin_id = request.plugin.clone().unwrap_or_else(|| current.plugin_id.clone());
    let plugin = catalog.find(&plugin_id, request.version.as_deref()).map_err(SwapError::UnknownPlugin)?.clone();
    let params = match request.params {
        Some(p) => p,
        None if plugin_id == current.plugin_id => current.params.clone(),
        None => Value::Object(Map::new()),
    };
    let row = BindingRow {
        department: department.to_string(),
        revision: current.revision + 1,
        name: current.name.clone(),
        plugin_id,
        plugin_version: plugin.manifest.version.clone(),
        params,
        calendar: request.calendar.unwrap_or_else(|| current.calendar.clone()),
        source: "api".into(),
        created_at: String::new(),
        created_by: actor.to_string(),
    };
    let built = bindings::department(&row, catalog, calendars).map_err(SwapError::Invalid)?;
    let pinned: i64 = store.open_per_binding(department).await?.iter().map(|(_, n)| n).sum();
    let old_plugin = catalog.find(&current.plugin_id, Some(&current.plugin_version)).ok();
    let changes = changes(&current, old_plugin.map(|p| p.as_ref()), &row, &plugin);
    Ok(Swap { current, row, department: built, pinned, changes })
}

/// Stores a planned swap as the department's newest revision and audits it
/// with what changed. Returns the stored row.
pub async fn apply(store: &Store, swap: &Swap, actor: &str) -> Result<BindingRow, SwapError> {
    let id = &swap.row.department;
    store.insert_binding(&swap.row).await.map_err(|_| SwapError::Concurrent(id.clone()))?;
    store
        .audit(
            actor,
            "swap",
            id,
            json!({
                "revision": swap.row.revision,
                "from_revision": swap.current.revision,
                "plugin": format!("{}@{}", swap.row.plugin_id, swap.row.plugin_version),
                "changes": swap.changes,
                "pinned": swap.pinned,
            }),
        )
        .await?;
    Ok(store.binding(id, swap.row.revision).await?.unwrap_or_else(|| swap.row.clone()))
}

/// Tells other nodes (PostgreSQL) to load a stored revision.
pub async fn announce(store: &Store, node: &str, row: &BindingRow) {
    if store.backend() == Backend::Postgres {
        let payload = json!({ "node": node, "department": row.department, "revision": row.revision }).to_string();
        if let Err(e) =
            sqlx::query("SELECT pg_notify('sopline_bindings', $1)").bind(payload).execute(store.pool()).await
        {
            tracing::warn!(error = %e, "could not tell other nodes about the new binding");
        }
    }
}

/// Old → new for the plugin, the calendar and every parameter whose
/// effective value (given, or the manifest's default) differs.
fn changes(old: &BindingRow, old_plugin: Option<&LoadedPlugin>, new: &BindingRow, new_plugin: &LoadedPlugin) -> Value {
    let mut out = Map::new();
    let (from, to) =
        (format!("{}@{}", old.plugin_id, old.plugin_version), format!("{}@{}", new.plugin_id, new.plugin_version));
    if from != to {
        out.insert("plugin".into(), json!({ "from": from, "to": to }));
    }
    if old.calendar != new.calendar {
        out.insert("calendar".into(), json!({ "from": old.calendar, "to": new.calendar }));
    }
    let effective = |row: &BindingRow, plugin: Option<&LoadedPlugin>| -> BTreeMap<String, Value> {
        let mut values: BTreeMap<String, Value> = plugin
            .map(|p| p.manifest.params.iter().map(|s| (s.name.clone(), param_value_json(&s.default))).collect())
            .unwrap_or_default();
        if let Value::Object(given) = &row.params {
            values.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        values
    };
    let (before, after) = (effective(old, old_plugin), effective(new, Some(new_plugin)));
    let mut params = Map::new();
    for key in before.keys().chain(after.keys()) {
        let (b, a) = (before.get(key), after.get(key));
        if b != a && !params.contains_key(key) {
            params.insert(key.clone(), json!({ "from": b, "to": a }));
        }
    }
    if !params.is_empty() {
        out.insert("params".into(), Value::Object(params));
    }
    Value::Object(out)
}
