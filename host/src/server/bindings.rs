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
use crate::rules::{Catalog, DepartmentRule, Rules, param_value};

/// Builds the engine's department from a stored binding, checking the
/// parameters against the plugin's manifest and letting the plugin judge them.
pub fn department(
    row: &BindingRow,
    catalog: &Catalog,
    calendars: &BTreeMap<String, Arc<Calendar>>,
) -> Result<Department, String> {
    let plugin = catalog.find(&row.plugin_id, Some(&row.plugin_version))?.clone();
    let calendar = calendars.get(&row.calendar).cloned().ok_or_else(|| {
        let known: Vec<&str> = calendars.keys().map(String::as_str).collect();
        format!("unknown calendar `{}` (known: {})", row.calendar, known.join(", "))
    })?;
    let mut params = Vec::new();
    let Value::Object(values) = &row.params else {
        return Err("`params` must be an object of parameter values".into());
    };
    for (key, value) in values {
        let spec = plugin.manifest.params.iter().find(|p| &p.name == key).ok_or_else(|| {
            let known: Vec<&str> = plugin.manifest.params.iter().map(|p| p.name.as_str()).collect();
            format!("unknown parameter `{key}` for {} (known: {})", plugin.id_version(), known.join(", "))
        })?;
        let toml_value = match value {
            Value::Bool(b) => toml::Value::Boolean(*b),
            Value::Number(n) if n.is_i64() => toml::Value::Integer(n.as_i64().expect("checked")),
            Value::String(s) => toml::Value::String(s.clone()),
            other => return Err(format!("parameter `{key}`: {other} is not a flag, whole number or string")),
        };
        params.push((key.clone(), param_value(spec.kind, &toml_value).map_err(|e| format!("parameter `{key}`: {e}"))?));
    }
    plugin.instantiate(params.clone()).map_err(|e| e.to_string())?;
    Ok(Department {
        id: row.department.clone(),
        name: row.name.clone(),
        calendar,
        plugin,
        params,
        revision: u32::try_from(row.revision).map_err(|_| "revision out of range".to_string())?,
    })
}

fn rule_row(rule: &DepartmentRule, catalog: &Catalog, revision: i64, source: String) -> Result<BindingRow, String> {
    let plugin = catalog.find(&rule.plugin, rule.plugin_version.as_deref())?;
    let params: serde_json::Map<String, Value> = rule
        .params
        .iter()
        .map(|(key, _, value, _)| {
            let json = match value {
                toml::Value::Boolean(b) => Value::Bool(*b),
                toml::Value::Integer(i) => Value::from(*i),
                toml::Value::String(s) => Value::String(s.clone()),
                other => Value::String(other.to_string()),
            };
            (key.clone(), json)
        })
        .collect();
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
        let sha: String = Sha256::digest(rule.source.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
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
