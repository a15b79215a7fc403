//! A compiled plugin ([`LoadedPlugin`]) and its configured, long-lived
//! instances ([`PluginInstance`]).
//!
//! An instance belongs to one plugin version bound to one department and is
//! reused for every event of that department: instantiating per event would
//! throw away the plugin's configuration and cost a pool slot each time.
//! A call that traps, times out or runs out of memory leaves the wasm
//! instance unusable, so the instance is then rebuilt (and configured again)
//! before the next call; the caller sees one failed call, not a dead plugin.

use super::error::{PluginError, Rejection};
use super::runtime::{Limits, Ticker};
use super::sandbox::{self, Call, Sandbox};
use super::{since_v0_1_0, validate, wit};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::Store;

/// A component pre-linked for one contract version.
pub(crate) enum PluginPre {
    V0_1_0(since_v0_1_0::SopPluginPre<Sandbox>),
}

/// An instance's exports for one contract version. Each method takes and
/// returns the latest contract's types ([`wit`]); older versions convert here.
enum Bindings {
    V0_1_0(since_v0_1_0::SopPlugin),
}

impl PluginPre {
    fn engine(&self) -> &wasmtime::Engine {
        match self {
            PluginPre::V0_1_0(pre) => pre.engine(),
        }
    }

    fn instantiate(&self, store: &mut Store<Sandbox>) -> wasmtime::Result<Bindings> {
        match self {
            PluginPre::V0_1_0(pre) => pre.instantiate(store).map(Bindings::V0_1_0),
        }
    }
}

impl Bindings {
    fn manifest(&self, store: &mut Store<Sandbox>) -> wasmtime::Result<wit::Manifest> {
        match self {
            Bindings::V0_1_0(b) => b.sopline_sop_plugin().call_manifest(store),
        }
    }

    fn configure(
        &self,
        store: &mut Store<Sandbox>,
        params: &[(String, wit::ParamValue)],
    ) -> wasmtime::Result<Result<(), String>> {
        match self {
            Bindings::V0_1_0(b) => b.sopline_sop_plugin().call_configure(store, params),
        }
    }

    fn on_event(
        &self,
        store: &mut Store<Sandbox>,
        contact: &wit::Contact,
        event: &wit::Event,
        now: i64,
    ) -> wasmtime::Result<Vec<wit::Action>> {
        match self {
            Bindings::V0_1_0(b) => b.sopline_sop_plugin().call_on_event(store, contact, event, now),
        }
    }

    fn check_utterance(
        &self,
        store: &mut Store<Sandbox>,
        contact: &wit::Contact,
        speaker: wit::Speaker,
        text: &str,
    ) -> wasmtime::Result<Vec<wit::Violation>> {
        match self {
            Bindings::V0_1_0(b) => b.sopline_sop_plugin().call_check_utterance(store, contact, speaker, text),
        }
    }

    fn script(
        &self,
        store: &mut Store<Sandbox>,
        scene: &str,
        contact: &wit::Contact,
    ) -> wasmtime::Result<Option<String>> {
        match self {
            Bindings::V0_1_0(b) => b.sopline_sop_plugin().call_script(store, scene, contact),
        }
    }
}

/// A compiled, validated plugin whose manifest has been read. Shared (in an
/// `Arc`) by the runtime's cache and every instance made from it.
pub struct LoadedPlugin {
    /// What the plugin says about itself.
    pub manifest: wit::Manifest,
    contract_version: String,
    sha256: [u8; 32],
    limits: Limits,
    pre: PluginPre,
    instantiations: AtomicU64,
    // Last: the epoch must keep ticking while this plugin can be called.
    ticker: Arc<Ticker>,
}

impl LoadedPlugin {
    pub(crate) fn new(
        pre: PluginPre,
        contract_version: String,
        sha256: [u8; 32],
        limits: Limits,
        ticker: Arc<Ticker>,
    ) -> Result<LoadedPlugin, Rejection> {
        let mut plugin = LoadedPlugin {
            manifest: empty_manifest(),
            contract_version,
            sha256,
            limits,
            pre,
            instantiations: AtomicU64::new(0),
            ticker,
        };
        let (mut store, bindings) = plugin.instantiate_raw().map_err(|e| Rejection::Manifest(e.to_string()))?;
        sandbox::arm(&mut store, plugin.ticks());
        let manifest = bindings.manifest(&mut store).map_err(|e| {
            let error = sandbox::classify(e, &store, "", Call::Manifest, &limits);
            Rejection::Manifest(format!(
                "calling manifest() failed: {}",
                error.to_string().trim_start_matches("plugin  ")
            ))
        })?;
        validate::manifest(&manifest).map_err(Rejection::Manifest)?;
        plugin.manifest = manifest;
        Ok(plugin)
    }

    /// `id@version`, as every error about this plugin starts.
    pub fn id_version(&self) -> String {
        format!("{}@{}", self.manifest.id, self.manifest.version)
    }

    /// The contract version the component exports (`0.1.0`).
    pub fn contract_version(&self) -> &str {
        &self.contract_version
    }

    /// The SHA-256 of the component's bytes, in hex: its cache key.
    pub fn sha256(&self) -> String {
        hex::encode(self.sha256)
    }

    /// How many times this plugin has been instantiated, including the one
    /// that read the manifest; lets tests see that instances are reused.
    pub fn instantiations(&self) -> u64 {
        self.instantiations.load(Ordering::Relaxed)
    }

    /// A configured instance for one department. `params` are the
    /// department's values (the plugin fills in defaults for missing keys); a
    /// refusal from `configure` is [`PluginError::Config`].
    pub fn instantiate(
        self: &Arc<Self>,
        params: Vec<(String, wit::ParamValue)>,
    ) -> Result<PluginInstance, PluginError> {
        let mut instance = PluginInstance { plugin: self.clone(), params, live: None, generation: 0 };
        instance.revive()?;
        Ok(instance)
    }

    /// `id@version`, or a placeholder while the manifest is not read yet.
    fn label(&self) -> String {
        if self.manifest.id.is_empty() { "(manifest not read yet)".into() } else { self.id_version() }
    }

    fn ticks(&self) -> u64 {
        self.ticker.ticks_for(self.limits.call_timeout)
    }

    fn instantiate_raw(&self) -> Result<(Store<Sandbox>, Bindings), PluginError> {
        let mut store = sandbox::new_store(self.pre.engine(), &self.limits);
        sandbox::arm(&mut store, self.ticks());
        self.instantiations.fetch_add(1, Ordering::Relaxed);
        match self.pre.instantiate(&mut store) {
            Ok(bindings) => Ok((store, bindings)),
            Err(e) if e.downcast_ref::<wasmtime::Trap>().is_some() || sandbox::memory_denied(&store) => {
                Err(sandbox::classify(e, &store, &self.label(), Call::Instantiate, &self.limits))
            }
            Err(e) => Err(PluginError::Instantiate { plugin: self.label(), message: format!("{e:#}") }),
        }
    }
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("plugin", &self.id_version())
            .field("contract_version", &self.contract_version)
            .field("sha256", &self.sha256())
            .finish_non_exhaustive()
    }
}

/// A live, configured plugin instance. Not shared: one owner (the
/// department's worker) calls it, so no lock is needed around the store.
pub struct PluginInstance {
    plugin: Arc<LoadedPlugin>,
    params: Vec<(String, wit::ParamValue)>,
    /// `None` after a failed call: rebuilt on the next one.
    live: Option<Live>,
    generation: u64,
}

struct Live {
    store: Store<Sandbox>,
    bindings: Bindings,
}

impl PluginInstance {
    /// The plugin's manifest.
    pub fn manifest(&self) -> &wit::Manifest {
        &self.plugin.manifest
    }

    /// The plugin this instance runs.
    pub fn plugin(&self) -> &Arc<LoadedPlugin> {
        &self.plugin
    }

    /// How many wasm instances this has been: 1 until a call fails, then
    /// one more for each rebuild.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether the next call will first rebuild the instance.
    pub fn is_poisoned(&self) -> bool {
        self.live.is_none()
    }

    /// `on-event`: the plugin's decision, validated.
    pub fn on_event(
        &mut self,
        contact: &wit::Contact,
        event: &wit::Event,
        now_ms: i64,
    ) -> Result<Vec<wit::Action>, PluginError> {
        let actions = self.call(Call::OnEvent, |b, s| b.on_event(s, contact, event, now_ms))?;
        validate::actions(&actions)
            .map_err(|reason| PluginError::InvalidActions { plugin: self.plugin.id_version(), reason })?;
        Ok(actions)
    }

    /// `check-utterance`: violations in what `speaker` said, validated like
    /// actions (an invalid list is [`PluginError::InvalidActions`]).
    pub fn check_utterance(
        &mut self,
        contact: &wit::Contact,
        speaker: wit::Speaker,
        text: &str,
    ) -> Result<Vec<wit::Violation>, PluginError> {
        let violations = self.call(Call::CheckUtterance, |b, s| b.check_utterance(s, contact, speaker, text))?;
        validate::violations(&violations)
            .map_err(|reason| PluginError::InvalidActions { plugin: self.plugin.id_version(), reason })?;
        Ok(violations)
    }

    /// `script`: the text for `scene`, or `None` for a scene the plugin does not know.
    pub fn script(&mut self, scene: &str, contact: &wit::Contact) -> Result<Option<String>, PluginError> {
        self.call(Call::Script, |b, s| b.script(s, scene, contact))
    }

    /// Runs one export under a fresh budget; on failure drops the wasm
    /// instance so the next call starts clean.
    fn call<R>(
        &mut self,
        call: Call,
        f: impl FnOnce(&Bindings, &mut Store<Sandbox>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        if self.live.is_none() {
            self.revive()?;
        }
        let ticks = self.plugin.ticks();
        let live = self.live.as_mut().expect("revived above");
        sandbox::arm(&mut live.store, ticks);
        match f(&live.bindings, &mut live.store) {
            Ok(value) => Ok(value),
            Err(e) => {
                let error = sandbox::classify(e, &live.store, &self.plugin.id_version(), call, &self.plugin.limits);
                self.live = None;
                Err(error)
            }
        }
    }

    /// A new wasm instance, configured with this department's parameters.
    fn revive(&mut self) -> Result<(), PluginError> {
        // Free the old pool slot before taking a new one.
        self.live = None;
        let (mut store, bindings) = self.plugin.instantiate_raw()?;
        self.generation += 1;
        sandbox::arm(&mut store, self.plugin.ticks());
        let configured = bindings.configure(&mut store, &self.params).map_err(|e| {
            sandbox::classify(e, &store, &self.plugin.id_version(), Call::Configure, &self.plugin.limits)
        })?;
        configured.map_err(|message| PluginError::Config { plugin: self.plugin.id_version(), message })?;
        self.live = Some(Live { store, bindings });
        Ok(())
    }
}

impl std::fmt::Debug for PluginInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginInstance")
            .field("plugin", &self.plugin.id_version())
            .field("generation", &self.generation)
            .field("poisoned", &self.is_poisoned())
            .finish_non_exhaustive()
    }
}

fn empty_manifest() -> wit::Manifest {
    wit::Manifest {
        id: String::new(),
        name: String::new(),
        version: String::new(),
        industry: String::new(),
        wit_version: String::new(),
        description: String::new(),
        categories: Vec::new(),
        event_types: Vec::new(),
        scenes: Vec::new(),
        rules: Vec::new(),
        params: Vec::new(),
    }
}
