//! `sopline serve`: the engine as a durable service.
//!
//! ```text
//! HTTP (axum) ──► core thread (Engine + batch commits) ──► Store (SQLite | PostgreSQL)
//!                    ▲                         │
//!   scheduler ───────┘ (claims due timers)      └──► live stream (SSE; LISTEN/NOTIFY across nodes)
//! ```
//!
//! - [`core`]: the only writer of contacts; group commit; exactly-once firing.
//! - [`store`]: sqlx, migrations, the log and its projections.
//! - [`api`]: the HTTP API, its errors and OpenAPI document.
//! - [`http`]: the listener: header and idle timeouts, the connection cap, draining.
//! - [`auth`]: users, roles, tokens. [`bindings`]: department bindings over time.
//! - [`compiles`]: uploaded plugins compile one at a time, within a budget.
//! - [`metrics`]: Prometheus. [`demo`]: `sopline demo`.

pub mod api;
pub mod auth;
pub mod bindings;
pub mod compiles;
pub mod console;
pub mod core;
pub mod demo;
pub mod http;
pub mod metrics;
pub mod store;
pub mod supervision;
pub mod swap;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{broadcast, watch};

use self::core::{Core, Published};
use self::metrics::Metrics;
use self::store::{Store, now_ms};
use crate::plugin::Runtime;
use crate::rules::Catalog;

/// How long an upload may wait for and spend compiling its component. The
/// largest component the precheck lets through compiles in a few seconds.
pub const COMPILE_BUDGET: Duration = Duration::from_secs(20);

/// How to run a node.
#[derive(Debug, Clone)]
pub struct Options {
    /// `sqlite://FILE` or `postgres://…`.
    pub db: String,
    pub listen: SocketAddr,
    pub rules: PathBuf,
    /// Folder of plugin components loaded at start (besides uploaded ones).
    pub plugins: PathBuf,
    /// This node's name in the log and in timer claims.
    pub node: String,
    /// How long a claimed timer stays with this node before others may take it.
    pub lease: Duration,
    /// Console sessions' lifetime and where client addresses come from.
    pub login: auth::login::LoginSettings,
    /// What HTTP clients may hold open.
    pub limits: http::Limits,
}

/// What every request handler shares.
pub struct AppState {
    pub store: Store,
    pub core: Core,
    pub stream: broadcast::Sender<Published>,
    pub metrics: Arc<Metrics>,
    pub tokens: auth::Tokens,
    /// Login throttling and bounded password checks.
    pub logins: auth::login::Logins,
    pub runtime: Runtime,
    pub catalog: RwLock<Catalog>,
    pub calendars: std::collections::BTreeMap<String, Arc<crate::calendar::Calendar>>,
    pub node: String,
    /// Set when the node shuts down: live streams end so HTTP can drain.
    pub closing: watch::Sender<bool>,
    /// Uploaded plugins compile here, one at a time.
    pub compiles: compiles::CompileGate,
}

/// Everything up to the HTTP listener: storage, bindings, the core.
pub struct Node {
    pub state: Arc<AppState>,
    core: core::Threads,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Node {
    /// Opens the database, binds the departments and starts the core, the
    /// scheduler and (on PostgreSQL) the listener for other nodes.
    pub async fn start(options: &Options) -> anyhow::Result<Node> {
        let store = Store::open(&options.db).await?;
        let rules = crate::rules::load(&options.rules)?;
        let runtime = Runtime::new()?;
        let catalog = load_catalog(&store, &runtime, &options.plugins).await?;
        let current = bindings::seed(&store, &rules, &catalog).await?;
        let mut departments = Vec::new();
        for row in &current {
            departments.push(
                bindings::department(row, &catalog, &rules.calendars)
                    .map_err(|e| anyhow::anyhow!("department {} (binding {}): {e}", row.department, row.revision))?,
            );
        }
        let mut retained = Vec::new();
        for (department, revision) in store.bindings_in_use().await? {
            let Ok(rev) = u32::try_from(revision) else { continue };
            if departments.iter().any(|d| d.id == department && d.revision == rev) {
                continue;
            }
            if let Some(row) = store.binding(&department, revision).await? {
                match bindings::department(&row, &catalog, &rules.calendars) {
                    Ok(d) => retained.push(d),
                    Err(e) => {
                        tracing::error!(%department, revision, error = %e, "an older binding open contacts use cannot be loaded")
                    }
                }
            }
        }
        let metrics = Arc::new(Metrics::new());
        let (stream, _) = broadcast::channel(16_384);
        let setup = core::Setup {
            store: store.clone(),
            rt: tokio::runtime::Handle::current(),
            node: options.node.clone(),
            stream: stream.clone(),
            metrics: metrics.clone(),
            calendars: rules.calendars.clone(),
        };
        let (core, threads) = Core::start(departments, retained, setup)?;
        let state = Arc::new(AppState {
            store: store.clone(),
            core,
            stream,
            metrics,
            tokens: auth::Tokens::new(&store)?,
            logins: auth::login::Logins::new(options.login),
            runtime,
            catalog: RwLock::new(catalog),
            calendars: rules.calendars.clone(),
            node: options.node.clone(),
            closing: watch::channel(false).0,
            compiles: compiles::CompileGate::new(COMPILE_BUDGET),
        });
        let (stop, stopped) = watch::channel(false);
        let mut tasks = vec![
            tokio::spawn(scheduler(state.clone(), options.lease, stopped.clone())),
            tokio::spawn(count_pending(state.clone(), stopped.clone())),
            tokio::spawn(auth::tokens::watch_changes(state.clone(), stopped.clone())),
        ];
        if store.backend() == store::Backend::Postgres {
            tasks.push(tokio::spawn(listen_to_other_nodes(state.clone(), stopped)));
        }
        Ok(Node { state, core: threads, stop, tasks })
    }

    /// Stops the scheduler, lets the core commit what it accepted, and returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        let Node { state, core: threads, .. } = self;
        let core = state.core.clone();
        drop(state);
        let _ = tokio::task::spawn_blocking(move || core.close(threads)).await;
    }
}

/// Runs a node until Ctrl-C or SIGTERM, then shuts down gracefully.
pub async fn serve(options: Options) -> anyhow::Result<()> {
    let node = Node::start(&options).await?;
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let addr = listener.local_addr()?;
    println!(
        "sopline {} listening on http://{addr} (node {}, {})",
        env!("CARGO_PKG_VERSION"),
        options.node,
        redact(&options.db)
    );
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let limits = options.limits;
    tracing::info!(
        header_timeout = ?limits.header_timeout,
        idle_timeout = ?limits.idle_timeout,
        max_connections = limits.max_connections,
        "HTTP limits"
    );
    let app = api::router(node.state.clone());
    let closing = node.state.closing.clone();
    let signal = async move {
        shutdown_signal().await;
        tracing::info!("shutting down: no new requests; finishing those in flight");
        // Live streams end, so their connections can close.
        let _ = closing.send(true);
    };
    http::serve(listener, app, limits, node.state.metrics.clone(), signal).await;
    tracing::info!("HTTP stopped; finishing accepted work");
    node.stop().await;
    Ok(())
}

/// A database URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// The plugin folder's components, stored so every node has them, plus
/// every component uploaded through the API.
pub async fn load_catalog(store: &Store, runtime: &Runtime, folder: &std::path::Path) -> anyhow::Result<Catalog> {
    let mut catalog = Catalog::default();
    if folder.is_dir() {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.retain(|p| p.extension().is_some_and(|x| x == "wasm"));
        paths.sort();
        for path in paths {
            let wasm = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let plugin = runtime.load(&wasm).with_context(|| format!("loading {}", path.display()))?;
            let m = &plugin.manifest;
            store.insert_plugin(&m.id, &m.version, &plugin.sha256(), &wasm, "plugin-folder").await?;
            catalog.add(plugin);
        }
    }
    for (id, version, _) in store.plugin_list().await? {
        if catalog.find(&id, Some(&version)).is_ok() {
            continue;
        }
        let Some(wasm) = store.plugin_wasm(&id, &version).await? else { continue };
        match runtime.load(&wasm) {
            Ok(plugin) => catalog.add(plugin),
            Err(e) => {
                tracing::error!(plugin = %format!("{id}@{version}"), error = %e, "a stored plugin no longer loads")
            }
        }
    }
    Ok(catalog)
}

/// Claims due timers and hands them to the core; polls every 100 ms, so a
/// deadline fires well within a second of its due time.
async fn scheduler(state: Arc<AppState>, lease: Duration, mut stop: watch::Receiver<bool>) {
    const CLAIM: i64 = 2_000;
    let lease_ms = lease.as_millis() as i64;
    loop {
        let now = now_ms();
        match state.store.claim_timers(&state.node, now, lease_ms, CLAIM).await {
            Ok(timers) => {
                let full = timers.len() as i64 == CLAIM;
                for timer in timers {
                    state.core.fire(timer).await;
                }
                if full {
                    continue;
                }
            }
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "claiming due timers failed; trying again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Counts the pending timers for `/metrics` every 5 s, away from the
/// scheduler (a count of a million rows takes a while).
async fn count_pending(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    loop {
        if let Ok(n) = state.store.pending_timers().await {
            state.metrics.pending_timers.set(n);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// PostgreSQL only: outcomes and binding swaps of other nodes reach this
/// node's stream and engine.
async fn listen_to_other_nodes(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    loop {
        match listen_once(&state, &mut stop).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "listening for other nodes failed; reconnecting");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

async fn listen_once(state: &Arc<AppState>, stop: &mut watch::Receiver<bool>) -> anyhow::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(state.store.url()).await?;
    listener.listen_all(["sopline_log", "sopline_bindings"]).await?;
    loop {
        let notification = tokio::select! {
            n = listener.recv() => n?,
            _ = stop.changed() => return Ok(()),
        };
        let payload: serde_json::Value = serde_json::from_str(notification.payload()).unwrap_or_default();
        let node = payload["node"].as_str().unwrap_or_default();
        if node == state.node {
            continue;
        }
        match notification.channel() {
            "sopline_log" => {
                let (first, last) = (payload["first"].as_i64().unwrap_or(0), payload["last"].as_i64().unwrap_or(0));
                let rows = state.store.outcomes_between(node, first, last).await?;
                let mut touched: Vec<(String, String)> = Vec::new();
                for (department, contact, body) in rows {
                    let key = (department.clone(), contact.clone());
                    if !touched.contains(&key) {
                        touched.push(key);
                    }
                    let _ = state.stream.send(Published { department, contact, json: body.into() });
                }
                state.core.evict(touched).await;
            }
            _ => {
                let department = payload["department"].as_str().unwrap_or_default();
                let revision = payload["revision"].as_i64().unwrap_or(0);
                if let Some(row) = state.store.binding(department, revision).await? {
                    bindings::take(state, &row).await?;
                }
            }
        }
    }
}

/// The browser console's routes (static assets built into the binary).
fn console_routes() -> axum::Router<Arc<AppState>> {
    console::routes()
}
