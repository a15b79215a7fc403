//! Durable storage with sqlx: one embedded SQLite file by default (WAL,
//! fsync at every commit), or PostgreSQL for several nodes. Both speak the
//! same SQL through sqlx's `Any` driver; only claiming timers differs.
//!
//! The core writes a whole batch of events in one transaction
//! ([`Store::commit`]): the log rows, the contacts (guarded by their
//! version, so two nodes never overwrite each other), timers and callbacks.
//! Nothing is acknowledged before that transaction commits.

mod admin;
mod read;
mod schema;

use anyhow::Context as _;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, QueryBuilder, Row};

pub use admin::{AuditEntry, BindingRow, UserRow};
pub use read::{CallbackView, ContactFilter, ContactSummary, PointsRow};

use crate::contact::Contact;

/// Which database the URL named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Where batches commit and timers are claimed. On SQLite one
    /// connection, so its page cache stays warm (a write through another
    /// connection would invalidate it) and writers never wait on each other's
    /// file lock; on PostgreSQL the same pool.
    writer: AnyPool,
    backend: Backend,
    url: String,
}

/// One row of the log.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub contact_id: String,
    pub at: i64,
    /// `event` or `outcome`.
    pub entry: &'static str,
    pub kind: String,
    pub agent: Option<String>,
    /// Signed points of a penalty (negative) or reward.
    pub points: Option<i64>,
    pub body: String,
}

/// A timer row: a deadline or callback due at `due` (ms since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerRow {
    pub contact_id: String,
    /// `deadline` or `callback`.
    pub kind: String,
    pub name: String,
    pub due: i64,
    pub department: String,
}

/// A callback as the lists show it.
#[derive(Debug, Clone)]
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
    pub timers_done: Vec<(String, String, String)>,
    /// Timers this batch fired, deleted only if still at the due time fired
    /// (an event may have moved them meanwhile).
    pub timers_fired: Vec<TimerRow>,
    pub callbacks: Vec<CallbackRow>,
}

/// What a commit did.
#[derive(Debug)]
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
        let connect = |connections: u32, cache_kib: u32| {
            AnyPoolOptions::new().max_connections(connections).after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers work while the core writes; FULL
                        // fsyncs every commit, which batching makes affordable.
                        let pragmas = format!(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-{cache_kib};"
                        );
                        conn.execute(pragmas.as_str()).await?;
                    }
                    Ok(())
                })
            })
        };
        let opening = || format!("cannot open the database {}", super::redact(&url));
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let writer = connect(1, 65_536).connect(&url).await.with_context(opening)?;
                (connect(8, 2_048).connect(&url).await.with_context(opening)?, writer)
            }
            Backend::Postgres => {
                let pool = connect(16, 0).connect(&url).await.with_context(opening)?;
                (pool.clone(), pool)
            }
        };
        let store = Store { pool, writer, backend, url };
        store.migrate().await?;
        Ok(store)
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

    async fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            // Nodes starting together must not migrate at the same time.
            conn.execute("SELECT pg_advisory_lock(7350000001)").await?;
        }
        let result = async {
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
                .await?;
            let rows = sqlx::query("SELECT version FROM schema_migrations").fetch_all(&mut *conn).await?;
            let applied: Vec<i64> = rows.iter().map(|r| r.get::<i64, _>(0)).collect();
            for (version, sql) in schema::MIGRATIONS {
                if applied.contains(version) {
                    continue;
                }
                let sql = match self.backend {
                    Backend::Sqlite => sql.replace("{serial}", "INTEGER PRIMARY KEY AUTOINCREMENT").replace("{blob}", "BLOB"),
                    Backend::Postgres => {
                        sql.replace("{serial}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY").replace("{blob}", "BYTEA")
                    }
                };
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                tx.execute(sql.as_str()).await.with_context(|| format!("migration {version}"))?;
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
        if self.backend == Backend::Postgres {
            conn.execute("SELECT pg_advisory_unlock(7350000001)").await?;
        }
        result
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
                let contact = serde_json::from_str(&snapshot).with_context(|| format!("contact {id}: stored snapshot"))?;
                found.push((contact, row.get::<i64, _>(2)));
            }
        }
        Ok(found)
    }

    /// Writes a batch in one transaction, or nothing if another writer
    /// changed one of its contacts since it was read.
    pub async fn commit(&self, batch: &Batch, node: &str, notify: bool) -> anyhow::Result<Committed> {
        let mut tx = self.writer.begin().await?;
        let now = now_ms();
        if !batch.contacts.is_empty() {
            let mut q = QueryBuilder::new(
                "INSERT INTO contacts (id, department, state, agent, category, channel, customer, plugin_id, plugin_version, binding, opened_at, updated_at, version, snapshot) ",
            );
            q.push_values(&batch.contacts, |mut b, (c, version)| {
                b.push_bind(c.id.clone())
                    .push_bind(c.department.clone())
                    .push_bind(enum_text(&c.state))
                    .push_bind(c.agent.clone())
                    .push_bind(c.category.clone())
                    .push_bind(enum_text(&c.channel))
                    .push_bind(c.customer.name.clone())
                    .push_bind(c.plugin.id.clone())
                    .push_bind(c.plugin.version.clone())
                    .push_bind(i64::from(c.plugin.binding))
                    .push_bind(c.opened_at.as_millisecond())
                    .push_bind(now)
                    .push_bind(version + 1)
                    .push_bind(serde_json::to_string(c).expect("contacts serialize"));
            });
            q.push(
                " ON CONFLICT (id) DO UPDATE SET state = excluded.state, agent = excluded.agent, category = excluded.category, \
                 plugin_id = excluded.plugin_id, plugin_version = excluded.plugin_version, binding = excluded.binding, \
                 updated_at = excluded.updated_at, version = excluded.version, snapshot = excluded.snapshot \
                 WHERE contacts.version = excluded.version - 1",
            );
            let written = Numbered::on(self.backend, &mut q).query().execute(&mut *tx).await?.rows_affected();
            if written != batch.contacts.len() as u64 {
                tx.rollback().await?;
                return Ok(Committed::Conflict(batch.contacts.iter().map(|(c, _)| c.id.clone()).collect()));
            }
        }
        let (mut first_log, mut last_log) = (0, 0);
        for chunk in batch.log.chunks(2000) {
            let mut q = QueryBuilder::new("INSERT INTO log (contact_id, at, entry, kind, agent, points, body, node) ");
            q.push_values(chunk, |mut b, row| {
                b.push_bind(row.contact_id.clone())
                    .push_bind(row.at)
                    .push_bind(row.entry)
                    .push_bind(row.kind.clone())
                    .push_bind(row.agent.clone())
                    .push_bind(row.points)
                    .push_bind(row.body.clone())
                    .push_bind(node.to_string());
            });
            if self.backend == Backend::Sqlite {
                // Only PostgreSQL's other nodes need the ids; returning them costs.
                Numbered::on(self.backend, &mut q).query().execute(&mut *tx).await?;
                continue;
            }
            q.push(" RETURNING id");
            for row in Numbered::on(self.backend, &mut q).query().fetch_all(&mut *tx).await? {
                let id: i64 = row.get(0);
                first_log = if first_log == 0 { id } else { first_log.min(id) };
                last_log = last_log.max(id);
            }
        }
        for chunk in batch.timers_done.chunks(300) {
            let mut q = QueryBuilder::new("DELETE FROM timers WHERE (contact_id, kind, name) IN (");
            let mut sep = q.separated(", ");
            for (contact, kind, name) in chunk {
                sep.push("(");
                sep.push_bind_unseparated(contact.clone());
                sep.push_unseparated(", ");
                sep.push_bind_unseparated(kind.clone());
                sep.push_unseparated(", ");
                sep.push_bind_unseparated(name.clone());
                sep.push_unseparated(")");
            }
            q.push(")");
            Numbered::on(self.backend, &mut q).query().execute(&mut *tx).await?;
        }
        for chunk in batch.timers_fired.chunks(200) {
            let mut q = QueryBuilder::new("DELETE FROM timers WHERE (contact_id, kind, name, due) IN (");
            let mut sep = q.separated(", ");
            for t in chunk {
                sep.push("(");
                sep.push_bind_unseparated(t.contact_id.clone());
                sep.push_unseparated(", ");
                sep.push_bind_unseparated(t.kind.clone());
                sep.push_unseparated(", ");
                sep.push_bind_unseparated(t.name.clone());
                sep.push_unseparated(", ");
                sep.push_bind_unseparated(t.due);
                sep.push_unseparated(")");
            }
            q.push(")");
            Numbered::on(self.backend, &mut q).query().execute(&mut *tx).await?;
        }
        for chunk in batch.timers_set.chunks(2000) {
            let mut q = QueryBuilder::new("INSERT INTO timers (contact_id, kind, name, due, department) ");
            q.push_values(chunk, |mut b, t| {
                b.push_bind(t.contact_id.clone())
                    .push_bind(t.kind.clone())
                    .push_bind(t.name.clone())
                    .push_bind(t.due)
                    .push_bind(t.department.clone());
            });
            q.push(
                " ON CONFLICT (contact_id, kind, name) DO UPDATE SET due = excluded.due, claimed_by = NULL, lease_until = NULL",
            );
            Numbered::on(self.backend, &mut q).query().execute(&mut *tx).await?;
        }
        for chunk in batch.callbacks.chunks(1000) {
            let mut q =
                QueryBuilder::new("INSERT INTO callbacks (contact_id, id, department, agent, due, purpose, status, attempts) ");
            q.push_values(chunk, |mut b, c| {
                b.push_bind(c.contact_id.clone())
                    .push_bind(c.id.clone())
                    .push_bind(c.department.clone())
                    .push_bind(c.agent.clone())
                    .push_bind(c.due)
                    .push_bind(c.purpose.clone())
                    .push_bind(c.status.clone())
                    .push_bind(c.attempts);
            });
            q.push(
                " ON CONFLICT (contact_id, id) DO UPDATE SET agent = excluded.agent, due = excluded.due, \
                 purpose = excluded.purpose, status = excluded.status, attempts = excluded.attempts",
            );
            Numbered::on(self.backend, &mut q).query().execute(&mut *tx).await?;
        }
        if notify && self.backend == Backend::Postgres && last_log > 0 {
            let payload = serde_json::json!({ "node": node, "first": first_log, "last": last_log }).to_string();
            sqlx::query("SELECT pg_notify('sopline_log', $1)").bind(payload).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Committed::Ok { first_log, last_log })
    }

    /// Claims up to `limit` timers due by `now` that no live node holds,
    /// for `lease_ms`. On PostgreSQL, nodes skip each other's locked rows.
    pub async fn claim_timers(&self, node: &str, now: i64, lease_ms: i64, limit: i64) -> anyhow::Result<Vec<TimerRow>> {
        let lock = if self.backend == Backend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE timers SET claimed_by = $1, lease_until = $2 WHERE (contact_id, kind, name) IN ( \
               SELECT contact_id, kind, name FROM timers \
               WHERE due <= $3 AND (lease_until IS NULL OR lease_until < $3) \
               ORDER BY due LIMIT $4 {lock}) \
             RETURNING contact_id, kind, name, due, department"
        );
        let rows = sqlx::query(&sql).bind(node).bind(now + lease_ms).bind(now).bind(limit).fetch_all(&self.writer).await?;
        let mut timers: Vec<TimerRow> = rows.iter().map(timer_row).collect();
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
    pub async fn outcomes_between(&self, node: &str, first: i64, last: i64) -> anyhow::Result<Vec<(String, String, String)>> {
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
    /// and again when sqlx binds it, which is quadratic in a batch's
    /// thousands of parameters (at 64 connections it took more than a third
    /// of the database thread's time; see docs/performance.md).
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

fn timer_row(row: &AnyRow) -> TimerRow {
    TimerRow { contact_id: row.get(0), kind: row.get(1), name: row.get(2), due: row.get(3), department: row.get(4) }
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

#[cfg(test)]
mod tests;
