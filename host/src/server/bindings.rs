//! Department bindings in the database: seeded from the rules folder, changed
//! by administrators through the API, each change a new revision.
//!
//! At start, a rules file whose content was never seeded (new or edited)
//! becomes the department's newest revision; otherwise the newest stored
//! revision (perhaps an API swap) stays current. So an edit of the TOML takes
//! effect at the next start and a swap through the API survives restarts.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::store::{BindingRow, Store};
use crate::calendar::Calendar;
use crate::engine::Department;
use crate::rules::{Binding, Catalog, DepartmentRule, Given, Rules};

/// Builds the engine's department from a stored binding (the one builder
/// rules files use too: [`crate::rules::department`]).
pub fn department(
    row: &BindingRow,
    catalog: &Catalog,
    calendars: &BTreeMap<String, Arc<Calendar>>,
) -> Result<Department, String> {
    let binding = binding(row)?;
    crate::rules::department(&binding, catalog, calendars)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
}

/// A stored binding as the builder takes it.
pub fn binding(row: &BindingRow) -> Result<Binding, String> {
    let Value::Object(values) = &row.params else {
        return Err("`params` must be an object of parameter values".into());
    };
    let params = values
        .iter()
        .map(|(key, value)| Ok((key.clone(), Given::from_json(value).map_err(|e| format!("parameter `{key}`: {e}"))?)))
        .collect::<Result<_, String>>()?;
    Ok(Binding {
        id: row.department.clone(),
        name: row.name.clone(),
        plugin: row.plugin_id.clone(),
        plugin_version: Some(row.plugin_version.clone()),
        params,
        calendar: row.calendar.clone(),
        revision: u32::try_from(row.revision).map_err(|_| format!("revision {} out of range", row.revision))?,
    })
}

/// A rules file as a stored binding row: the plugin version it resolves to
/// now, its parameters as JSON.
fn rule_row(rule: &DepartmentRule, catalog: &Catalog, revision: i64, source: String) -> Result<BindingRow, String> {
    let plugin = catalog.find(&rule.plugin, rule.plugin_version.as_deref())?;
    let (binding, errors) = rule.binding(1);
    if let Some(e) = errors.first() {
        return Err(e.to_string());
    }
    let params: serde_json::Map<String, Value> = binding.params.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
    Ok(BindingRow {
        department: rule.id.clone(),
        revision,
        name: rule.name.clone(),
        plugin_id: plugin.manifest.id.clone(),
        plugin_version: plugin.manifest.version.clone(),
        params: Value::Object(params),
        calendar: rule.calendar.clone(),
        source,
        created_at: String::new(),
        created_by: "rules".into(),
    })
}

/// Records rules files not seeded yet as new revisions; returns the current bindings.
pub async fn seed(store: &Store, rules: &Rules, catalog: &Catalog) -> anyhow::Result<Vec<BindingRow>> {
    for rule in &rules.departments {
        let sha: String = hex::encode(Sha256::digest(rule.source.as_bytes()));
        let source = format!("rules:{}", &sha[..16]);
        let history = store.binding_history(&rule.id).await?;
        if history.iter().any(|b| b.source == source) {
            continue;
        }
        let revision = history.first().map_or(1, |b| b.revision + 1);
        let row =
            rule_row(rule, catalog, revision, source).map_err(|e| anyhow::anyhow!("{}: {e}", rule.file.display()))?;
        // Another node starting at the same moment may have seeded it first.
        if store.insert_binding(&row).await.is_ok() {
            store
                .audit("rules", "binding", &rule.id, serde_json::json!({ "revision": revision, "plugin": format!("{}@{}", row.plugin_id, row.plugin_version), "file": rule.file.display().to_string() }))
                .await?;
        }
    }
    store.current_bindings().await
}

/// Makes a revision another node (or `sopline binding set`) stored current
/// on this node: loads its plugin from the database if this node lacks it,
/// builds the department and hands it to the core.
pub async fn take(state: &super::AppState, row: &BindingRow) -> anyhow::Result<()> {
    let plugin = format!("{}@{}", row.plugin_id, row.plugin_version);
    let missing = state.catalog.read().expect("catalog lock").find(&row.plugin_id, Some(&row.plugin_version)).is_err();
    if missing {
        let wasm = state.store.plugin_wasm(&row.plugin_id, &row.plugin_version).await?;
        let wasm = wasm.ok_or_else(|| anyhow::anyhow!("plugin {plugin} is not stored"))?;
        let loaded = state.runtime.load(&wasm).map_err(|e| anyhow::anyhow!("plugin {plugin}: {e}"))?;
        state.catalog.write().expect("catalog lock").add(loaded);
    }
    let catalog = state.catalog.read().expect("catalog lock").clone();
    let department = department(row, &catalog, &state.calendars).map_err(anyhow::Error::msg)?;
    state.core.rebind(department).await?;
    Ok(())
}
