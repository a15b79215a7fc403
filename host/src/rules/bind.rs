//! Binds parsed rules to loaded plugins: picks each department's plugin
//! version, checks its parameters against the plugin's manifest and lets the
//! plugin validate them (`configure`) before anything runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Located;
use crate::engine::{Department, Engine};
use crate::plugin::{LoadedPlugin, Runtime, wit};
use crate::rules::{DepartmentRule, Rules, RulesError};

/// The plugins available to the rules, by id, newest version last.
#[derive(Default, Clone)]
pub struct Catalog {
    plugins: BTreeMap<String, Vec<Arc<LoadedPlugin>>>,
}

impl Catalog {
    /// Loads every `*.wasm` in `dir`. A file that is not a compatible plugin is an error naming it.
    pub fn load_dir(runtime: &Runtime, dir: &Path) -> anyhow::Result<Catalog> {
        use anyhow::Context as _;
        let mut catalog = Catalog::default();
        let entries = std::fs::read_dir(dir).with_context(|| {
            format!(
                "cannot read the plugin folder {}; build the plugins first, e.g. `sopline plugin build plugins/*`",
                dir.display()
            )
        })?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.retain(|p| p.extension().is_some_and(|x| x == "wasm"));
        paths.sort();
        for path in paths {
            let plugin = runtime.load_file(&path).with_context(|| format!("loading {}", path.display()))?;
            catalog.add(plugin);
        }
        Ok(catalog)
    }

    /// Adds a loaded plugin.
    pub fn add(&mut self, plugin: Arc<LoadedPlugin>) {
        let versions = self.plugins.entry(plugin.manifest.id.clone()).or_default();
        versions.retain(|p| p.manifest.version != plugin.manifest.version);
        versions.push(plugin);
        versions.sort_by_key(|p| version_key(&p.manifest.version));
    }

    /// A plugin by id, at a version or the newest.
    pub fn find(&self, id: &str, version: Option<&str>) -> Result<&Arc<LoadedPlugin>, String> {
        let versions = self.plugins.get(id).ok_or_else(|| {
            let known: Vec<&str> = self.plugins.keys().map(String::as_str).collect();
            format!(
                "no plugin `{id}` is loaded (loaded: {})",
                if known.is_empty() { "none".into() } else { known.join(", ") }
            )
        })?;
        match version {
            None => Ok(versions.last().expect("no empty version lists")),
            Some(v) => versions.iter().find(|p| p.manifest.version == v).ok_or_else(|| {
                let have: Vec<&str> = versions.iter().map(|p| p.manifest.version.as_str()).collect();
                format!("plugin `{id}` has no version {v} (loaded: {})", have.join(", "))
            }),
        }
    }

    /// Every loaded plugin.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<LoadedPlugin>> {
        self.plugins.values().flatten()
    }
}

fn version_key(version: &str) -> Vec<u64> {
    version.split(['.', '-', '+']).map(|p| p.parse().unwrap_or(0)).collect()
}

/// Builds the engine for `rules`, or every binding error located in its file.
pub fn bind(rules: &Rules, catalog: &Catalog) -> Result<Engine, RulesError> {
    let mut errors = Vec::new();
    let mut departments = Vec::new();
    for rule in &rules.departments {
        match department(rule, rules, catalog) {
            Ok(d) => departments.push(d),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() { Ok(Engine::new(departments, rules.calendars.clone())) } else { Err(RulesError(errors)) }
}

fn department(rule: &DepartmentRule, rules: &Rules, catalog: &Catalog) -> Result<Department, Vec<Located>> {
    let plugin = catalog
        .find(&rule.plugin, rule.plugin_version.as_deref())
        .map_err(|e| vec![rule.error_at(rule.plugin_span.clone(), e)])?;
    let mut errors = Vec::new();
    let mut params = Vec::new();
    for (key, key_span, value, value_span) in &rule.params {
        match plugin.manifest.params.iter().find(|p| &p.name == key) {
            None => {
                let known: Vec<&str> = plugin.manifest.params.iter().map(|p| p.name.as_str()).collect();
                errors.push(rule.error_at(
                    key_span.clone(),
                    format!("unknown parameter `{key}` for {} (known: {})", plugin.id_version(), known.join(", ")),
                ));
            }
            Some(spec) => match param_value(spec.kind, value) {
                Ok(v) => params.push((key.clone(), v)),
                Err(e) => errors.push(rule.error_at(value_span.clone(), format!("parameter `{key}`: {e}"))),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Let the plugin judge the values (ranges, combinations) now, not at the first contact.
    if let Err(e) = plugin.instantiate(params.clone()) {
        return Err(vec![rule.error_at(rule.plugin_span.clone(), e.to_string())]);
    }
    let calendar = rules.calendars.get(&rule.calendar).cloned().ok_or_else(|| {
        vec![rule.error_at(rule.calendar_span.clone(), format!("unknown calendar `{}`", rule.calendar))]
    })?;
    Ok(Department {
        id: rule.id.clone(),
        name: rule.name.clone(),
        calendar,
        plugin: plugin.clone(),
        params,
        revision: 1,
    })
}

/// A TOML value as the kind of parameter the manifest declares.
pub fn param_value(kind: wit::ParamKind, value: &toml::Value) -> Result<wit::ParamValue, String> {
    let wrong = |want: &str| format!("must be {want}, not {} `{value}`", value.type_str());
    match (kind, value) {
        (wit::ParamKind::Flag, toml::Value::Boolean(b)) => Ok(wit::ParamValue::Flag(*b)),
        (wit::ParamKind::Integer, toml::Value::Integer(i)) => Ok(wit::ParamValue::Integer(*i)),
        (wit::ParamKind::Text, toml::Value::String(s)) => Ok(wit::ParamValue::Text(s.clone())),
        (wit::ParamKind::Duration, toml::Value::String(s)) => {
            let span = sopline_sdk::span::parse(s)?;
            Ok(wit::ParamValue::Duration(wit::Span { days: span.days, seconds: span.seconds }))
        }
        (wit::ParamKind::Flag, _) => Err(wrong("true or false")),
        (wit::ParamKind::Integer, _) => Err(wrong("a whole number")),
        (wit::ParamKind::Text, _) => Err(wrong("a string")),
        (wit::ParamKind::Duration, _) => Err(wrong("a duration string such as \"10m\", \"1h30m\" or \"2d\"")),
    }
}
