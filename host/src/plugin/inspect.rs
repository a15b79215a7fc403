//! A plugin's manifest as JSON, for `sopline plugin inspect` and the console.

use super::runtime::{Limits, Runtime};
use super::validate::param_kind_name;
use super::wit::{Manifest, ParamValue};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

/// Loads the component at `path` (with the usual checks) and describes it:
/// the manifest's fields, the contract it exports, its size and SHA-256.
pub fn inspect(path: &Path) -> anyhow::Result<Value> {
    // A small runtime of its own: inspecting needs one instance, briefly.
    let runtime =
        Runtime::with_limits(Limits { max_instances: 2, call_timeout: Duration::from_secs(1), ..Limits::default() })?;
    let plugin = runtime.load_file(path)?;
    let mut out = manifest_json(&plugin.manifest);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or_default();
    let object = out.as_object_mut().expect("manifest_json returns an object");
    object.insert("contract".into(), json!(format!("sopline:sop@{}", plugin.contract_version())));
    object.insert("size".into(), json!(size));
    object.insert("sha256".into(), json!(plugin.sha256()));
    Ok(out)
}

/// The manifest as JSON: durations written as in rules (`"10m"`), other
/// defaults as plain JSON values.
pub fn manifest_json(m: &Manifest) -> Value {
    json!({
        "id": m.id,
        "name": m.name,
        "version": m.version,
        "industry": m.industry,
        "wit_version": m.wit_version,
        "description": m.description,
        "categories": m.categories,
        "event_types": m.event_types,
        "scenes": m.scenes,
        "rules": m.rules.iter().map(|r| json!({"id": r.id, "description": r.description})).collect::<Vec<_>>(),
        "params": m.params.iter().map(|p| json!({
            "name": p.name,
            "kind": param_kind_name(p.kind),
            "default": param_value_json(&p.default),
            "description": p.description,
        })).collect::<Vec<_>>(),
    })
}

/// A parameter value as it is written in a department's TOML.
pub fn param_value_json(value: &ParamValue) -> Value {
    match value {
        ParamValue::Flag(b) => json!(b),
        ParamValue::Integer(i) => json!(i),
        ParamValue::Text(t) => json!(t),
        ParamValue::Duration(s) => {
            json!(sopline_sdk::span::format(&sopline_sdk::Span { days: s.days, seconds: s.seconds }))
        }
    }
}
