//! Prometheus metrics (`GET /metrics`): events, outcomes, plugin latency,
//! deadline lag, commit batches and queue depth.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// `header_timeout`, `idle_timeout`, `evicted` or `refused`.
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    /// `accepted`, `rejected` or `timer`.
    pub result: String,
}

pub struct Metrics {
    registry: Registry,
    pub events: Family<ResultLabel, Counter>,
    pub outcomes: Counter,
    pub conflicts: Counter,
    pub plugin_seconds: Histogram,
    pub deadline_lag: Histogram,
    pub batch_size: Histogram,
    pub commit_seconds: Histogram,
    /// The database transaction alone (the committer thread's share).
    pub transaction_seconds: Histogram,
    /// Requests waiting for the core.
    pub queue_depth: Gauge,
    /// Timers stored and not yet fired.
    pub pending_timers: Gauge,
    /// HTTP connections open.
    pub connections: Gauge,
    /// HTTP connections the server closed on its own, by reason.
    pub connections_closed: Family<ReasonLabel, Counter>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("sopline");
        let events = Family::<ResultLabel, Counter>::default();
        let outcomes = Counter::default();
        let conflicts = Counter::default();
        let plugin_seconds = Histogram::new(exponential_buckets(0.000_005, 2.0, 16));
        let deadline_lag = Histogram::new(exponential_buckets(0.01, 2.0, 14));
        let batch_size = Histogram::new(exponential_buckets(1.0, 2.0, 11));
        let commit_seconds = Histogram::new(exponential_buckets(0.000_1, 2.0, 16));
        let transaction_seconds = Histogram::new(exponential_buckets(0.000_1, 2.0, 16));
        let queue_depth = Gauge::default();
        let pending_timers = Gauge::default();
        let connections = Gauge::default();
        let connections_closed = Family::<ReasonLabel, Counter>::default();
        registry.register("events", "Requests the core handled, by result", events.clone());
        registry.register("outcomes", "Outcomes committed", outcomes.clone());
        registry.register(
            "commit_conflicts",
            "Batches run again because another node changed a contact",
            conflicts.clone(),
        );
        registry.register("plugin_call_seconds", "Engine time per event (lifecycle + plugin)", plugin_seconds.clone());
        registry.register(
            "deadline_lag_seconds",
            "Time between a timer's due time and its firing",
            deadline_lag.clone(),
        );
        registry.register("commit_batch_size", "Requests per committed transaction", batch_size.clone());
        registry.register("commit_seconds", "Time to run and commit one batch", commit_seconds.clone());
        registry.register(
            "transaction_seconds",
            "Time of one batch's database transaction",
            transaction_seconds.clone(),
        );
        registry.register("queue_depth", "Requests waiting for the core", queue_depth.clone());
        registry.register("pending_timers", "Deadlines and callbacks stored and not yet fired", pending_timers.clone());
        registry.register("http_connections", "HTTP connections open", connections.clone());
        registry.register(
            "http_connections_closed",
            "HTTP connections closed by the server: a request head or an idle wait ran out, evicted to make room, or refused over the cap",
            connections_closed.clone(),
        );
        Metrics {
            registry,
            events,
            outcomes,
            conflicts,
            plugin_seconds,
            deadline_lag,
            batch_size,
            commit_seconds,
            transaction_seconds,
            queue_depth,
            pending_timers,
            connections,
            connections_closed,
        }
    }

    /// Counts a connection the server closed on its own.
    pub fn connection_closed(&self, reason: &'static str) {
        self.connections_closed.get_or_create(&ReasonLabel { reason }).inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String");
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
