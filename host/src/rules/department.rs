//! One `departments/ID.toml`, parsed strictly with the position of every key
//! kept for error messages.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Located};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: Spanned<String>,
    plugin: Spanned<String>,
    plugin_version: Option<Spanned<String>>,
    calendar: Spanned<String>,
    #[serde(default)]
    params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

/// A department binding as written, with source positions.
#[derive(Debug, Clone)]
pub struct DepartmentRule {
    /// The file name without `.toml`.
    pub id: String,
    pub name: String,
    pub plugin: String,
    pub plugin_version: Option<String>,
    pub calendar: String,
    /// Parameter name, its span, its value and the value's span.
    pub params: Vec<(String, Range<usize>, toml::Value, Range<usize>)>,
    pub plugin_span: Range<usize>,
    pub calendar_span: Range<usize>,
    pub file: PathBuf,
    pub source: String,
}

impl DepartmentRule {
    pub fn parse(id: String, file: PathBuf, source: String) -> Result<DepartmentRule, Vec<Located>> {
        let parsed: File = match toml::from_str(&source) {
            Ok(parsed) => parsed,
            Err(e) => return Err(vec![Diagnostic::from_toml(&e).locate(&file, &source)]),
        };
        let mut errors = Vec::new();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            errors.push(Diagnostic::whole(format!(
                "the file name `{id}` is the department id: use letters, digits, - and _"
            )));
        }
        for (key, value) in [("name", &parsed.name), ("plugin", &parsed.plugin), ("calendar", &parsed.calendar)] {
            if value.get_ref().trim().is_empty() {
                errors.push(Diagnostic::at(value.span(), format!("`{key}` must not be empty")));
            }
        }
        if !errors.is_empty() {
            return Err(errors.iter().map(|d| d.locate(&file, &source)).collect());
        }
        Ok(DepartmentRule {
            id,
            name: parsed.name.into_inner(),
            plugin_span: parsed.plugin.span(),
            plugin: parsed.plugin.into_inner(),
            plugin_version: parsed.plugin_version.map(Spanned::into_inner),
            calendar_span: parsed.calendar.span(),
            calendar: parsed.calendar.into_inner(),
            params: parsed
                .params
                .into_iter()
                .map(|(k, v)| (k.get_ref().clone(), k.span(), v.get_ref().clone(), v.span()))
                .collect(),
            file,
            source,
        })
    }

    /// The binding this file writes, as `revision`, and the parameters whose
    /// TOML type no parameter can have (located).
    pub fn binding(&self, revision: u32) -> (super::Binding, Vec<Located>) {
        let mut errors = Vec::new();
        let mut params = Vec::new();
        for (key, _, value, value_span) in &self.params {
            match super::Given::from_toml(value) {
                Ok(given) => params.push((key.clone(), given)),
                Err(e) => errors.push(self.error_at(value_span.clone(), format!("parameter `{key}`: {e}"))),
            }
        }
        let binding = super::Binding {
            id: self.id.clone(),
            name: self.name.clone(),
            plugin: self.plugin.clone(),
            plugin_version: self.plugin_version.clone(),
            params,
            calendar: self.calendar.clone(),
            revision,
        };
        (binding, errors)
    }

    /// A problem at a place in this file.
    pub fn error_at(&self, span: Range<usize>, message: String) -> Located {
        Diagnostic::at(span, message).locate(&self.file, &self.source)
    }
}
