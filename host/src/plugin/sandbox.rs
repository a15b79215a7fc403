//! The bounds one plugin instance runs inside: its store, its memory cap,
//! and how a failed call is told apart (trap, timeout, out of memory).

use super::error::PluginError;
use super::runtime::Limits;
use wasmtime::{Engine, ResourceLimiter, Store, Trap};

/// The most table elements an instance may have; generous for any plugin,
/// small enough that a runaway `table.grow` is stopped.
const MAX_TABLE_ELEMENTS: usize = 100_000;

/// The data of every plugin store: only the limiter, since plugins import
/// nothing and so need no host state.
pub(crate) struct Sandbox {
    limiter: MemoryLimiter,
}

/// Caps linear memory and remembers a refused growth, because the guest only
/// sees `memory.grow` return -1 and then aborts with an anonymous trap; the
/// record is how the error can say "out of memory".
struct MemoryLimiter {
    limit: usize,
    denied: bool,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = desired <= self.limit;
        self.denied |= !allowed;
        Ok(allowed)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }

    fn instances(&self) -> usize {
        // A component built by wit-component is a handful of core instances.
        16
    }

    fn memories(&self) -> usize {
        4
    }

    fn tables(&self) -> usize {
        8
    }
}

/// The exports of the plugin interface, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    Instantiate,
    Manifest,
    Configure,
    OnEvent,
    CheckUtterance,
    Script,
}

impl Call {
    /// The export's WIT name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Call::Instantiate => "instantiation",
            Call::Manifest => "manifest",
            Call::Configure => "configure",
            Call::OnEvent => "on-event",
            Call::CheckUtterance => "check-utterance",
            Call::Script => "script",
        }
    }
}

/// A fresh store bounded by `limits`; its epoch deadline is set per call.
pub(crate) fn new_store(engine: &Engine, limits: &Limits) -> Store<Sandbox> {
    let mut store =
        Store::new(engine, Sandbox { limiter: MemoryLimiter { limit: limits.memory_bytes, denied: false } });
    store.limiter(|sandbox| &mut sandbox.limiter);
    store.epoch_deadline_trap();
    store
}

/// Arms the store for one call: a fresh CPU budget, no memory refusal yet.
pub(crate) fn arm(store: &mut Store<Sandbox>, ticks: u64) {
    store.data_mut().limiter.denied = false;
    store.set_epoch_deadline(ticks);
}

/// Whether the limiter refused a memory growth during the current call.
pub(crate) fn memory_denied(store: &Store<Sandbox>) -> bool {
    store.data().limiter.denied
}

/// Names what went wrong in a call that failed inside wasm.
pub(crate) fn classify(
    error: wasmtime::Error,
    store: &Store<Sandbox>,
    plugin: &str,
    call: Call,
    limits: &Limits,
) -> PluginError {
    let plugin = plugin.to_string();
    let call = call.name();
    if store.data().limiter.denied {
        return PluginError::OutOfMemory { plugin, call, limit_bytes: limits.memory_bytes };
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => PluginError::Timeout { plugin, call, budget: limits.call_timeout },
        Some(trap) => PluginError::Trap { plugin, call, message: trap.to_string() },
        // Not a trap: e.g. the guest returned a string that is not UTF-8.
        None => PluginError::Trap { plugin, call, message: format!("{error:#}") },
    }
}
