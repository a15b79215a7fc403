//! A department's parameters, checked against the plugin's manifest.
//!
//! The host fills in defaults and checks kinds before `configure`; the same
//! code runs in the guest and in the native harness so both see identical
//! parameters.

use crate::{ParamKind, ParamSpec, ParamValue, Span};

/// The parameters a plugin was configured with; every manifest key is present.
#[derive(Debug, Clone)]
pub struct Params {
    values: Vec<(String, ParamValue)>,
}

/// The kind a value has, for error messages and checks.
pub fn kind_of(value: &ParamValue) -> ParamKind {
    match value {
        ParamValue::Flag(_) => ParamKind::Flag,
        ParamValue::Integer(_) => ParamKind::Integer,
        ParamValue::Text(_) => ParamKind::Text,
        ParamValue::Duration(_) => ParamKind::Duration,
    }
}

/// The kind's name as administrators see it in errors and manifests.
pub fn kind_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Flag => "flag",
        ParamKind::Integer => "integer",
        ParamKind::Text => "text",
        ParamKind::Duration => "duration",
    }
}

impl Params {
    /// Checks `given` against the manifest's parameters and fills in the
    /// defaults. Unknown keys and values of the wrong kind are errors.
    pub fn from_manifest(manifest: &crate::Manifest, given: Vec<(String, ParamValue)>) -> Result<Params, String> {
        let specs: &[ParamSpec] = &manifest.params;
        for (key, value) in &given {
            let spec = specs.iter().find(|s| &s.name == key).ok_or_else(|| {
                let known: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
                format!("unknown parameter `{key}` (known: {})", known.join(", "))
            })?;
            if kind_of(value) != spec.kind {
                return Err(format!(
                    "parameter `{key}` must be {}, not {}",
                    with_article(kind_name(spec.kind)),
                    with_article(kind_name(kind_of(value)))
                ));
            }
        }
        let values = specs
            .iter()
            .map(|spec| {
                let value = given.iter().find(|(k, _)| k == &spec.name).map(|(_, v)| v.clone());
                (spec.name.clone(), value.unwrap_or_else(|| spec.default.clone()))
            })
            .collect();
        Ok(Params { values })
    }

    /// The raw value of a key.
    pub fn get(&self, key: &str) -> Option<&ParamValue> {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn typed<T>(&self, key: &str, kind: ParamKind, pick: impl Fn(&ParamValue) -> Option<T>) -> Result<T, String> {
        let value = self.get(key).ok_or_else(|| format!("parameter `{key}` is not in the manifest"))?;
        pick(value).ok_or_else(|| format!("parameter `{key}` must be {}", with_article(kind_name(kind))))
    }

    /// A text parameter.
    pub fn text(&self, key: &str) -> Result<String, String> {
        self.typed(key, ParamKind::Text, |v| match v {
            ParamValue::Text(t) => Some(t.clone()),
            _ => None,
        })
    }

    /// An integer parameter.
    pub fn integer(&self, key: &str) -> Result<i64, String> {
        self.typed(key, ParamKind::Integer, |v| match v {
            ParamValue::Integer(i) => Some(*i),
            _ => None,
        })
    }

    /// A non-negative integer that fits in `u32` (points, counts, rings).
    pub fn count(&self, key: &str) -> Result<u32, String> {
        let n = self.integer(key)?;
        u32::try_from(n).map_err(|_| format!("parameter `{key}` must be between 0 and {}, not {n}", u32::MAX))
    }

    /// A flag parameter.
    pub fn flag(&self, key: &str) -> Result<bool, String> {
        self.typed(key, ParamKind::Flag, |v| match v {
            ParamValue::Flag(b) => Some(*b),
            _ => None,
        })
    }

    /// A duration parameter.
    pub fn duration(&self, key: &str) -> Result<Span, String> {
        self.typed(key, ParamKind::Duration, |v| match v {
            ParamValue::Duration(s) => Some(*s),
            _ => None,
        })
    }
}

fn with_article(kind: &str) -> String {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {kind}")
}

/// A text parameter for the manifest.
pub fn text(name: &str, default: &str, description: &str) -> ParamSpec {
    spec(name, ParamKind::Text, ParamValue::Text(default.into()), description)
}

/// An integer parameter for the manifest.
pub fn integer(name: &str, default: i64, description: &str) -> ParamSpec {
    spec(name, ParamKind::Integer, ParamValue::Integer(default), description)
}

/// A flag parameter for the manifest.
pub fn flag(name: &str, default: bool, description: &str) -> ParamSpec {
    spec(name, ParamKind::Flag, ParamValue::Flag(default), description)
}

/// A duration parameter for the manifest; `default` is written as in rules (`"10m"`).
pub fn duration(name: &str, default: &str, description: &str) -> ParamSpec {
    spec(name, ParamKind::Duration, ParamValue::Duration(crate::span::span(default)), description)
}

fn spec(name: &str, kind: ParamKind, default: ParamValue, description: &str) -> ParamSpec {
    ParamSpec { name: name.into(), kind, default, description: description.into() }
}
