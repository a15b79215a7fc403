//! The wasmtime engine every plugin runs on, and loading plugins into it.
//!
//! One [`Runtime`] per process: a pooling allocator sized by [`Limits`]
//! (instances are recycled, not mmapped per contact), NaN canonicalization so
//! floating point is deterministic across machines, epoch interruption driven
//! by a single ticker thread, and a cache so a component is compiled once per
//! content hash however often the rules bind or swap it.

use super::error::{PluginError, Rejection};
use super::instance::PluginPre;
use super::precheck::precheck;
use super::sandbox::Sandbox;
use super::{LoadedPlugin, since_v0_1_0};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, PoolingAllocationConfig};

/// The contract versions this host loads, oldest first.
pub const SUPPORTED_VERSIONS: &[&str] = &[since_v0_1_0::VERSION];

/// The interface a plugin exports, without the version.
pub(crate) const PLUGIN_INTERFACE: &str = "sopline:sop/plugin";

/// Bounds on what plugins may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most linear memory one instance may have (default 64 MiB).
    pub memory_bytes: usize,
    /// How long one call may run before it is interrupted (default 100 ms).
    /// Measured in wall time by epoch ticks, so it also bounds a plugin that
    /// is merely slow on a loaded machine.
    pub call_timeout: Duration,
    /// How many instances may exist at once across all plugins (default 1000):
    /// the size of the pooling allocator.
    pub max_instances: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { memory_bytes: 64 << 20, call_timeout: Duration::from_millis(100), max_instances: 1000 }
    }
}

/// The plugin runtime. Cheap to clone; every clone shares the engine and the
/// cache of compiled plugins.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    /// Empty on purpose: plugins import nothing.
    linker: Linker<Sandbox>,
    limits: Limits,
    ticker: Arc<Ticker>,
    /// Compiled plugins by the SHA-256 of their bytes.
    cache: Mutex<HashMap<[u8; 32], Arc<LoadedPlugin>>>,
}

/// Advances the engine's epoch every `interval`; a call's deadline is a
/// number of ticks. Held by the runtime and by every loaded plugin, so it runs
/// as long as anything can call a plugin and stops when the last holder drops.
pub(crate) struct Ticker {
    /// Dropping the sender wakes the thread, which then exits.
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    pub(crate) interval: Duration,
}

impl Ticker {
    fn start(engine: Engine, interval: Duration) -> std::io::Result<Ticker> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new().name("sopline-plugin-epoch".into()).spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                engine.increment_epoch();
            }
        })?;
        Ok(Ticker { stop: Some(stop), thread: Some(thread), interval })
    }

    /// Ticks to allow for `budget`: one more than it spans, because the
    /// first tick may come at once.
    pub(crate) fn ticks_for(&self, budget: Duration) -> u64 {
        (budget.as_nanos().div_ceil(self.interval.as_nanos().max(1)) as u64).max(1) + 1
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Runtime {
    /// A runtime with the default [`Limits`].
    pub fn new() -> anyhow::Result<Runtime> {
        Runtime::with_limits(Limits::default())
    }

    /// A runtime with the given limits.
    pub fn with_limits(limits: Limits) -> anyhow::Result<Runtime> {
        anyhow::ensure!(limits.max_instances > 0, "max_instances must be at least 1");
        anyhow::ensure!(limits.memory_bytes >= 1 << 16, "memory_bytes must be at least one wasm page (64 KiB)");
        anyhow::ensure!(!limits.call_timeout.is_zero(), "call_timeout must be positive");

        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(limits.max_instances)
            .total_core_instances(limits.max_instances.saturating_mul(2))
            .total_memories(limits.max_instances)
            .total_tables(limits.max_instances.saturating_mul(2))
            .max_memory_size(limits.memory_bytes);
        let mut config = Config::new();
        config
            .allocation_strategy(pool)
            // Each slot reserves 4 GiB of address space (not memory) so that
            // guard pages replace bounds checks on every load and store: on
            // the on-event benchmark that is a third of the call. The cap a
            // plugin may actually use is `max_memory_size` above.
            .memory_reservation(1 << 32)
            .epoch_interruption(true)
            .cranelift_nan_canonicalization(true)
            .relaxed_simd_deterministic(true);
        let engine = Engine::new(&config).map_err(|e| anyhow::anyhow!("creating the wasm engine: {e:#}"))?;

        // A tenth of the budget, so a call stops within ~10 % of it.
        let interval = (limits.call_timeout / 10).clamp(Duration::from_millis(1), Duration::from_millis(10));
        let ticker = Arc::new(Ticker::start(engine.clone(), interval)?);
        let linker = Linker::new(&engine);
        Ok(Runtime { inner: Arc::new(Inner { engine, linker, limits, ticker, cache: Mutex::default() }) })
    }

    /// The limits every instance runs under.
    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// How many distinct components have been compiled.
    pub fn cached(&self) -> usize {
        self.inner.cache.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Loads a plugin from a component file; see [`Runtime::load`].
    pub fn load_file(&self, path: &Path) -> Result<Arc<LoadedPlugin>, PluginError> {
        let bytes =
            std::fs::read(path).map_err(|source| PluginError::Io { path: path.display().to_string(), source })?;
        self.load_from(&bytes, format!("plugin file {}", path.display()))
    }

    /// Compiles a plugin component (or takes it from the cache) and reads its
    /// manifest.
    ///
    /// Rejects, with the reason and before compiling (see [`precheck`]):
    /// bytes that are not wasm, a core module, a component over the size
    /// limits, one that imports anything, one that does not export
    /// `sopline:sop/plugin`, one built against a contract version this host
    /// does not support; after compiling, one whose `manifest()` fails.
    pub fn load(&self, bytes: &[u8]) -> Result<Arc<LoadedPlugin>, PluginError> {
        self.load_from(bytes, "plugin bytes".to_string())
    }

    fn load_from(&self, bytes: &[u8], origin: String) -> Result<Arc<LoadedPlugin>, PluginError> {
        let hash: [u8; 32] = Sha256::digest(bytes).into();
        if let Some(hit) = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner()).get(&hash) {
            return Ok(hit.clone());
        }
        let reject = |reason| PluginError::Rejected { origin: origin.clone(), reason };
        let loaded = self.compile(bytes, hash).map_err(reject)?;
        let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        // Another thread may have compiled the same bytes meanwhile; keep one.
        Ok(cache.entry(hash).or_insert_with(|| Arc::new(loaded)).clone())
    }

    fn compile(&self, bytes: &[u8], hash: [u8; 32]) -> Result<LoadedPlugin, Rejection> {
        // Imports, exports and sizes first: refusing costs milliseconds, compiling seconds.
        let structure = precheck(bytes)?;
        let engine = &self.inner.engine;
        let component = Component::new(engine, bytes).map_err(|e| Rejection::Invalid(format!("{e:#}")))?;
        let pre = self.inner.linker.instantiate_pre(&component).map_err(|e| Rejection::Invalid(format!("{e:#}")))?;
        let pre = match structure.contract_version.as_str() {
            since_v0_1_0::VERSION => PluginPre::V0_1_0(
                since_v0_1_0::SopPluginPre::new(pre).map_err(|e| Rejection::Invalid(format!("{e:#}")))?,
            ),
            _ => unreachable!("precheck only accepts supported versions"),
        };
        LoadedPlugin::new(pre, structure.contract_version, hash, self.inner.limits, self.inner.ticker.clone())
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("limits", &self.inner.limits).field("cached", &self.cached()).finish()
    }
}
