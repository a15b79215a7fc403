//! The plugin runtime: wasm components compiled once, sandboxed and bounded.
//!
//! A plugin is an SOP manual compiled to a WebAssembly component that exports
//! `sopline:sop/plugin` (see `wit/`). The host trusts none of it: each call
//! runs under a CPU budget (epoch interruption), a memory cap and with no
//! imports at all, and what it returns is validated before anything acts on it.
//!
//! ```ignore
//! let runtime = Runtime::new()?;
//! let plugin = runtime.load_file(Path::new("property.wasm"))?;   // compiled once, cached by hash
//! let mut dept = plugin.instantiate(params)?;                    // one per department, reused
//! let actions = dept.on_event(&contact, &event, now_ms)?;        // validated
//! ```
//!
//! # Layout
//! - [`runtime`]: the engine (pooling, NaN canonicalization, epoch ticker),
//!   [`Limits`], loading and rejecting components, the compile cache.
//! - [`instance`]: [`LoadedPlugin`] and [`PluginInstance`] (calls, poisoning, rebuilds).
//! - `sandbox`: the store, the memory limiter and how failures are named.
//! - [`precheck()`]: a component's structure and size, read before compiling it.
//! - [`validate`]: checks on returned actions and on manifests.
//! - [`error`]: [`PluginError`], every message prefixed with `id@version`.
//! - [`inspect()`]: a component's manifest as JSON (`sopline plugin inspect`).
//! - `since_v0_1_0`: bindings per contract version; [`wit`] is the latest.

pub mod error;
pub mod inspect;
pub mod instance;
pub mod precheck;
pub mod runtime;
mod sandbox;
mod since_v0_1_0;
pub mod validate;

pub use error::{PluginError, Rejection};
pub use inspect::{inspect, manifest_json};
pub use instance::{LoadedPlugin, PluginInstance};
pub use precheck::{MAX_CODE_BYTES, MAX_COMPONENT_BYTES, MAX_FUNCTIONS, Structure, precheck};
pub use runtime::{Limits, Runtime, SUPPORTED_VERSIONS};
pub use validate::param_kind_name;

/// The types of the latest contract (`sopline:sop@0.1.0`): what the engine
/// builds contacts and events with and reads actions from. Plugins built
/// against older contracts are converted to and from these by their
/// `since_v*` module.
pub mod wit {
    pub use super::since_v0_1_0::sopline::sop::types::*;
    /// The contract version these types belong to.
    pub const VERSION: &str = super::since_v0_1_0::VERSION;
}
