//! The core: the one place a node changes contacts. It owns the [`Engine`]
//! (the same one `simulate` drives) and runs on its own thread, taking
//! requests in batches: every request that queued while the previous batch
//! committed goes into the next transaction (group commit), so under load
//! there is one fsync per batch, not per event.
//!
//! A request is answered only after its batch committed. If another node
//! changed one of the batch's contacts first, the batch is thrown away and
//! run again on fresh copies: the version check in [`Store::commit`] makes
//! every contact change, and every timer firing, happen once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use jiff::Timestamp;
use serde_json::Value;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::metrics::Metrics;
use super::store::{Batch, CallbackRow, Committed, LogRow, Store, TimerRow};
use crate::contact::{CallbackStatus, Contact};
use crate::engine::{Department, Engine, Timer};
use crate::event::{Event, Opened};
use crate::outcome::{Body, Outcome};
use crate::plugin::wit;

/// Why a request was not carried out.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Rejected(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Internal(String),
}

pub type Reply<T> = oneshot::Sender<Result<T, CoreError>>;

/// Outcomes of one request, each already serialized as the spec's JSON.
pub type OutcomeJson = Vec<Arc<str>>;

/// The departments whose contacts a request may touch; `None`: all.
pub type Scope = Option<Vec<String>>;

fn in_scope(scope: &Scope, department: &str) -> bool {
    scope.as_ref().is_none_or(|s| s.iter().any(|d| d == department))
}

/// The same answer whether a contact does not exist or is another department's.
fn not_found(id: &str) -> CoreError {
    CoreError::NotFound(format!("no contact `{id}` in your departments"))
}

/// Something that changes a contact.
#[derive(Debug)]
pub enum Job {
    /// Opens a contact; `generated` ids are known to be new.
    Open {
        id: String,
        opened: Opened,
        raw: Value,
        generated: bool,
    },
    Event {
        contact: String,
        event: Event,
        raw: Value,
        scope: Scope,
    },
    /// A timer a scheduler claimed.
    Fire(TimerRow),
    /// Moves an open contact to its department's current binding.
    Migrate {
        contact: String,
        by: String,
    },
}

/// What the core is asked to do.
pub enum Command {
    Run {
        job: Job,
        reply: Option<Reply<OutcomeJson>>,
    },
    Check {
        contact: String,
        scope: Scope,
        text: String,
        reply: Reply<Vec<wit::Violation>>,
    },
    Script {
        contact: String,
        scope: Scope,
        scene: String,
        reply: Reply<Option<String>>,
    },
    /// A new binding for a department (already stored).
    Rebind {
        department: Department,
        reply: Reply<()>,
    },
    /// An older binding open contacts still use.
    Retain(Department),
    /// Contacts another node changed: forget the cached copies.
    Evict(Vec<String>),
}

/// An outcome for the live stream.
#[derive(Debug, Clone)]
pub struct Published {
    pub department: String,
    pub contact: String,
    pub json: Arc<str>,
}

/// The most requests one transaction takes.
const MAX_BATCH: usize = 512;
/// Cached contacts beyond this are dropped (they are reloaded on use).
const MAX_CACHED: usize = 200_000;
/// A timer that fires later than this after its due time is marked late.
const LATE_MS: i64 = 1_000;

pub struct Core {
    engine: Engine,
    store: Store,
    rt: tokio::runtime::Handle,
    node: String,
    cache: HashMap<String, (Contact, i64)>,
    stream: broadcast::Sender<Published>,
    metrics: Arc<Metrics>,
    /// Batches to commit, to the committer thread.
    committer: std::sync::mpsc::Sender<(Batch, oneshot::Sender<anyhow::Result<Committed>>)>,
}

/// One batch in progress.
#[derive(Default)]
struct Work {
    /// Contacts the batch touched: the copy being changed, the committed
    /// copy it started from, and the version that was read.
    touched: HashMap<String, Touched>,
    order: Vec<String>,
    log: Vec<LogRow>,
    fired: Vec<TimerRow>,
    published: Vec<Published>,
    /// Seconds between due and fired, per timer fired (observed once committed).
    lags: Vec<f64>,
}

/// A batch whose jobs ran, ready to commit.
struct Prepared {
    runs: Vec<(Job, Option<Reply<OutcomeJson>>)>,
    results: Vec<Result<OutcomeJson, CoreError>>,
    batch: Batch,
    published: Vec<Published>,
    lags: Vec<f64>,
    /// Every contact the batch read or changed.
    touched: Vec<String>,
    started: Instant,
}

/// A batch whose transaction is running.
struct InFlight {
    runs: Vec<(Job, Option<Reply<OutcomeJson>>)>,
    results: Vec<Result<OutcomeJson, CoreError>>,
    published: Vec<Published>,
    lags: Vec<f64>,
    touched: Vec<String>,
    outcomes: usize,
    started: Instant,
    commit: oneshot::Receiver<anyhow::Result<Committed>>,
    /// The commit's answer, once received.
    done: Option<anyhow::Result<Committed>>,
}

/// The batch being built while the previous one commits.
#[derive(Default)]
struct Open {
    runs: Vec<(Job, Option<Reply<OutcomeJson>>)>,
    results: Vec<Result<OutcomeJson, CoreError>>,
    work: Work,
    started: Option<Instant>,
}

/// What woke the core while a batch was committing.
enum Step {
    Committed(Result<anyhow::Result<Committed>, oneshot::error::RecvError>),
    Command(Option<Command>),
}

enum Settled {
    Committed,
    /// Another node changed one of the contacts first: run these again.
    Conflict(Vec<(Job, Option<Reply<OutcomeJson>>)>),
    /// The database refused the write; the requests were answered so.
    Failed,
}

struct Touched {
    now: Contact,
    before: Option<Contact>,
    version: i64,
}

impl Core {
    pub fn new(
        engine: Engine,
        store: Store,
        rt: tokio::runtime::Handle,
        node: String,
        stream: broadcast::Sender<Published>,
        metrics: Arc<Metrics>,
    ) -> Core {
        let (committer, batches) = std::sync::mpsc::channel::<(Batch, oneshot::Sender<_>)>();
        // Its own thread drives the transactions, so their statements do not
        // queue behind HTTP requests on the runtime's workers.
        let (db, rt2, name, m) = (store.clone(), rt.clone(), node.clone(), metrics.clone());
        std::thread::Builder::new()
            .name("sopline-commit".into())
            .spawn(move || {
                for (batch, done) in batches {
                    let started = Instant::now();
                    let committed = rt2.block_on(db.commit(&batch, &name, true));
                    m.transaction_seconds.observe(started.elapsed().as_secs_f64());
                    let _ = done.send(committed);
                }
            })
            .expect("spawning the committer thread");
        Core { engine, store, rt, node, cache: HashMap::new(), stream, metrics, committer }
    }

    /// Serves commands until every sender is gone, then returns (after the
    /// last batch committed): that is the graceful end of a node.
    ///
    /// Batches are pipelined: while one batch's transaction is in flight, the
    /// next batch keeps taking requests and running them on the contacts as
    /// that transaction leaves them, until it commits (so the database sees
    /// few, large transactions). Nobody is answered before their own batch
    /// commits; if a batch does not commit as prepared, the next one runs
    /// again from the start.
    pub fn run(mut self, mut rx: mpsc::Receiver<Command>) {
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
            self.metrics.queue_depth.set(rx.len() as i64);
            if next.runs.is_empty() {
                self.trim_cache(inflight.as_ref());
            }
            self.add(&mut next, runs);
            if let Some(mut flight) = inflight.take() {
                if next.runs.len() < MAX_BATCH && !senders_gone {
                    let step = self.rt.block_on(async {
                        tokio::select! {
                            biased;
                            done = &mut flight.commit => Step::Committed(done),
                            command = rx.recv() => Step::Command(command),
                        }
                    });
                    match step {
                        Step::Committed(done) => {
                            flight.done =
                                Some(done.unwrap_or_else(|_| Err(anyhow::anyhow!("the committer thread stopped"))));
                        }
                        Step::Command(command) => {
                            match command {
                                Some(command) => {
                                    let mut runs = Vec::new();
                                    self.take(command, &mut runs);
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
        tracing::info!(node = %self.node, "core stopped: every accepted request committed");
    }

    fn take(&mut self, command: Command, runs: &mut Vec<(Job, Option<Reply<OutcomeJson>>)>) {
        match command {
            Command::Run { job, reply } => runs.push((job, reply)),
            other => self.control(other),
        }
    }

    fn control(&mut self, command: Command) {
        match command {
            Command::Run { .. } => unreachable!("batched"),
            Command::Check { contact, scope, text, reply } => {
                let result = self
                    .committed(&contact, &scope)
                    .and_then(|c| self.engine.check_utterance(&c, &text).map_err(CoreError::Internal));
                let _ = reply.send(result);
            }
            Command::Script { contact, scope, scene, reply } => {
                let result = self
                    .committed(&contact, &scope)
                    .and_then(|c| self.engine.script(&c, &scene).map_err(CoreError::Internal));
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

    fn forget(&mut self, ids: &[String]) {
        for id in ids {
            self.cache.remove(id);
        }
    }

    /// A contact as this node last wrote it (cached or loaded), if the
    /// request may see it.
    fn committed(&mut self, id: &str, scope: &Scope) -> Result<Contact, CoreError> {
        match self.load(id)? {
            Some((c, _)) if in_scope(scope, &c.department) => Ok(c),
            _ => Err(not_found(id)),
        }
    }

    fn load(&mut self, id: &str) -> Result<Option<(Contact, i64)>, CoreError> {
        if let Some(hit) = self.cache.get(id) {
            return Ok(Some(hit.clone()));
        }
        let loaded =
            self.rt.block_on(self.store.load_contact(id)).map_err(|e| CoreError::Internal(format!("{e:#}")))?;
        Ok(loaded)
    }

    /// Loads the batch's uncached contacts with one query instead of one each.
    fn prefetch(&mut self, runs: &[(Job, Option<Reply<OutcomeJson>>)]) -> Result<(), CoreError> {
        let mut wanted: Vec<&str> = runs
            .iter()
            .filter_map(|(job, _)| match job {
                Job::Open { id, generated: false, .. } => Some(id.as_str()),
                Job::Open { .. } => None,
                Job::Event { contact, .. } | Job::Migrate { contact, .. } => Some(contact.as_str()),
                Job::Fire(timer) => Some(timer.contact_id.as_str()),
            })
            .filter(|id| !self.cache.contains_key(*id))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(());
        }
        let loaded =
            self.rt.block_on(self.store.load_contacts(&wanted)).map_err(|e| CoreError::Internal(format!("{e:#}")))?;
        for (contact, version) in loaded {
            self.cache.insert(contact.id.clone(), (contact, version));
        }
        Ok(())
    }

    /// Runs more jobs into the batch being built, on the contacts as the
    /// batches before it leave them.
    fn add(&mut self, next: &mut Open, runs: Vec<(Job, Option<Reply<OutcomeJson>>)>) {
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
        let (batch, fresh) = self.finish(&mut work);
        for (id, (contact, version)) in fresh {
            self.cache.insert(id, (contact, version));
        }
        let started = started.unwrap_or_else(Instant::now);
        Prepared { runs, results, batch, published: work.published, lags: work.lags, touched: work.order, started }
    }

    fn prepare(&mut self, runs: Vec<(Job, Option<Reply<OutcomeJson>>)>) -> Prepared {
        let mut next = Open::default();
        self.add(&mut next, runs);
        self.seal(next)
    }

    /// Starts committing a batch; a batch that writes nothing is answered at once.
    fn launch(&mut self, prepared: Prepared) -> Option<InFlight> {
        let Prepared { runs, results, batch, published, lags, touched, started } = prepared;
        if batch.log.is_empty() && batch.contacts.is_empty() && batch.timers_fired.is_empty() {
            self.reply(runs, results, Vec::new());
            return None;
        }
        let outcomes = batch.log.iter().filter(|r| r.entry == "outcome").count();
        let (tx, commit) = oneshot::channel();
        if self.committer.send((batch, tx)).is_err() {
            let error = CoreError::Internal("the committer thread stopped".into());
            let results = runs.iter().map(|_| Err(error.clone())).collect();
            self.reply(runs, results, Vec::new());
            return None;
        }
        Some(InFlight { runs, results, published, lags, touched, outcomes, started, commit, done: None })
    }

    /// Waits for a batch's transaction and answers its requests. Returns
    /// whether it committed as prepared; if another node got to one of its
    /// contacts first, the batch runs again here, on fresh copies.
    fn settle(&mut self, flight: InFlight) -> bool {
        let mut runs = match self.wait(flight) {
            Settled::Committed => return true,
            Settled::Failed => return false,
            Settled::Conflict(runs) => runs,
        };
        for _attempt in 2..=5 {
            let prepared = self.prepare(runs);
            let Some(flight) = self.launch(prepared) else { return false };
            let Settled::Conflict(again) = self.wait(flight) else { return false };
            runs = again;
        }
        let error = CoreError::Conflict("the contact kept changing on another node; send the event again".into());
        let results = runs.iter().map(|_| Err(error.clone())).collect();
        self.reply(runs, results, Vec::new());
        false
    }

    fn wait(&mut self, flight: InFlight) -> Settled {
        let InFlight { runs, results, published, lags, touched, outcomes, started, commit, done } = flight;
        let committed = done.unwrap_or_else(|| {
            commit.blocking_recv().unwrap_or_else(|_| Err(anyhow::anyhow!("the committer thread stopped")))
        });
        match committed {
            Ok(Committed::Ok { .. }) => {
                self.metrics.batch_size.observe(runs.len() as f64);
                self.metrics.commit_seconds.observe(started.elapsed().as_secs_f64());
                self.metrics.outcomes.inc_by(outcomes as u64);
                for lag in lags {
                    self.metrics.deadline_lag.observe(lag);
                }
                self.reply(runs, results, published);
                Settled::Committed
            }
            Ok(Committed::Conflict(ids)) => {
                tracing::debug!(contacts = ?ids, "another node changed these contacts first; running the batch again");
                self.metrics.conflicts.inc();
                self.forget(&touched);
                Settled::Conflict(runs)
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "commit failed; the batch's requests are refused");
                self.forget(&touched);
                let error = CoreError::Internal(format!("the database refused the write: {e:#}"));
                let results = runs.iter().map(|_| Err(error.clone())).collect();
                self.reply(runs, results, Vec::new());
                Settled::Failed
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

    fn reply(
        &self,
        runs: Vec<(Job, Option<Reply<OutcomeJson>>)>,
        results: Vec<Result<OutcomeJson, CoreError>>,
        published: Vec<Published>,
    ) {
        for ((job, reply), result) in runs.into_iter().zip(results) {
            let label = match &job {
                Job::Fire(_) => "timer",
                _ if result.is_ok() => "accepted",
                _ => "rejected",
            };
            self.metrics.events.get_or_create(&super::metrics::ResultLabel { result: label.into() }).inc();
            if let Some(reply) = reply {
                let _ = reply.send(result);
            }
        }
        for p in published {
            let _ = self.stream.send(p);
        }
    }

    /// Runs one job on the batch's copies of its contact.
    fn job(&mut self, job: &Job, work: &mut Work) -> Result<OutcomeJson, CoreError> {
        let now = Timestamp::now();
        match job {
            Job::Open { id, opened, raw, generated } => {
                // `prefetch` cached it if it exists.
                if work.touched.contains_key(id) || (!generated && self.cache.contains_key(id)) {
                    return Err(CoreError::Conflict(format!("contact `{id}` exists already")));
                }
                let started = Instant::now();
                let (contact, outcomes) = self.engine.open(id, opened, now).map_err(CoreError::Rejected)?;
                self.metrics.plugin_seconds.observe(started.elapsed().as_secs_f64());
                work.order.push(id.clone());
                work.touched.insert(id.clone(), Touched { now: contact, before: None, version: 0 });
                work.log.push(event_row(id, now, "opened", raw));
                Ok(self.outcomes(work, &opened.department, outcomes, None))
            }
            Job::Event { contact: id, event, raw, scope } => {
                self.touch(work, id)?;
                if !in_scope(scope, &work.touched[id].now.department) {
                    return Err(not_found(id));
                }
                let mut out = self.catch_up(work, id, now);
                let touched = work.touched.get_mut(id).expect("touched above");
                let started = Instant::now();
                let outcomes = self.engine.handle(&mut touched.now, event, now).map_err(CoreError::Rejected)?;
                self.metrics.plugin_seconds.observe(started.elapsed().as_secs_f64());
                let department = touched.now.department.clone();
                work.log.push(event_row(id, now, event.kind(), raw));
                out.extend(self.outcomes(work, &department, outcomes, None));
                Ok(out)
            }
            Job::Fire(timer) => {
                work.fired.push(timer.clone());
                if self.touch(work, &timer.contact_id).is_err() {
                    return Ok(Vec::new());
                }
                let which = if timer.kind == "deadline" {
                    Timer::Deadline(timer.name.clone())
                } else {
                    Timer::Callback(timer.name.clone())
                };
                // The row keeps whole milliseconds; the contact keeps the exact
                // instant, which the engine needs to recognise the timer.
                let exact = Engine::timers(&work.touched[&timer.contact_id].now)
                    .find(|(at, t)| *t == which && at.as_millisecond() == timer.due)
                    .map(|(at, _)| at);
                let Some(due) = exact else { return Ok(Vec::new()) };
                Ok(self.fire(work, &timer.contact_id, &which, due, now))
            }
            Job::Migrate { contact: id, by } => {
                self.touch(work, id)?;
                let touched = work.touched.get_mut(id).expect("touched above");
                let from = touched.now.plugin.clone();
                self.engine.migrate(&mut touched.now).map_err(CoreError::Rejected)?;
                let to = touched.now.plugin.clone();
                let body = serde_json::json!({
                    "type": "migrated", "contact": id, "at": now.to_string(), "by": by,
                    "from": from, "to": to,
                });
                work.log.push(event_row(id, now, "migrated", &body));
                Ok(Vec::new())
            }
        }
    }

    /// Fires the contact's timers that fell due before `now` (the scheduler
    /// may be a moment behind), so an event never overtakes a deadline.
    fn catch_up(&mut self, work: &mut Work, id: &str, now: Timestamp) -> OutcomeJson {
        let contact = &work.touched[id].now;
        let mut due: Vec<(Timestamp, Timer)> = Engine::timers(contact).filter(|(at, _)| *at <= now).collect();
        due.sort();
        let mut out = Vec::new();
        for (at, timer) in due {
            out.extend(self.fire(work, id, &timer, at, now));
        }
        out
    }

    fn fire(&mut self, work: &mut Work, id: &str, timer: &Timer, due: Timestamp, now: Timestamp) -> OutcomeJson {
        let touched = work.touched.get_mut(id).expect("touched before firing");
        let outcomes = self.engine.fire(&mut touched.now, timer, due);
        if outcomes.is_empty() {
            return Vec::new();
        }
        let lag = now.as_millisecond() - due.as_millisecond();
        work.lags.push(lag.max(0) as f64 / 1000.0);
        let department = touched.now.department.clone();
        let (kind, name) = match timer {
            Timer::Deadline(n) => ("deadline", n),
            Timer::Callback(n) => ("callback", n),
        };
        let late = lag > LATE_MS;
        let body = serde_json::json!({
            "type": "timer", "contact": id, "timer": kind, "name": name,
            "due": due.to_string(), "fired_at": now.to_string(), "late": late,
        });
        work.log.push(LogRow {
            contact_id: id.to_string(),
            at: now.as_millisecond(),
            entry: "timer",
            kind: kind.to_string(),
            agent: None,
            points: None,
            body: body.to_string(),
        });
        self.outcomes(work, &department, outcomes, late.then_some(now))
    }

    /// Copies a contact into the batch (once) from the cache or the database.
    fn touch(&mut self, work: &mut Work, id: &str) -> Result<(), CoreError> {
        if work.touched.contains_key(id) {
            return Ok(());
        }
        let (contact, version) = self.load(id)?.ok_or_else(|| not_found(id))?;
        work.order.push(id.to_string());
        work.touched.insert(id.to_string(), Touched { before: Some(contact.clone()), now: contact, version });
        Ok(())
    }

    /// Logs and publishes outcomes; returns them as JSON for the reply.
    fn outcomes(
        &self,
        work: &mut Work,
        department: &str,
        outcomes: Vec<Outcome>,
        late: Option<Timestamp>,
    ) -> OutcomeJson {
        let mut out = Vec::with_capacity(outcomes.len());
        for outcome in outcomes {
            let (agent, points) = match &outcome.body {
                Body::Penalty { agent, points, .. } => (Some(agent.clone()), Some(-i64::from(*points))),
                Body::Reward { agent, points, .. } => (Some(agent.clone()), Some(i64::from(*points))),
                Body::Violation { agent, .. } => (Some(agent.clone()), None),
                _ => (None, None),
            };
            let json: Arc<str> = match late {
                None => serde_json::to_string(&outcome).expect("outcomes serialize").into(),
                Some(fired) => {
                    let mut value = serde_json::to_value(&outcome).expect("outcomes serialize");
                    value["late"] = true.into();
                    value["fired_at"] = fired.to_string().into();
                    value.to_string().into()
                }
            };
            work.log.push(LogRow {
                contact_id: outcome.contact.clone(),
                at: outcome.at.timestamp().as_millisecond(),
                entry: "outcome",
                kind: outcome.body.kind().to_string(),
                agent,
                points,
                body: json.to_string(),
            });
            work.published.push(Published {
                department: department.to_string(),
                contact: outcome.contact,
                json: json.clone(),
            });
            out.push(json);
        }
        out
    }

    /// Turns the batch's changed contacts into rows: the contacts, their
    /// timers (set, moved or settled) and callbacks.
    fn finish(&self, work: &mut Work) -> (Batch, Vec<(String, (Contact, i64))>) {
        let mut batch = Batch {
            log: std::mem::take(&mut work.log),
            timers_fired: std::mem::take(&mut work.fired),
            ..Batch::default()
        };
        let mut fresh = Vec::new();
        for id in &work.order {
            let t = &work.touched[id];
            if t.before.as_ref() == Some(&t.now) {
                continue;
            }
            let key = |timer: &Timer| match timer {
                Timer::Deadline(n) => ("deadline".to_string(), n.clone()),
                Timer::Callback(n) => ("callback".to_string(), n.clone()),
            };
            let before: HashMap<(String, String), Timestamp> =
                t.before.iter().flat_map(|c| Engine::timers(c).map(|(due, timer)| (key(&timer), due))).collect();
            let after: HashMap<(String, String), Timestamp> =
                Engine::timers(&t.now).map(|(due, timer)| (key(&timer), due)).collect();
            for (k, due) in &after {
                if before.get(k) != Some(due) {
                    batch.timers_set.push(TimerRow {
                        contact_id: id.clone(),
                        kind: k.0.clone(),
                        name: k.1.clone(),
                        due: due.as_millisecond(),
                        department: t.now.department.clone(),
                    });
                }
            }
            for k in before.keys().filter(|k| !after.contains_key(*k)) {
                batch.timers_done.push((id.clone(), k.0.clone(), k.1.clone()));
            }
            for cb in &t.now.callbacks {
                let old = t.before.as_ref().and_then(|c| c.callbacks.iter().find(|o| o.id == cb.id));
                if old == Some(cb) {
                    continue;
                }
                let status = match (cb.status, cb.due_fired) {
                    (CallbackStatus::Done, _) => "done",
                    (CallbackStatus::Pending, true) => "overdue",
                    (CallbackStatus::Pending, false) => "pending",
                };
                batch.callbacks.push(CallbackRow {
                    contact_id: id.clone(),
                    id: cb.id.clone(),
                    department: t.now.department.clone(),
                    agent: t.now.agent.clone(),
                    due: cb.due.as_millisecond(),
                    purpose: cb.purpose.clone(),
                    status: status.into(),
                    attempts: i64::from(cb.attempts),
                });
            }
            batch.contacts.push((t.now.clone(), t.version));
            fresh.push((id.clone(), (t.now.clone(), t.version + 1)));
        }
        (batch, fresh)
    }
}

fn event_row(contact: &str, at: Timestamp, kind: &str, raw: &Value) -> LogRow {
    let mut body = raw.clone();
    if let Value::Object(map) = &mut body {
        map.insert("contact".into(), contact.into());
        map.insert("at".into(), at.to_string().into());
        map.entry("type").or_insert_with(|| kind.into());
    }
    let agent = raw.get("agent").and_then(Value::as_str).map(str::to_string);
    LogRow {
        contact_id: contact.to_string(),
        at: at.as_millisecond(),
        entry: "event",
        kind: kind.to_string(),
        agent,
        points: None,
        body: body.to_string(),
    }
}
