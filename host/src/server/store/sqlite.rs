//! SQLite's write path: one connection, owned by the store, that commits
//! batches and claims timers with prepared single-row statements.
//!
//! Through sqlx every statement of a transaction was a round trip to the
//! connection's worker thread (seven per batch, each a thread switch), with
//! a multi-row statement built, parsed and bound anew each time. Here the
//! caller's thread runs the transaction itself on statements SQLite parsed
//! once; under load that more than halved the writer's time per event (see
//! docs/performance.md). The SQL is the same as PostgreSQL's, one row at a
//! time; reads stay on sqlx's pool.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use rusqlite::{TransactionBehavior, params};

use super::{Batch, CommitError, Committed, TimerKind, TimerRow, enum_text, now_ms};

/// The page cache of the writing connection. Each commit's pages stay
/// cached; a larger cache made every commit slower (SQLite walks the whole
/// cache's hash table when a transaction ends).
const CACHE_KIB: u32 = 16_384;

#[derive(Clone)]
pub(super) struct Writer {
    conn: Arc<Mutex<rusqlite::Connection>>,
}

impl Writer {
    /// Opens the database file the migrations already created.
    pub(super) fn open(path: &Path) -> anyhow::Result<Writer> {
        let conn =
            rusqlite::Connection::open(path).with_context(|| format!("cannot open {} for writing", path.display()))?;
        // WAL lets readers work while a batch commits; FULL fsyncs every
        // commit, which batching makes affordable.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-{CACHE_KIB};"
        ))?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(Writer { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Writes batches in one transaction, or nothing if another writer
    /// changed one of their contacts since it was read. Runs on the calling
    /// thread: the core calls it from its committer thread.
    pub(super) fn commit(&self, batches: &[&Batch], node: &str) -> Result<Committed, CommitError> {
        let mut conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(classify)?;
        let now = now_ms();
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO contacts (id, department, state, agent, category, channel, customer, plugin_id, plugin_version, binding, opened_at, updated_at, version, snapshot) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state, agent = excluded.agent, category = excluded.category, \
                 plugin_id = excluded.plugin_id, plugin_version = excluded.plugin_version, binding = excluded.binding, \
                 updated_at = excluded.updated_at, version = excluded.version, snapshot = excluded.snapshot \
                 WHERE contacts.version = excluded.version - 1",
            ).map_err(classify)?;
            for (c, version) in batches.iter().flat_map(|b| &b.contacts) {
                let written = upsert
                    .execute(params![
                        c.id,
                        c.department,
                        enum_text(&c.state),
                        c.agent,
                        c.category,
                        enum_text(&c.channel),
                        c.customer.name,
                        c.plugin.id,
                        c.plugin.version,
                        i64::from(c.plugin.binding),
                        c.opened_at.as_millisecond(),
                        now,
                        version + 1,
                        serde_json::to_string(c).expect("contacts serialize"),
                    ])
                    .map_err(classify)?;
                if written != 1 {
                    // Dropping the transaction rolls it back.
                    return Ok(Committed::Conflict(vec![c.id.clone()]));
                }
            }
        }
        write_rows(&tx, batches, node).map_err(classify)?;
        tx.commit().map_err(classify)?;
        Ok(Committed::Ok { first_log: 0, last_log: 0 })
    }

    /// Claims up to `limit` timers due by `now` whose lease (if any) ran out.
    pub(super) fn claim_timers(
        &self,
        node: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<TimerRow>> {
        let mut conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let timers = {
            let mut claim = tx.prepare_cached(
                "UPDATE timers SET claimed_by = ?1, lease_until = ?2 WHERE (contact_id, kind, name) IN ( \
                   SELECT contact_id, kind, name FROM timers \
                   WHERE due <= ?3 AND (lease_until IS NULL OR lease_until < ?3) \
                   ORDER BY due LIMIT ?4) \
                 RETURNING contact_id, kind, name, due, department",
            )?;
            let rows = claim.query_map(params![node, now + lease_ms, now, limit], |r| {
                Ok(TimerRow {
                    contact_id: r.get(0)?,
                    kind: TimerKind::parse(&r.get::<_, String>(1)?).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, e.into())
                    })?,
                    name: r.get(2)?,
                    due: r.get(3)?,
                    department: r.get(4)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        tx.commit()?;
        Ok(timers)
    }
}

/// The log, timer and callback rows of every batch.
fn write_rows(tx: &rusqlite::Transaction<'_>, batches: &[&Batch], node: &str) -> rusqlite::Result<()> {
    let mut log = tx.prepare_cached(
        "INSERT INTO log (contact_id, at, entry, kind, agent, points, body, node, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut done = tx.prepare_cached("DELETE FROM timers WHERE contact_id = ?1 AND kind = ?2 AND name = ?3")?;
    let mut fired =
        tx.prepare_cached("DELETE FROM timers WHERE contact_id = ?1 AND kind = ?2 AND name = ?3 AND due = ?4")?;
    let mut set = tx.prepare_cached(
        "INSERT INTO timers (contact_id, kind, name, due, department) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (contact_id, kind, name) DO UPDATE SET due = excluded.due, claimed_by = NULL, lease_until = NULL",
    )?;
    let mut callback = tx.prepare_cached(
        "INSERT INTO callbacks (contact_id, id, department, agent, due, purpose, status, attempts) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (contact_id, id) DO UPDATE SET agent = excluded.agent, due = excluded.due, \
         purpose = excluded.purpose, status = excluded.status, attempts = excluded.attempts",
    )?;
    for batch in batches {
        for row in &batch.log {
            log.execute(params![
                row.contact_id,
                row.at,
                row.entry.as_str(),
                row.kind,
                row.agent,
                row.points,
                row.body,
                node,
                row.actor
            ])?;
        }
        for t in &batch.timers_done {
            done.execute(params![t.contact_id, t.kind.as_str(), t.name])?;
        }
        for t in &batch.timers_fired {
            fired.execute(params![t.contact_id, t.kind.as_str(), t.name, t.due])?;
        }
        for t in &batch.timers_set {
            set.execute(params![t.contact_id, t.kind.as_str(), t.name, t.due, t.department])?;
        }
        for c in &batch.callbacks {
            callback.execute(params![
                c.contact_id,
                c.id,
                c.department,
                c.agent,
                c.due,
                c.purpose,
                c.status,
                c.attempts
            ])?;
        }
    }
    Ok(())
}

/// A constraint or a value SQLite will not store is the batch's fault
/// ([`CommitError::Refused`]); anything else is the server's.
fn classify(e: rusqlite::Error) -> CommitError {
    use rusqlite::ErrorCode::{ConstraintViolation, TooBig, TypeMismatch};
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, ConstraintViolation | TooBig | TypeMismatch) => {
            CommitError::Refused(e.to_string())
        }
        _ => CommitError::Failed(e.into()),
    }
}
