//! Binds parsed rules to loaded plugins: picks each department's plugin
//! version, checks its parameters against the plugin's manifest and lets the
//! plugin validate them (`configure`) before anything runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::calendar::Calendar;
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

/// The longest duration a parameter may hold. Ten years covers any SOP
/// (a yearly return visit, a warranty); beyond it a due time can leave the
/// calendar's range and fail at every contact instead of at binding.
pub const MAX_DURATION_DAYS: u32 = 3_660;

/// A parameter value as written (TOML in a rules file, JSON through the
/// API), before the plugin's manifest says which kind it must be.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    Flag(bool),
    Integer(i64),
    Text(String),
}

impl Given {
    pub fn from_toml(value: &toml::Value) -> Result<Given, String> {
        match value {
            toml::Value::Boolean(b) => Ok(Given::Flag(*b)),
            toml::Value::Integer(i) => Ok(Given::Integer(*i)),
            toml::Value::String(s) => Ok(Given::Text(s.clone())),
            other => Err(format!("{} `{other}` is not a flag, a whole number or a string", other.type_str())),
        }
    }

    pub fn from_json(value: &serde_json::Value) -> Result<Given, String> {
        match value {
            serde_json::Value::Bool(b) => Ok(Given::Flag(*b)),
            serde_json::Value::Number(n) if n.is_i64() => Ok(Given::Integer(n.as_i64().expect("checked"))),
            serde_json::Value::String(s) => Ok(Given::Text(s.clone())),
            other => Err(format!("{other} is not a flag, a whole number or a string")),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Given::Flag(b) => (*b).into(),
            Given::Integer(i) => (*i).into(),
            Given::Text(s) => s.as_str().into(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Given::Flag(b) => format!("flag `{b}`"),
            Given::Integer(i) => format!("integer `{i}`"),
            Given::Text(s) => format!("string {s:?}"),
        }
    }
}

/// One department's binding, wherever it was written: a rules file, a
/// stored revision, an administrator's swap. [`department`] is the one way
/// to turn it into the engine's [`Department`].
#[derive(Debug, Clone)]
pub struct Binding {
    pub id: String,
    pub name: String,
    pub plugin: String,
    /// `None`: the newest loaded.
    pub plugin_version: Option<String>,
    pub params: Vec<(String, Given)>,
    pub calendar: String,
    /// 1 for the rules as first loaded, one more per swap.
    pub revision: u32,
}

/// What is wrong with a binding, by the part at fault (so a rules file can
/// point at the line).
#[derive(Debug, Clone, thiserror::Error)]
pub enum BindError {
    #[error("{0}")]
    Plugin(String),
    #[error("unknown parameter `{key}` for {plugin} (known: {})", .known.join(", "))]
    UnknownParam { key: String, plugin: String, known: Vec<String> },
    #[error("parameter `{key}`: {message}")]
    Param { key: String, message: String },
    /// The plugin's own `configure` refused the values.
    #[error("{0}")]
    Configure(String),
    #[error("{0}")]
    Calendar(String),
}

/// Builds a department: picks the plugin version, checks every parameter
/// against its manifest, lets the plugin judge the values (ranges,
/// combinations) now rather than at the first contact, and finds the
/// calendar. Every problem is returned, not just the first.
pub fn department(
    binding: &Binding,
    catalog: &Catalog,
    calendars: &BTreeMap<String, Arc<Calendar>>,
) -> Result<Department, Vec<BindError>> {
    let mut errors = Vec::new();
    let calendar = calendars.get(&binding.calendar).cloned();
    if calendar.is_none() {
        let known: Vec<&str> = calendars.keys().map(String::as_str).collect();
        errors.push(BindError::Calendar(format!(
            "unknown calendar `{}` (known: {})",
            binding.calendar,
            known.join(", ")
        )));
    }
    let plugin = match catalog.find(&binding.plugin, binding.plugin_version.as_deref()) {
        Ok(plugin) => plugin.clone(),
        Err(e) => {
            errors.push(BindError::Plugin(e));
            return Err(errors);
        }
    };
    let mut params = Vec::new();
    for (key, value) in &binding.params {
        match plugin.manifest.params.iter().find(|p| &p.name == key) {
            None => {
                errors.push(BindError::UnknownParam {
                    key: key.clone(),
                    plugin: plugin.id_version(),
                    known: plugin.manifest.params.iter().map(|p| p.name.clone()).collect(),
                });
            }
            Some(spec) => match param_value(spec.kind, value) {
                Ok(v) => params.push((key.clone(), v)),
                Err(message) => errors.push(BindError::Param { key: key.clone(), message }),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Err(e) = plugin.instantiate(params.clone()) {
        return Err(vec![BindError::Configure(e.to_string())]);
    }
    Ok(Department {
        id: binding.id.clone(),
        name: binding.name.clone(),
        calendar: calendar.expect("checked above"),
        plugin,
        params,
        revision: binding.revision,
    })
}

/// Builds the engine for `rules`, or every binding error located in its file.
pub fn bind(rules: &Rules, catalog: &Catalog) -> Result<Engine, RulesError> {
    let mut errors = Vec::new();
    let mut departments = Vec::new();
    for rule in &rules.departments {
        match rule_department(rule, &rules.calendars, catalog) {
            Ok(d) => departments.push(d),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() { Ok(Engine::new(departments, rules.calendars.clone())) } else { Err(RulesError(errors)) }
}

/// A rules file's binding (revision 1), each problem located in the file.
fn rule_department(
    rule: &DepartmentRule,
    calendars: &BTreeMap<String, Arc<Calendar>>,
    catalog: &Catalog,
) -> Result<Department, Vec<Located>> {
    let (binding, mut errors) = rule.binding(1);
    match department(&binding, catalog, calendars) {
        Ok(d) if errors.is_empty() => Ok(d),
        Ok(_) => Err(errors),
        Err(found) => {
            errors.extend(found.into_iter().map(|e| {
                let span = match &e {
                    BindError::Plugin(_) | BindError::Configure(_) => rule.plugin_span.clone(),
                    BindError::Calendar(_) => rule.calendar_span.clone(),
                    BindError::UnknownParam { key, .. } => {
                        rule.params.iter().find(|(k, ..)| k == key).map_or(rule.plugin_span.clone(), |p| p.1.clone())
                    }
                    BindError::Param { key, .. } => {
                        rule.params.iter().find(|(k, ..)| k == key).map_or(rule.plugin_span.clone(), |p| p.3.clone())
                    }
                };
                rule.error_at(span, e.to_string())
            }));
            Err(errors)
        }
    }
}

/// A value as the kind of parameter the manifest declares.
pub fn param_value(kind: wit::ParamKind, value: &Given) -> Result<wit::ParamValue, String> {
    let wrong = |want: &str| format!("must be {want}, not {}", value.describe());
    match (kind, value) {
        (wit::ParamKind::Flag, Given::Flag(b)) => Ok(wit::ParamValue::Flag(*b)),
        (wit::ParamKind::Integer, Given::Integer(i)) => Ok(wit::ParamValue::Integer(*i)),
        (wit::ParamKind::Text, Given::Text(s)) => Ok(wit::ParamValue::Text(s.clone())),
        (wit::ParamKind::Duration, Given::Text(s)) => {
            let span = sopline_sdk::span::parse(s)?;
            if span.days as u64 * 86_400 + span.seconds as u64 > MAX_DURATION_DAYS as u64 * 86_400 {
                return Err(format!(
                    "{s:?} is longer than {MAX_DURATION_DAYS} days; SOP durations stay within ten years"
                ));
            }
            if span.days == 0 && span.seconds == 0 {
                return Err(format!("{s:?} is no time at all; a duration must be at least a second"));
            }
            Ok(wit::ParamValue::Duration(wit::Span { days: span.days, seconds: span.seconds }))
        }
        (wit::ParamKind::Flag, _) => Err(wrong("true or false")),
        (wit::ParamKind::Integer, _) => Err(wrong("a whole number")),
        (wit::ParamKind::Text, _) => Err(wrong("a string")),
        (wit::ParamKind::Duration, _) => Err(wrong("a duration string such as \"10m\", \"1h30m\" or \"2d\"")),
    }
}
