//! A department's lane: one thread that owns the department's engine and
//! contacts and turns its requests into batches.
//!
//! Batches are pipelined: while one batch is with the committer, the next
//! keeps taking requests and running them on the contacts as that batch
//! leaves them, until it commits (so the database sees few, large
//! transactions). Nobody is answered before their own batch commits; if a
//! batch does not commit as prepared, the one built on it runs again.

use std::collections::HashMap;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use super::committer::Done;
use super::run::Work;
use super::{Command, Context, CoreError, Job, OutcomeJson, Published, Reply, internal, not_found};
use crate::contact::Contact;
use crate::engine::{Department, Engine};
use crate::server::store::{Batch, CommitError, Committed};

/// The most requests one batch takes.
const MAX_BATCH: usize = 512;
/// Cached contacts beyond this are dropped (they are reloaded on use).
const MAX_CACHED: usize = 200_000;
/// How often a batch the database keeps refusing as a conflict runs again.
const ATTEMPTS: usize = 5;

/// A job and whom to answer.
pub(super) type Run = (Job, Option<Reply<OutcomeJson>>);

pub(super) struct Lane {
    pub(super) department: String,
    pub(super) engine: Engine,
    pub(super) cx: Context,
    /// Contacts as this lane last wrote them (or read them), with their version.
    pub(super) cache: HashMap<String, (Contact, i64)>,
}

/// A batch whose jobs ran, ready to commit.
struct Prepared {
    runs: Vec<Run>,
    results: Vec<Result<OutcomeJson, CoreError>>,
    batch: Batch,
    published: Vec<Published>,
    lags: Vec<f64>,
    /// Every contact the batch read or changed.
    touched: Vec<String>,
    started: Instant,
}

/// A batch with the committer.
struct InFlight {
    runs: Vec<Run>,
    results: Vec<Result<OutcomeJson, CoreError>>,
    published: Vec<Published>,
    lags: Vec<f64>,
    touched: Vec<String>,
    outcomes: usize,
    started: Instant,
    commit: Done,
    /// The committer's answer, once received.
    done: Option<Result<Committed, CommitError>>,
}

/// The batch being built while the previous one commits.
#[derive(Default)]
struct Open {
    runs: Vec<Run>,
    results: Vec<Result<OutcomeJson, CoreError>>,
    work: Work,
    started: Option<Instant>,
}

/// What woke the lane while a batch was committing.
enum Step {
    Committed(Result<Result<Committed, CommitError>, oneshot::error::RecvError>),
    Command(Option<Box<Command>>),
}

enum Settled {
    Committed,
    /// Another node changed one of the contacts first: run these again.
    Conflict(Vec<Run>),
    /// The database refused the batch; nobody was answered yet.
    Failed(Vec<Run>, CommitError),
}

impl Lane {
    pub(super) fn new(current: Department, older: Vec<Department>, cx: Context) -> Lane {
        let department = current.id.clone();
        let mut engine = Engine::new(vec![current], cx.calendars.clone());
        for d in older {
            engine.retain(d);
        }
        Lane { department, engine, cx, cache: HashMap::new() }
    }

    /// Serves commands until every sender is gone, then returns (after the
    /// last batch committed): that is the graceful end of a lane.
    pub(super) fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        let mut inflight: Option<InFlight> = None;
        let mut next = Open::default();
        let mut senders_gone = false;
        loop {
            let mut runs = Vec::new();
            if inflight.is_none() && next.runs.is_empty() {
                let command = if senders_gone { None } else { rx.blocking_recv() };
                let Some(command) = command else { break };
                self.take(command, &mut runs);
            }
            while next.runs.len() + runs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(command) => self.take(command, &mut runs),
                    Err(mpsc::error::TryRecvError::Disconnected) => {
                        senders_gone = true;
                        break;
                    }
                    Err(mpsc::error::TryRecvError::Empty) => break,
                }
            }
            if next.runs.is_empty() {
                self.trim_cache(inflight.as_ref());
            }
            self.add(&mut next, runs);
            if let Some(mut flight) = inflight.take() {
                if next.runs.len() < MAX_BATCH && !senders_gone {
                    let step = self.cx.rt.block_on(async {
                        tokio::select! {
                            biased;
                            done = &mut flight.commit => Step::Committed(done),
                            command = rx.recv() => Step::Command(command.map(Box::new)),
                        }
                    });
                    match step {
                        Step::Committed(done) => flight.done = Some(done.unwrap_or_else(|_| Err(committer_gone()))),
                        Step::Command(command) => {
                            match command {
                                Some(command) => {
                                    let mut runs = Vec::new();
                                    self.take(*command, &mut runs);
                                    self.add(&mut next, runs);
                                }
                                None => senders_gone = true,
                            }
                            inflight = Some(flight);
                            continue;
                        }
                    }
                }
                if !self.settle(flight) {
                    // The batch built on it read copies that were not committed.
                    self.forget(&next.work.order);
                    let runs = std::mem::take(&mut next).runs;
                    self.add(&mut next, runs);
                }
            }
            if !next.runs.is_empty() {
                let prepared = self.seal(std::mem::take(&mut next));
                inflight = self.launch(prepared);
            }
        }
        tracing::debug!(department = %self.department, "lane stopped: every accepted request committed");
    }

    fn take(&mut self, command: Command, runs: &mut Vec<Run>) {
        match command {
            Command::Run { job, reply } => runs.push((job, reply)),
            Command::Check { contact, text, reply } => {
                let result = self
                    .committed(&contact)
                    .and_then(|c| self.engine.check_utterance(&c, &text).map_err(CoreError::Internal));
                let _ = reply.send(result);
            }
            Command::Script { contact, scene, reply } => {
                let result =
                    self.committed(&contact).and_then(|c| self.engine.script(&c, &scene).map_err(CoreError::Internal));
                let _ = reply.send(result);
            }
            Command::Rebind { department, reply } => {
                tracing::info!(department = %department.id, plugin = %department.plugin.id_version(), revision = department.revision, "binding swapped");
                self.engine.rebind(department);
                let _ = reply.send(Ok(()));
            }
            Command::Retain(department) => self.engine.retain(department),
            Command::Evict(ids) => self.forget(&ids),
        }
    }

    pub(super) fn forget(&mut self, ids: &[String]) {
        for id in ids {
            self.cache.remove(id);
        }
    }

    /// A contact as this lane last wrote it (cached or loaded).
    fn committed(&mut self, id: &str) -> Result<Contact, CoreError> {
        match self.load(id)? {
            Some((c, _)) if c.department == self.department => Ok(c),
            _ => Err(not_found(id)),
        }
    }

    pub(super) fn load(&mut self, id: &str) -> Result<Option<(Contact, i64)>, CoreError> {
        if let Some(hit) = self.cache.get(id) {
            return Ok(Some(hit.clone()));
        }
        self.cx.rt.block_on(self.cx.store.load_contact(id)).map_err(internal)
    }

    /// Loads the batch's uncached contacts with one query instead of one each.
    fn prefetch(&mut self, runs: &[Run]) -> Result<(), CoreError> {
        let mut wanted: Vec<&str> = runs
            .iter()
            .filter(|(job, _)| !matches!(job, Job::Open { generated: true, .. }))
            .map(|(job, _)| job.contact())
            .filter(|id| !self.cache.contains_key(*id))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(());
        }
        let loaded = self.cx.rt.block_on(self.cx.store.load_contacts(&wanted)).map_err(internal)?;
        for (contact, version) in loaded {
            self.cache.insert(contact.id.clone(), (contact, version));
        }
        Ok(())
    }

    /// Runs more jobs into the batch being built, on the contacts as the
    /// batches before it leave them.
    fn add(&mut self, next: &mut Open, runs: Vec<Run>) {
        if runs.is_empty() {
            return;
        }
        next.started.get_or_insert_with(Instant::now);
        match self.prefetch(&runs) {
            Ok(()) => {
                for (job, _) in &runs {
                    let result = self.job(job, &mut next.work);
                    next.results.push(result);
                }
            }
            Err(e) => next.results.extend(runs.iter().map(|_| Err(e.clone()))),
        }
        next.runs.extend(runs);
    }

    /// Closes a batch: its rows, and its contacts cached as if committed.
    fn seal(&mut self, next: Open) -> Prepared {
        let Open { runs, results, mut work, started } = next;
        let (batch, fresh) = work.finish();
        for (id, contact, version) in fresh {
            self.cache.insert(id, (contact, version));
        }
        let started = started.unwrap_or_else(Instant::now);
        Prepared { runs, results, batch, published: work.published, lags: work.lags, touched: work.order, started }
    }

    fn prepare(&mut self, runs: Vec<Run>) -> Prepared {
        let mut next = Open::default();
        self.add(&mut next, runs);
        self.seal(next)
    }

    /// Hands a batch to the committer; a batch that writes nothing is answered at once.
    fn launch(&mut self, prepared: Prepared) -> Option<InFlight> {
        let Prepared { runs, results, batch, published, lags, touched, started } = prepared;
        if batch.is_empty() {
            self.reply(runs, results, Vec::new());
            return None;
        }
        let outcomes = batch.log.iter().filter(|r| r.entry == crate::server::store::Entry::Outcome).count();
        let commit = self.cx.committer.submit(batch);
        Some(InFlight { runs, results, published, lags, touched, outcomes, started, commit, done: None })
    }

    /// Waits for a batch's commit and answers its requests. Returns whether
    /// it committed as prepared; if not, its requests were run again here
    /// (and answered), on fresh copies.
    fn settle(&mut self, flight: InFlight) -> bool {
        match self.wait(flight) {
            Settled::Committed => true,
            Settled::Conflict(runs) => {
                self.until_settled(runs, 2);
                false
            }
            Settled::Failed(runs, error) => {
                self.isolate(runs, error);
                false
            }
        }
    }

    /// Runs `runs` as one batch and waits for its commit, again on fresh
    /// copies while another node keeps getting to its contacts first.
    fn until_settled(&mut self, mut runs: Vec<Run>, first_attempt: usize) {
        for _attempt in first_attempt..=ATTEMPTS {
            let prepared = self.prepare(runs);
            let Some(flight) = self.launch(prepared) else { return };
            match self.wait(flight) {
                Settled::Committed => return,
                Settled::Conflict(again) => runs = again,
                Settled::Failed(failed, error) => return self.isolate(failed, error),
            }
        }
        let error = CoreError::Conflict("the contact kept changing on another node; send the event again".into());
        let results = runs.iter().map(|_| Err(error.clone())).collect();
        self.reply(runs, results, Vec::new());
    }

    /// The database refused a batch: runs its requests one at a time, so
    /// that only the one at fault is refused.
    fn isolate(&mut self, runs: Vec<Run>, error: CommitError) {
        if runs.len() == 1 {
            let error = match error {
                CommitError::Refused(why) => {
                    tracing::warn!(department = %self.department, contact = %runs[0].0.contact(), %why, "the database refused a request");
                    CoreError::Refused(
                        "the database refused to store this request (a value it cannot hold, or a constraint); check the text for control characters".into(),
                    )
                }
                CommitError::Failed(e) => {
                    tracing::error!(department = %self.department, error = %format!("{e:#}"), "commit failed; the request is refused");
                    CoreError::Internal(format!("the database failed: {e:#}"))
                }
            };
            self.reply(runs, vec![Err(error)], Vec::new());
            return;
        }
        for run in runs {
            self.until_settled(vec![run], 1);
        }
    }

    fn wait(&mut self, flight: InFlight) -> Settled {
        let InFlight { runs, results, published, lags, touched, outcomes, started, commit, done } = flight;
        let committed = done.unwrap_or_else(|| commit.blocking_recv().unwrap_or_else(|_| Err(committer_gone())));
        match committed {
            Ok(Committed::Ok { .. }) => {
                let m = &self.cx.metrics;
                m.batch_size.observe(runs.len() as f64);
                m.commit_seconds.observe(started.elapsed().as_secs_f64());
                m.outcomes.inc_by(outcomes as u64);
                for lag in lags {
                    m.deadline_lag.observe(lag);
                }
                self.reply(runs, results, published);
                Settled::Committed
            }
            Ok(Committed::Conflict(ids)) => {
                tracing::debug!(contacts = ?ids, "another node changed these contacts first; running the batch again");
                self.cx.metrics.conflicts.inc();
                self.forget(&touched);
                Settled::Conflict(runs)
            }
            Err(e) => {
                self.forget(&touched);
                Settled::Failed(runs, e)
            }
        }
    }

    /// Keeps the cache under [`MAX_CACHED`] by dropping a quarter of it
    /// (an arbitrary quarter: the map's order), rather than all of it, but
    /// never the uncommitted copies of the batch in flight: the next batch
    /// must build on those, not on the older rows in the database.
    fn trim_cache(&mut self, inflight: Option<&InFlight>) {
        if self.cache.len() <= MAX_CACHED {
            return;
        }
        let keep: std::collections::HashSet<&str> =
            inflight.iter().flat_map(|f| f.touched.iter().map(String::as_str)).collect();
        let mut n = 0;
        self.cache.retain(|id, _| {
            n += 1;
            n % 4 != 0 || keep.contains(id.as_str())
        });
    }

    fn reply(&self, runs: Vec<Run>, results: Vec<Result<OutcomeJson, CoreError>>, published: Vec<Published>) {
        for ((job, reply), result) in runs.into_iter().zip(results) {
            let label = match &job {
                Job::Fire(_) => "timer",
                _ if result.is_ok() => "accepted",
                _ => "rejected",
            };
            self.cx.metrics.events.get_or_create(&crate::server::metrics::ResultLabel { result: label.into() }).inc();
            if let Some(reply) = reply {
                let _ = reply.send(result);
            }
        }
        for p in published {
            let _ = self.cx.stream.send(p);
        }
    }
}

fn committer_gone() -> CommitError {
    CommitError::Failed(anyhow::anyhow!("the committer thread stopped"))
}
