//! # Sopline host
//!
//! Runs a contact centre's SOPs: the lifecycle every contact shares is here,
//! what a particular SOP manual decides comes from a sandboxed wasm plugin.
//!
//! Data flows one way: an [`event`] arrives → the [`lifecycle`] (pure)
//! accepts or rejects it → the [`engine`] asks the department's [`plugin`]
//! what follows → the actions are applied to the [`contact`] and come out as
//! [`outcome`]s.
//!
//! # Layout
//! - [`event`]: the JSON event vocabulary (API, scenario files, console).
//! - [`lifecycle`]: states and legal transitions, pure.
//! - [`contact`]: a contact's facts, deadlines, callbacks and memory.
//! - [`engine`]: one event in, outcomes out; executes plugin actions.
//! - [`outcome`]: what the engine decided, as the spec's JSON.
//! - [`plugin`]: the wasm runtime (compile cache, pooling, CPU and memory bounds).
//! - [`calendar`]: working hours, holidays, make-up days; business-time sums.
//! - [`rules`]: departments and calendars from TOML, bound to plugins.
//! - [`simulate`]: the engine on a virtual clock.
//! - [`diagnostic`]: errors located at file:line:col.
//! - [`server`]: `sopline serve`: storage, scheduler, HTTP API, several nodes.
//! - `cli`: the `sopline` command line.
pub mod calendar;
pub mod cli;
pub mod contact;
pub mod diagnostic;
pub mod engine;
pub mod event;
pub mod lifecycle;
pub mod outcome;
pub mod plugin;
pub mod rules;
pub mod server;
pub mod simulate;

use std::path::Path;

/// Loads the rules in `rules_dir`, the plugins in `plugin_dir`, and binds them.
pub fn load_engine(rules_dir: &Path, plugin_dir: &Path) -> anyhow::Result<engine::Engine> {
    let rules = rules::load(rules_dir)?;
    let runtime = plugin::Runtime::new()?;
    let catalog = rules::Catalog::load_dir(&runtime, plugin_dir)?;
    Ok(rules::bind(&rules, &catalog)?)
}
