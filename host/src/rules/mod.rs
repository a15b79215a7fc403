//! The administrators' TOML: `departments/ID.toml` binds a department to a
//! plugin, its parameters and a calendar; `calendars/NAME.toml` defines
//! working time.
//!
//! Loading collects *every* problem across all files, each located at
//! file:line:col, so one `sopline rules check` run shows the whole list.

mod bind;
mod department;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::calendar::Calendar;
use crate::diagnostic::{Diagnostic, Located};

pub use bind::{BindError, Binding, Catalog, Given, MAX_DURATION_DAYS, bind, department, param_value};
pub use department::DepartmentRule;

/// Everything in a rules folder, parsed but not yet bound to plugins.
pub struct Rules {
    pub dir: PathBuf,
    pub departments: Vec<DepartmentRule>,
    pub calendars: BTreeMap<String, Arc<Calendar>>,
}

/// Problems found in rules, each located in its file.
#[derive(Debug, thiserror::Error)]
#[error("{}", render(.0))]
pub struct RulesError(pub Vec<Located>);

fn render(errors: &[Located]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// Reads `dir/departments/*.toml` and `dir/calendars/*.toml`.
pub fn load(dir: &Path) -> Result<Rules, RulesError> {
    let (rules, errors) = load_partial(dir);
    if errors.is_empty() { Ok(rules) } else { Err(RulesError(errors)) }
}

/// Every problem in the rules, binding included, so one run lists them all.
pub fn check(dir: &Path, catalog: &Catalog) -> Vec<Located> {
    let (mut rules, mut errors) = load_partial(dir);
    // Departments whose calendar is missing were reported already.
    let calendars = rules.calendars.clone();
    rules.departments.retain(|d| calendars.contains_key(&d.calendar));
    if let Err(RulesError(mut more)) = bind(&rules, catalog) {
        errors.append(&mut more);
    }
    errors
}

/// The rules that parsed, and the problems of those that did not.
fn load_partial(dir: &Path) -> (Rules, Vec<Located>) {
    let mut errors = Vec::new();
    let mut calendars = BTreeMap::new();
    for (path, source) in toml_files(&dir.join("calendars"), &mut errors) {
        let stem = stem(&path);
        match Calendar::parse(&source) {
            Ok(calendar) if calendar.name() != stem => errors.push(
                Diagnostic::whole(format!(
                    "the calendar is named `{}` but its file is `{stem}.toml`; departments refer to it by file name, so make them agree",
                    calendar.name()
                ))
                .locate(&path, &source),
            ),
            Ok(calendar) => {
                calendars.insert(stem, Arc::new(calendar));
            }
            Err(diagnostics) => errors.extend(diagnostics.iter().map(|d| d.locate(&path, &source))),
        }
    }
    let dept_dir = dir.join("departments");
    let mut departments = Vec::new();
    for (path, source) in toml_files(&dept_dir, &mut errors) {
        match DepartmentRule::parse(stem(&path), path.clone(), source) {
            Ok(rule) => {
                if !calendars.contains_key(&rule.calendar) {
                    errors.push(rule.error_at(
                        rule.calendar_span.clone(),
                        format!(
                            "unknown calendar `{}` (known: {}); add {}",
                            rule.calendar,
                            calendars.keys().cloned().collect::<Vec<_>>().join(", "),
                            dir.join("calendars").join(format!("{}.toml", rule.calendar)).display()
                        ),
                    ));
                }
                departments.push(rule);
            }
            Err(located) => errors.extend(located),
        }
    }
    if departments.is_empty() && errors.is_empty() {
        errors.push(Located {
            file: dept_dir,
            line: 1,
            col: 1,
            message: "no departments: add at least one `departments/ID.toml`".into(),
        });
    }
    (Rules { dir: dir.to_path_buf(), departments, calendars }, errors)
}

fn stem(path: &Path) -> String {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string()
}

/// The `*.toml` files of a folder, sorted, with their text.
fn toml_files(dir: &Path, errors: &mut Vec<Located>) -> Vec<(PathBuf, String)> {
    let unreadable = |path: &Path, e: std::io::Error| Located {
        file: path.to_path_buf(),
        line: 1,
        col: 1,
        message: format!("cannot read: {e}"),
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(unreadable(dir, e));
            return Vec::new();
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| match std::fs::read_to_string(&path) {
            Ok(source) => Some((path, source)),
            Err(e) => {
                errors.push(unreadable(&path, e));
                None
            }
        })
        .collect()
}
