//! The core: the one place a node changes contacts.
//!
//! ```text
//!   HTTP handlers, scheduler ──► Core::run ──► lane of the contact's department ──┐
//!   (route by department)                     (its Engine, its cached contacts)   │ batches
//!                                                                                 ▼
//!                                              committer: one transaction for every lane's batch
//! ```
//!
//! - Each department has a [`lane`]: a thread that owns the department's
//!   [`Engine`] (the same one `simulate` drives) and its contacts, and runs
//!   their events in batches. Lanes run side by side, so a department whose
//!   plugin is slow holds up only its own contacts, and the machine's cores
//!   share the plugin calls.
//! - One [`committer`] thread writes what the lanes prepared: every batch
//!   that waits when a transaction ends goes into the next one (group
//!   commit across lanes), so under load there is one fsync per round, not
//!   per event or per department.
//! - [`run`] is one job on a batch's copies of its contact; [`rows`] turns
//!   what changed into the rows the store writes.
//!
//! A request is answered only after its batch committed. If another node
//! changed one of the batch's contacts first, the batch runs again on fresh
//! copies: the version check in [`Store::commit`] makes every contact
//! change, and every timer firing, happen once. If the database refuses a
//! batch (a value or constraint it will not take), its requests run again
//! one at a time, so only the request at fault is refused.

mod committer;
mod lane;
mod rows;
mod run;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::metrics::Metrics;
use super::store::{Store, TimerRow};
use crate::calendar::Calendar;
use crate::engine::Department;
use crate::event::{Event, Opened};
use crate::plugin::wit;

/// Why a request was not carried out.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    /// No such contact in the caller's departments (the same answer whether
    /// it does not exist or is another department's).
    #[error("{0}")]
    NotFound(String),
    /// The lifecycle or the department refused it; nothing changed.
    #[error("{0}")]
    Rejected(String),
    /// It collided with another change (an id in use, a contact that kept
    /// changing on another node).
    #[error("{0}")]
    Conflict(String),
    /// The database refused a value of this request, or a constraint.
    #[error("{0}")]
    Refused(String),
    /// The server failed; the details are in its log.
    #[error("{0}")]
    Internal(String),
}

/// The answer to a request, sent when its batch committed.
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

fn internal(e: impl std::fmt::Display) -> CoreError {
    CoreError::Internal(e.to_string())
}

/// Something that changes a contact. `actor` is the authenticated caller:
/// every log row the job writes records it.
#[derive(Debug)]
pub enum Job {
    /// Opens a contact; `generated` ids are known to be new.
    Open {
        id: String,
        opened: Opened,
        raw: Value,
        generated: bool,
        actor: String,
    },
    Event {
        contact: String,
        event: Event,
        raw: Value,
        actor: String,
    },
    /// A timer a scheduler claimed.
    Fire(TimerRow),
    /// Moves an open contact to its department's current binding.
    Migrate {
        contact: String,
        actor: String,
    },
}

impl Job {
    /// The contact the job changes.
    fn contact(&self) -> &str {
        match self {
            Job::Open { id, .. } => id,
            Job::Event { contact, .. } | Job::Migrate { contact, .. } => contact,
            Job::Fire(timer) => &timer.contact_id,
        }
    }
}

/// What a lane is asked to do.
enum Command {
    Run {
        job: Job,
        reply: Option<Reply<OutcomeJson>>,
    },
    Check {
        contact: String,
        text: String,
        reply: Reply<Vec<wit::Violation>>,
    },
    Script {
        contact: String,
        scene: String,
        reply: Reply<Option<String>>,
    },
    /// A new binding for the department (already stored).
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

/// What the core runs with.
pub struct Setup {
    pub store: Store,
    /// The runtime the store's queries run on.
    pub rt: tokio::runtime::Handle,
    /// This node's name, in the log's `node` column.
    pub node: String,
    /// Where committed outcomes go for live streams.
    pub stream: broadcast::Sender<Published>,
    pub metrics: Arc<Metrics>,
    pub calendars: BTreeMap<String, Arc<Calendar>>,
}

/// What every lane shares.
#[derive(Clone)]
struct Context {
    store: Store,
    rt: tokio::runtime::Handle,
    stream: broadcast::Sender<Published>,
    metrics: Arc<Metrics>,
    calendars: BTreeMap<String, Arc<Calendar>>,
    committer: committer::Handle,
}

/// The core's handle: routes requests to lanes. Cheap to clone.
#[derive(Clone)]
pub struct Core {
    shared: Arc<Shared>,
}

struct Shared {
    cx: Context,
    lanes: RwLock<HashMap<String, mpsc::Sender<Command>>>,
    /// Each contact's department, remembered from opens and lookups (a
    /// contact never changes department), so most requests find their lane
    /// without a query.
    homes: Mutex<HashMap<String, Arc<str>>>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

/// Remembered homes beyond this are forgotten (and looked up again).
const MAX_HOMES: usize = 500_000;

/// The committer's thread, to wait for at shutdown ([`Core::close`]).
pub struct Threads {
    committer: std::thread::JoinHandle<()>,
}

impl Core {
    /// Starts a lane per department (`current`, with the older bindings in
    /// `retained` its open contacts still use) and the committer.
    pub fn start(current: Vec<Department>, retained: Vec<Department>, setup: Setup) -> anyhow::Result<(Core, Threads)> {
        let Setup { store, rt, node, stream, metrics, calendars } = setup;
        let (committer, committer_thread) = committer::start(store.clone(), rt.clone(), node, metrics.clone())?;
        let cx = Context { store, rt, stream, metrics, calendars, committer };
        let shared = Arc::new(Shared {
            cx,
            lanes: RwLock::new(HashMap::new()),
            homes: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
        });
        let core = Core { shared };
        for department in current {
            let older: Vec<Department> = retained.iter().filter(|d| d.id == department.id).cloned().collect();
            core.spawn_lane(department, older)?;
        }
        Ok((core, Threads { committer: committer_thread }))
    }

    fn spawn_lane(&self, department: Department, older: Vec<Department>) -> anyhow::Result<mpsc::Sender<Command>> {
        let id = department.id.clone();
        let (tx, rx) = mpsc::channel(8_192);
        let lane = lane::Lane::new(department, older, self.shared.cx.clone());
        let thread =
            std::thread::Builder::new().name(format!("sopline-lane-{}", short(&id))).spawn(move || lane.run(rx))?;
        self.shared.threads.lock().expect("lane threads").push(thread);
        self.shared.lanes.write().expect("lanes").insert(id, tx.clone());
        Ok(tx)
    }

    fn lane(&self, department: &str) -> Option<mpsc::Sender<Command>> {
        self.shared.lanes.read().expect("lanes").get(department).cloned()
    }

    /// The department of a contact the scope may see.
    async fn home(&self, contact: &str, scope: &Scope) -> Result<Arc<str>, CoreError> {
        let known = self.shared.homes.lock().expect("homes").get(contact).cloned();
        let department = match known {
            Some(d) => d,
            None => {
                let found = self.shared.cx.store.contact_department(contact).await.map_err(internal)?;
                let department: Arc<str> = found.ok_or_else(|| not_found(contact))?.into();
                self.remember(contact, department.clone());
                department
            }
        };
        if in_scope(scope, &department) { Ok(department) } else { Err(not_found(contact)) }
    }

    fn remember(&self, contact: &str, department: Arc<str>) {
        let mut homes = self.shared.homes.lock().expect("homes");
        if homes.len() >= MAX_HOMES {
            homes.clear();
        }
        homes.insert(contact.to_string(), department);
    }

    async fn send<T>(&self, department: &str, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, CoreError> {
        let lane = self.lane(department).ok_or_else(|| {
            let lanes = self.shared.lanes.read().expect("lanes");
            let mut known: Vec<&str> = lanes.keys().map(String::as_str).collect();
            known.sort_unstable();
            CoreError::Rejected(format!("unknown department `{department}` (known: {})", known.join(", ")))
        })?;
        let (tx, rx) = oneshot::channel();
        let closing = || CoreError::Internal("the server is shutting down; send the request again".into());
        lane.send(make(tx)).await.map_err(|_| closing())?;
        rx.await.map_err(|_| closing())?
    }

    /// Opens a contact in the department the `opened` event names.
    pub async fn open(&self, job: Job) -> Result<OutcomeJson, CoreError> {
        let Job::Open { opened, .. } = &job else { unreachable!("open takes Job::Open") };
        let department: Arc<str> = opened.department.as_str().into();
        let contact = job.contact().to_string();
        let outcomes = self.send(&department, |reply| Command::Run { job, reply: Some(reply) }).await?;
        self.remember(&contact, department);
        Ok(outcomes)
    }

    /// Runs an event, a migration (scoped to `scope`'s departments) and
    /// answers once committed.
    pub async fn run(&self, job: Job, scope: &Scope) -> Result<OutcomeJson, CoreError> {
        let department = self.home(job.contact(), scope).await?;
        self.send(&department, |reply| Command::Run { job, reply: Some(reply) }).await
    }

    /// Hands a claimed timer to its department's lane (no answer: the
    /// scheduler claims it again if it does not fire).
    pub async fn fire(&self, timer: TimerRow) {
        let Some(lane) = self.lane(&timer.department) else {
            tracing::warn!(department = %timer.department, contact = %timer.contact_id, "a timer of a department that is not bound here");
            return;
        };
        let _ = lane.send(Command::Run { job: Job::Fire(timer), reply: None }).await;
    }

    /// Violations in a text an agent is about to send (nothing is recorded).
    pub async fn check(&self, contact: String, scope: &Scope, text: String) -> Result<Vec<wit::Violation>, CoreError> {
        let department = self.home(&contact, scope).await?;
        self.send(&department, |reply| Command::Check { contact, text, reply }).await
    }

    /// The plugin's script for a scene, filled in for a contact.
    pub async fn script(&self, contact: String, scope: &Scope, scene: String) -> Result<Option<String>, CoreError> {
        let department = self.home(&contact, scope).await?;
        self.send(&department, |reply| Command::Script { contact, scene, reply }).await
    }

    /// Makes `department` its department's current binding (already stored).
    pub async fn rebind(&self, department: Department) -> Result<(), CoreError> {
        if self.lane(&department.id).is_none() {
            self.spawn_lane(department, Vec::new()).map_err(internal)?;
            return Ok(());
        }
        let id = department.id.clone();
        self.send(&id, |reply| Command::Rebind { department, reply }).await
    }

    /// Keeps an older binding loaded for the contacts pinned to it.
    pub async fn retain(&self, department: Department) {
        if let Some(lane) = self.lane(&department.id) {
            let _ = lane.send(Command::Retain(department)).await;
        }
    }

    /// Forgets cached copies of contacts another node changed.
    pub async fn evict(&self, changed: Vec<(String, String)>) {
        let mut by_department: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (department, contact) in changed {
            by_department.entry(department).or_default().push(contact);
        }
        for (department, contacts) in by_department {
            if let Some(lane) = self.lane(&department) {
                let _ = lane.send(Command::Evict(contacts)).await;
            }
        }
    }

    /// Stops taking requests: each lane answers what it accepted, commits,
    /// and ends; then the committer ends. Returns once all have.
    /// Blocks: call it off the async runtime's workers.
    pub fn close(self, threads: Threads) {
        let lanes: Vec<_> = std::mem::take(&mut *self.shared.threads.lock().expect("lane threads"));
        // Dropping the senders ends each lane once its queue is empty.
        self.shared.lanes.write().expect("lanes").clear();
        for lane in lanes {
            let _ = lane.join();
        }
        self.shared.cx.committer.stop();
        let _ = threads.committer.join();
    }
}

/// A department id short enough for a thread name (15 bytes on Linux).
fn short(id: &str) -> String {
    id.chars().take(6).collect()
}
