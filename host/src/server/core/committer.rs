//! The committer: one thread that writes what the lanes prepared. Every
//! batch waiting when a transaction ends goes into the next transaction, so
//! lanes share fsyncs (group commit across departments) while each lane
//! prepares its next batch.
//!
//! A failed transaction must not take other lanes' requests down with it:
//! on a conflict only the batches that wrote a conflicting contact are sent
//! back (the rest commit again at once), and when the database refuses a
//! group, each batch is committed alone so only the one at fault fails.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::oneshot;

use crate::server::metrics::Metrics;
use crate::server::store::{Batch, CommitError, Committed, Store};

/// What a lane is told about its batch.
pub(super) type Done = oneshot::Receiver<Result<Committed, CommitError>>;

enum Message {
    Commit {
        batch: Batch,
        done: oneshot::Sender<Result<Committed, CommitError>>,
    },
    /// Every lane ended: commit what came before, then stop.
    Stop,
}

/// Where lanes send their batches. Cheap to clone.
#[derive(Clone)]
pub(super) struct Handle {
    tx: std::sync::mpsc::Sender<Message>,
}

impl Handle {
    /// Queues a batch; the answer comes once it committed (or did not).
    pub(super) fn submit(&self, batch: Batch) -> Done {
        let (done, answer) = oneshot::channel();
        // If the committer is gone the answer's sender drops with the
        // message, which the lane reads as a failed commit.
        let _ = self.tx.send(Message::Commit { batch, done });
        answer
    }

    pub(super) fn stop(&self) {
        let _ = self.tx.send(Message::Stop);
    }
}

pub(super) struct Submission {
    pub(super) batch: Batch,
    pub(super) done: oneshot::Sender<Result<Committed, CommitError>>,
}

pub(super) fn start(
    store: Store,
    rt: tokio::runtime::Handle,
    node: String,
    metrics: Arc<Metrics>,
) -> anyhow::Result<(Handle, std::thread::JoinHandle<()>)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let committer = Committer { store, rt, node, metrics };
    // Its own thread drives the transactions, so their statements do not
    // queue behind HTTP requests on the runtime's workers.
    let thread = std::thread::Builder::new().name("sopline-commit".into()).spawn(move || committer.run(rx))?;
    Ok((Handle { tx }, thread))
}

pub(super) struct Committer {
    pub(super) store: Store,
    pub(super) rt: tokio::runtime::Handle,
    pub(super) node: String,
    pub(super) metrics: Arc<Metrics>,
}

impl Committer {
    fn run(self, rx: std::sync::mpsc::Receiver<Message>) {
        let mut stopping = false;
        while !stopping {
            let Ok(first) = rx.recv() else { return };
            let mut group = Vec::new();
            let mut next = Some(first);
            while let Some(message) = next.take() {
                match message {
                    Message::Commit { batch, done } => group.push(Submission { batch, done }),
                    Message::Stop => stopping = true,
                }
                if !stopping {
                    next = rx.try_recv().ok();
                }
            }
            if !group.is_empty() {
                self.commit(group);
            }
        }
    }

    /// Commits a group in one transaction and answers each batch.
    pub(super) fn commit(&self, group: Vec<Submission>) {
        let batches: Vec<&Batch> = group.iter().map(|s| &s.batch).collect();
        let started = Instant::now();
        let result = self.rt.block_on(self.store.commit(&batches, &self.node, true));
        self.metrics.transaction_seconds.observe(started.elapsed().as_secs_f64());
        match result {
            Ok(committed @ Committed::Ok { .. }) => {
                for s in group {
                    let _ = s.done.send(Ok(committed.clone()));
                }
            }
            Ok(Committed::Conflict(ids)) => {
                let (hit, rest): (Vec<_>, Vec<_>) =
                    group.into_iter().partition(|s| ids.iter().any(|id| s.batch.writes(id)));
                // A conflict names contacts of the group; if it named none
                // (it cannot, but never loop on it), send every batch back.
                let (hit, rest) = if hit.is_empty() { (rest, Vec::new()) } else { (hit, rest) };
                for s in hit {
                    let _ = s.done.send(Ok(Committed::Conflict(ids.clone())));
                }
                if !rest.is_empty() {
                    self.commit(rest);
                }
            }
            Err(error) if group.len() > 1 => {
                tracing::warn!(error = %format!("{error:#}"), batches = group.len(), "a group commit failed; committing its batches one by one");
                for s in group {
                    self.commit(vec![s]);
                }
            }
            Err(error) => {
                let submission = group.into_iter().next().expect("a group of one");
                let _ = submission.done.send(Err(error));
            }
        }
    }
}
