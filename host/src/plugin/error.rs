//! What can go wrong with a plugin, in words an administrator can act on.
//!
//! Every error about a loaded plugin starts with `plugin ID@VERSION`, so a
//! line in a log or a `plugin_failed` outcome says whose fault it was.

use std::time::Duration;

/// A failure to load, configure or call a plugin.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The file or bytes are not a plugin this host can run.
    #[error("{origin} rejected: {reason}")]
    Rejected {
        /// The file's path, or `plugin bytes`.
        origin: String,
        /// Why.
        reason: Rejection,
    },

    /// The plugin file could not be read.
    #[error("cannot read plugin file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// The plugin could not be instantiated (e.g. every pooled slot is taken).
    #[error("plugin {plugin} could not be instantiated: {message}")]
    Instantiate {
        /// `id@version`.
        plugin: String,
        /// wasmtime's reason.
        message: String,
    },

    /// `configure` refused the department's parameters.
    #[error("plugin {plugin} rejected its parameters: {message}")]
    Config {
        /// `id@version`.
        plugin: String,
        /// The plugin's own message, naming the bad key.
        message: String,
    },

    /// The plugin trapped (a panic, `unreachable`, a bad memory access …).
    #[error("plugin {plugin} trapped in {call}: {message}")]
    Trap {
        /// `id@version`.
        plugin: String,
        /// The export called (`on-event`, `configure` …).
        call: &'static str,
        /// The trap, e.g. `wasm trap: wasm \`unreachable\` instruction executed`.
        message: String,
    },

    /// The call ran past its time budget and was interrupted.
    #[error("plugin {plugin} exceeded its {} ms CPU budget in {call}", budget.as_millis())]
    Timeout {
        /// `id@version`.
        plugin: String,
        /// The export called.
        call: &'static str,
        /// The budget ([`super::Limits::call_timeout`]).
        budget: Duration,
    },

    /// The plugin tried to grow its memory past the limit.
    #[error("plugin {plugin} ran out of memory (limit {}) in {call}", mib(*limit_bytes))]
    OutOfMemory {
        /// `id@version`.
        plugin: String,
        /// The export called.
        call: &'static str,
        /// The limit ([`super::Limits::memory_bytes`]).
        limit_bytes: usize,
    },

    /// The call returned actions the host will not execute.
    #[error("plugin {plugin} returned invalid actions: {reason}")]
    InvalidActions {
        /// `id@version`.
        plugin: String,
        /// The first bad action (by position and kind) and what is wrong with it.
        reason: String,
    },
}

/// Why a file or byte string is not a loadable plugin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Not WebAssembly at all.
    #[error("not a WebAssembly file ({0})")]
    NotWasm(String),
    /// A core module, as `cargo build` makes, rather than a component.
    #[error("it is a core wasm module, not a component; build it with `sopline plugin build`")]
    CoreModule,
    /// wasmtime could not validate or compile it.
    #[error("invalid component: {0}")]
    Invalid(String),
    /// It does not export the plugin interface at all.
    #[error("it does not export `sopline:sop/plugin@…` (it exports: {})", list(.0))]
    NoPluginExport(Vec<String>),
    /// It exports the plugin interface of a contract this host does not know.
    #[error("it was built for sopline:sop@{found}; this host supports {}", .supported.join(", "))]
    UnsupportedVersion {
        /// The version it exports.
        found: String,
        /// The versions this host loads.
        supported: Vec<String>,
    },
    /// It imports something; plugins must be pure and import nothing.
    #[error("it imports {}, but plugins may import nothing (no WASI, no host functions)", list(.0))]
    Imports(Vec<String>),
    /// It is bigger than a plugin may be ([`super::precheck`]'s limits).
    #[error("it is too large: {what} is {found}, more than the {limit} a plugin may have")]
    TooLarge {
        /// `the file`, `function code` or `functions`.
        what: &'static str,
        /// How much it has.
        found: String,
        /// How much a plugin may have.
        limit: String,
    },
    /// `manifest()` failed or returned something unusable.
    #[error("bad manifest: {0}")]
    Manifest(String),
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "nothing".into()
    } else {
        items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
    }
}

/// `67108864` → `64 MiB`.
pub fn mib(bytes: usize) -> String {
    if bytes.is_multiple_of(1 << 20) { format!("{} MiB", bytes >> 20) } else { format!("{bytes} bytes") }
}
