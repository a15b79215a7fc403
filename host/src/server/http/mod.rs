//! The HTTP listener: our own accept loop around hyper's HTTP/1 connections.
//!
//! `axum::serve` keeps every connection as long as the client likes and,
//! when `accept` fails (out of file descriptors), sleeps a whole second
//! before trying again: 300 half-sent requests under a 256-descriptor limit
//! were enough to make `/healthz` time out. Here:
//!
//! - a request head must arrive within [`Limits::header_timeout`] of its
//!   first byte (or of the connection's start), and a keep-alive connection
//!   may sit idle between requests for [`Limits::idle_timeout`] (see `conn`;
//!   hyper has one timer for both, which would cut idle connections at the
//!   header timeout);
//! - at most [`Limits::max_connections`] are open. A connection over the cap
//!   makes room by closing the one that has been stalled longest (mid-head
//!   or idle, never one with a request in flight), so a flood of stalled
//!   connections cannot lock real clients out; with every connection busy,
//!   the newcomer gets a JSON 503 at once;
//! - a connection the server ends after answering (a 413 before the body
//!   was read, say) gets a lingering close, so the client reads the answer
//!   rather than a reset;
//! - on shutdown the listener closes, idle and half-sent connections close,
//!   requests in flight finish (live streams end when the node closes) for
//!   up to [`DRAIN`], and then the rest are dropped.

mod conn;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

use self::conn::Activity;
use super::metrics::Metrics;

/// How long a shutdown waits for requests in flight before dropping them.
pub const DRAIN: Duration = Duration::from_secs(20);

/// File descriptors kept back from the connection cap for the database (a
/// SQLite pool of 8 holds 24 files plus the writer's; PostgreSQL 19
/// sockets), plugin files, the log, the runtime and the listener.
pub const RESERVED_DESCRIPTORS: u64 = 64;

/// Bounds on what clients may hold open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From a request's first byte (or the connection's start) to the end of its headers.
    pub header_timeout: Duration,
    /// How long a keep-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
}

impl Limits {
    /// Long enough for any client that means to send a request, short
    /// enough that a stalled one frees its descriptor soon.
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    /// Longer than the 60 s reverse proxies and load balancers keep idle
    /// upstream connections, so they close first and never send a request
    /// on a connection this server is closing.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(75);

    /// The cap the descriptor limit allows: `RLIMIT_NOFILE` (as `ulimit -n`
    /// set it) minus [`RESERVED_DESCRIPTORS`], and at least 16.
    pub fn max_connections_for_descriptors() -> usize {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit only writes the struct it is given.
        let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 { limit.rlim_cur } else { 1024 };
        let soft = if soft == libc::RLIM_INFINITY { 1 << 20 } else { soft };
        usize::try_from(soft.saturating_sub(RESERVED_DESCRIPTORS)).unwrap_or(usize::MAX).max(16)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Limits::DEFAULT_HEADER_TIMEOUT,
            idle_timeout: Limits::DEFAULT_IDLE_TIMEOUT,
            max_connections: Limits::max_connections_for_descriptors(),
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes,
/// then drains (see the module docs). Handlers may extract
/// `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) {
    let allowed = Limits::max_connections_for_descriptors();
    if limits.max_connections > allowed {
        tracing::warn!(
            max_connections = limits.max_connections,
            allowed,
            "more connections allowed than open files left for them; raise `ulimit -n`"
        );
    }
    // Every connection task holds a clone of `done`; when the last is gone
    // the receiver wakes (mini-redis's shutdown_complete pattern).
    let (done, mut all_done) = mpsc::channel::<()>(1);
    let (stop, stopping) = watch::channel(false);
    let mut open: Vec<Arc<Activity>> = Vec::new();
    let mut warned_at: Option<tokio::time::Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e, &open, &mut warned_at, &metrics).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if open.len() >= limits.max_connections {
            open.retain(|c| !c.is_closed());
        }
        if open.len() >= limits.max_connections && !evict_one(&open, &metrics) {
            refuse(stream, &metrics);
            continue;
        }
        let activity = Arc::new(Activity::new());
        open.push(activity.clone());
        let connection = conn::Connection { peer, router: router.clone(), activity, limits, metrics: metrics.clone() };
        tokio::spawn(connection.run(stream, stopping.clone(), done.clone()));
    }
    drop(listener);
    let _ = stop.send(true);
    drop(done);
    let waiting = open.iter().filter(|c| !c.is_closed()).count();
    tracing::info!(connections = waiting, "listener closed; finishing the requests in flight");
    if tokio::time::timeout(DRAIN, all_done.recv()).await.is_err() {
        tracing::warn!("requests still in flight after {} s; dropping them", DRAIN.as_secs());
    }
}

/// Closes the connection that has been stalled longest (mid-head first,
/// then idle); false if every connection has a request in flight.
fn evict_one(open: &[Arc<Activity>], metrics: &Metrics) -> bool {
    let victim = open.iter().filter_map(|c| c.stalled_since().map(|since| (since, c))).min_by_key(|(since, _)| *since);
    match victim {
        Some((_, c)) if c.evict() => {
            metrics.connection_closed("evicted");
            true
        }
        _ => false,
    }
}

/// Answers a connection over the cap with a 503 and closes it, without
/// reading its request (it is not worth a task).
fn refuse(stream: TcpStream, metrics: &Metrics) {
    const BODY: &str =
        r#"{"error":{"code":"unavailable","message":"the server has too many open connections; try again shortly"}}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    // A fresh socket's send buffer takes this at once; if not, closing is answer enough.
    let _ = stream.try_write(answer.as_bytes());
    metrics.connection_closed("refused");
}

/// Out of descriptors (EMFILE, ENFILE) or a connection that died in the
/// backlog: free a descriptor if one is held by a stalled client, and try
/// again soon rather than a second later.
async fn accept_failed(
    error: std::io::Error,
    open: &[Arc<Activity>],
    warned_at: &mut Option<tokio::time::Instant>,
    metrics: &Metrics,
) {
    let out_of_descriptors = matches!(error.raw_os_error(), Some(libc::EMFILE | libc::ENFILE));
    if !out_of_descriptors {
        // ECONNABORTED and the like: that client is gone; the next may not be.
        return;
    }
    let now = tokio::time::Instant::now();
    if warned_at.is_none_or(|at| now.duration_since(at) > Duration::from_secs(10)) {
        *warned_at = Some(now);
        tracing::warn!(%error, open = open.len(), "out of file descriptors; lower --max-connections or raise `ulimit -n`");
    }
    evict_one(open, metrics);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[cfg(test)]
mod tests;
