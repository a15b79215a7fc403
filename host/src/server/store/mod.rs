//! Durable storage: one embedded SQLite file by default (WAL, fsync at
//! every commit), or PostgreSQL for several nodes. Migrations, reads and
//! administration go through sqlx's `Any` pool with the same SQL on both.
//!
//! The core writes a whole batch of events in one transaction
//! ([`Store::commit`]): the log rows, the contacts (guarded by their
//! version, so two nodes never overwrite each other), timers and callbacks.
//! Nothing is acknowledged before that transaction commits. That hot path
//! has one module per database, each built for it: [`sqlite`] (one owned
//! connection, prepared single-row statements) and [`postgres`] (the whole
//! batch in one statement).

mod access;
mod audit;
mod bindings;
mod postgres;
mod read;
mod schema;
mod sqlite;
mod tokens;
mod users;

use anyhow::Context as _;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, QueryBuilder, Row};

pub use access::{AccessCounter, CHANNEL as ACCESS_CHANNEL};
pub use audit::AuditEntry;
pub use bindings::BindingRow;
pub(crate) use read::time_text;
pub use read::{CallbackView, ContactFilter, ContactSummary, PointsRow};
pub use tokens::{TOKEN_ID_LEN, TokenLookup, TokenRow};
pub use users::UserRow;

use crate::contact::Contact;

/// Why a commit wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The database refused a value or a constraint (its own or one an
    /// operator added): the data of the batch is at fault, not the server.
    #[error("the database refused a value of the batch: {0}")]
    Refused(String),
    /// Anything else: the disk, the connection, the server.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Which database the URL named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Where batches commit and timers are claimed.
    writer: Writer,
    backend: Backend,
    url: String,
}

/// The write path of each database (see the module docs).
#[derive(Clone)]
enum Writer {
    Sqlite(sqlite::Writer),
    Postgres(AnyPool),
}

/// What a row of the log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// An accepted event, as it was sent (plus `contact`, `at`, `actor`).
    Event,
    /// Something the engine decided.
    Outcome,
    /// A deadline or callback firing.
    Timer,
}

impl Entry {
    /// The spelling in the `entry` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Entry::Event => "event",
            Entry::Outcome => "outcome",
            Entry::Timer => "timer",
        }
    }
}

/// One row of the log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogRow {
    pub contact_id: String,
    pub at: i64,
    pub entry: Entry,
    pub kind: String,
    /// The agent an outcome concerns (penalties, rewards, violations) or an
    /// event names.
    pub agent: Option<String>,
    /// Signed points of a penalty (negative) or reward.
    pub points: Option<i64>,
    pub body: String,
    /// Who sent the request that wrote the row (the authenticated caller);
    /// `None` for what the server did on its own (timers firing).
    pub actor: Option<String>,
}

/// Which kind of timer a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    Deadline,
    Callback,
}

impl TimerKind {
    /// The spelling in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::Deadline => "deadline",
            TimerKind::Callback => "callback",
        }
    }

    /// Reads the `kind` column.
    pub fn parse(text: &str) -> anyhow::Result<TimerKind> {
        match text {
            "deadline" => Ok(TimerKind::Deadline),
            "callback" => Ok(TimerKind::Callback),
            other => anyhow::bail!("unknown timer kind `{other}` in the timers table"),
        }
    }
}

/// A timer row: a deadline or callback due at `due` (ms since the epoch).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TimerRow {
    pub contact_id: String,
    pub kind: TimerKind,
    pub name: String,
    pub due: i64,
    pub department: String,
}

/// A timer that is settled (met, cancelled, done): its row goes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TimerKey {
    pub contact_id: String,
    pub kind: TimerKind,
    pub name: String,
}

/// A callback as the lists show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallbackRow {
    pub contact_id: String,
    pub id: String,
    pub department: String,
    pub agent: Option<String>,
    pub due: i64,
    pub purpose: String,
    pub status: String,
    pub attempts: i64,
}

/// Everything one batch of events writes, in one transaction.
#[derive(Debug, Default)]
pub struct Batch {
    pub log: Vec<LogRow>,
    /// Each contact written, with the version it had when read (0 = new).
    pub contacts: Vec<(Contact, i64)>,
    pub timers_set: Vec<TimerRow>,
    /// Timers that are settled: no longer pending on their contact.
    pub timers_done: Vec<TimerKey>,
    /// Timers this batch fired, deleted only if still at the due time fired
    /// (an event may have moved them meanwhile).
    pub timers_fired: Vec<TimerRow>,
    pub callbacks: Vec<CallbackRow>,
}

impl Batch {
    /// Whether committing it would write nothing.
    pub fn is_empty(&self) -> bool {
        self.log.is_empty() && self.contacts.is_empty() && self.timers_fired.is_empty()
    }

    /// Whether it writes `contact`.
    pub fn writes(&self, contact: &str) -> bool {
        self.contacts.iter().any(|(c, _)| c.id == contact)
    }
}

/// What a commit did.
#[derive(Debug, Clone)]
pub enum Committed {
    /// Written; the log ids it used (PostgreSQL only; 0 on SQLite).
    Ok { first_log: i64, last_log: i64 },
    /// Another writer changed one or more of the batch's contacts (listed)
    /// first; nothing was written.
    Conflict(Vec<String>),
}

impl Store {
    /// Connects (creating a SQLite file if needed) and applies migrations.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported database URL `{url}`: use sqlite://FILE or postgres://USER@HOST/DB");
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let connections = if backend == Backend::Sqlite { 8 } else { 16 };
        let options = AnyPoolOptions::new().max_connections(connections).after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers work while a batch commits.
                    conn.execute("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-2048;")
                        .await?;
                }
                Ok(())
            })
        });
        let opening = || format!("cannot open the database {}", super::redact(&url));
        let pool = options.connect(&url).await.with_context(opening)?;
        migrate(&pool, backend).await?;
        let writer = match backend {
            Backend::Sqlite => {
                let options: sqlx::sqlite::SqliteConnectOptions = url.parse().with_context(opening)?;
                let file = options.get_filename();
                if file.to_string_lossy().starts_with("file:sqlx-in-memory") || url.contains("mode=memory") {
                    anyhow::bail!(
                        "`{url}` is an in-memory database, which the server's connections cannot share: use sqlite://FILE"
                    );
                }
                Writer::Sqlite(sqlite::Writer::open(file)?)
            }
            Backend::Postgres => Writer::Postgres(postgres::writer(&url).await.with_context(opening)?),
        };
        Ok(Store { pool, writer, backend, url })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A contact and its version, as last committed.
    pub async fn load_contact(&self, id: &str) -> anyhow::Result<Option<(Contact, i64)>> {
        let row = sqlx::query("SELECT snapshot, version FROM contacts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let snapshot: String = row.get(0);
            let contact = serde_json::from_str(&snapshot).with_context(|| format!("contact {id}: stored snapshot"))?;
            Ok((contact, row.get::<i64, _>(1)))
        })
        .transpose()
    }

    /// The department a contact belongs to (which never changes), if it exists.
    pub async fn contact_department(&self, id: &str) -> anyhow::Result<Option<String>> {
        let row =
            sqlx::query("SELECT department FROM contacts WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Many contacts with their versions, in one query per 500 ids; ids
    /// with no contact are left out.
    pub async fn load_contacts(&self, ids: &[&str]) -> anyhow::Result<Vec<(Contact, i64)>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut q = QueryBuilder::new("SELECT id, snapshot, version FROM contacts WHERE id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(id.to_string());
            }
            q.push(")");
            for row in Numbered::on(self.backend, &mut q).query().fetch_all(&self.pool).await? {
                let (id, snapshot): (String, String) = (row.get(0), row.get(1));
                let contact =
                    serde_json::from_str(&snapshot).with_context(|| format!("contact {id}: stored snapshot"))?;
                found.push((contact, row.get::<i64, _>(2)));
            }
        }
        Ok(found)
    }

    /// Writes batches in one transaction, or nothing if another writer
    /// changed one of their contacts since it was read. On SQLite the
    /// transaction runs on the calling thread (the core's committer thread).
    pub async fn commit(&self, batches: &[&Batch], node: &str, notify: bool) -> Result<Committed, CommitError> {
        match &self.writer {
            Writer::Sqlite(writer) => writer.commit(batches, node),
            Writer::Postgres(pool) => postgres::commit(pool, batches, node, notify).await,
        }
    }

    /// Claims up to `limit` timers due by `now` that no live node holds,
    /// for `lease_ms`. On PostgreSQL, nodes skip each other's locked rows.
    pub async fn claim_timers(&self, node: &str, now: i64, lease_ms: i64, limit: i64) -> anyhow::Result<Vec<TimerRow>> {
        let mut timers = match &self.writer {
            Writer::Sqlite(writer) => {
                let (writer, node) = (writer.clone(), node.to_string());
                tokio::task::spawn_blocking(move || writer.claim_timers(&node, now, lease_ms, limit)).await??
            }
            Writer::Postgres(pool) => postgres::claim_timers(pool, node, now, lease_ms, limit).await?,
        };
        timers.sort_by(|a, b| (a.due, &a.contact_id, &a.name).cmp(&(b.due, &b.contact_id, &b.name)));
        Ok(timers)
    }

    /// The earliest due time of an unclaimed timer, if any.
    pub async fn next_due(&self, now: i64) -> anyhow::Result<Option<i64>> {
        let row = sqlx::query("SELECT MIN(due) FROM timers WHERE lease_until IS NULL OR lease_until < $1")
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// Timers still to fire (the scheduler's queue depth).
    pub async fn pending_timers(&self) -> anyhow::Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM timers").fetch_one(&self.pool).await?;
        Ok(row.get(0))
    }

    /// Outcomes another node logged, for the local event stream.
    pub async fn outcomes_between(
        &self,
        node: &str,
        first: i64,
        last: i64,
    ) -> anyhow::Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT c.department, l.contact_id, l.body FROM log l JOIN contacts c ON c.id = l.contact_id \
             WHERE l.id >= $1 AND l.id <= $2 AND l.node = $3 AND l.entry = 'outcome' ORDER BY l.id",
        )
        .bind(first)
        .bind(last)
        .bind(node)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    }
}

/// Applies the migrations not yet applied, one transaction each.
async fn migrate(pool: &AnyPool, backend: Backend) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    if backend == Backend::Postgres {
        // Nodes starting together must not migrate at the same time.
        conn.execute("SELECT pg_advisory_lock(7350000001)").await?;
    }
    let result = async {
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .await?;
        let rows = sqlx::query("SELECT version FROM schema_migrations").fetch_all(&mut *conn).await?;
        let applied: Vec<i64> = rows.iter().map(|r| r.get::<i64, _>(0)).collect();
        for (version, sql) in schema::MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            let sql = match backend {
                Backend::Sqlite => {
                    sql.replace("{serial}", "INTEGER PRIMARY KEY AUTOINCREMENT").replace("{blob}", "BLOB")
                }
                Backend::Postgres => sql
                    .replace("{serial}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
                    .replace("{blob}", "BYTEA"),
            };
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let skip = backend == Backend::Sqlite && sql.trim_start().starts_with(schema::POSTGRES_ONLY);
            if !skip {
                tx.execute(sql.as_str()).await.with_context(|| format!("migration {version}"))?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(*version)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        anyhow::Ok(())
    }
    .await;
    if backend == Backend::Postgres {
        conn.execute("SELECT pg_advisory_unlock(7350000001)").await?;
    }
    result
}

/// sqlx's `QueryBuilder` writes `?` placeholders for the `Any` driver, which
/// PostgreSQL refuses; this numbers them `$1, $2, …`, which both databases take
/// (the SQL text itself never contains a `?`: every value is bound).
pub(crate) struct Numbered<'q> {
    sql: String,
    arguments: Option<sqlx::any::AnyArguments<'q>>,
}

impl<'q> Numbered<'q> {
    pub(crate) fn new(q: &'q mut QueryBuilder<'_, sqlx::Any>) -> Numbered<'q> {
        let mut sql = String::with_capacity(q.sql().len() + 64);
        let mut n = 0;
        for c in q.sql().chars() {
            if c == '?' {
                n += 1;
                sql.push_str(&format!("${n}"));
            } else {
                sql.push(c);
            }
        }
        let arguments = sqlx::Execute::take_arguments(&mut q.build()).ok().flatten();
        Numbered { sql, arguments }
    }

    /// Like [`Numbered::new`], but leaves SQLite its plain `?`: SQLite looks
    /// a numbered parameter (`$N`) up by a linear search, once when parsing
    /// and again when sqlx binds it, which is quadratic in the number of
    /// parameters (hundreds in a batch's `IN` list; see docs/performance.md).
    pub(crate) fn on(backend: Backend, q: &'q mut QueryBuilder<'_, sqlx::Any>) -> Numbered<'q> {
        match backend {
            Backend::Postgres => Numbered::new(q),
            Backend::Sqlite => {
                let sql = q.sql().to_string();
                let arguments = sqlx::Execute::take_arguments(&mut q.build()).ok().flatten();
                Numbered { sql, arguments }
            }
        }
    }

    pub(crate) fn query(&mut self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        sqlx::query_with(&self.sql, self.arguments.take().unwrap_or_default())
    }
}

/// A unit enum as its JSON name (`in_progress`, `phone`).
pub fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

/// The wall clock in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
