//! PostgreSQL's write path: a whole batch in one statement.
//!
//! Each table's rows travel as one JSON array, unpacked by
//! `json_to_recordset` in a data-modifying CTE, so the SQL text never
//! changes (PostgreSQL parses and plans it once per connection) and a batch
//! costs one round trip instead of one per table. One statement is one
//! transaction: if a contact's version guard held it back, the statement
//! raises `SL409` (migration 3's `sopline_conflict()`) and nothing is written.
//! The CTEs see one snapshot and must not touch a row twice, which the batch
//! guarantees: contacts, timers and callbacks are unique per key, and
//! [`commit`] drops a fired timer another part of the batch settles or sets.
//!
//! The planner takes `json_to_recordset` for 100 rows, whatever the batch,
//! and for a join with a few thousand timers it then prefers a hash join over
//! a scan of the whole table. So the deletes find each row's `ctid` through
//! the primary key in a scalar subquery (always a per-row index scan) and
//! delete by `ctid` (a TID scan). The writer's own connections also have
//! sequential scans disabled: while the timers table is small and full of
//! dead rows between vacuums, plans cached from its first batches would
//! otherwise keep reading all of it for every batch.

use std::collections::HashSet;

use serde_json::json;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor as _, Row};

use super::{Batch, CommitError, Committed, TimerKind, TimerRow, enum_text, now_ms};

/// The writer's connections: one commits batches, one claims timers.
pub(super) async fn writer(url: &str) -> sqlx::Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(2)
        .after_connect(|conn, _| Box::pin(async move { conn.execute("SET enable_seqscan = off").await.map(drop) }))
        .connect(url)
        .await
}

/// Claims up to `limit` timers due by `now` that no live node holds, for
/// `lease_ms`; nodes skip each other's locked rows.
pub(super) async fn claim_timers(
    pool: &AnyPool,
    node: &str,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> anyhow::Result<Vec<TimerRow>> {
    let rows = sqlx::query(
        "UPDATE timers SET claimed_by = $1, lease_until = $2 WHERE (contact_id, kind, name) IN ( \
           SELECT contact_id, kind, name FROM timers \
           WHERE due <= $3 AND (lease_until IS NULL OR lease_until < $3) \
           ORDER BY due LIMIT $4 FOR UPDATE SKIP LOCKED) \
         RETURNING contact_id, kind, name, due, department",
    )
    .bind(node)
    .bind(now + lease_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TimerRow {
                contact_id: r.get(0),
                kind: TimerKind::parse(&r.get::<String, _>(1))?,
                name: r.get(2),
                due: r.get(3),
                department: r.get(4),
            })
        })
        .collect()
}

const COMMIT: &str = r#"
WITH c AS (
    INSERT INTO contacts (id, department, state, agent, category, channel, customer, plugin_id, plugin_version, binding, opened_at, updated_at, version, snapshot)
    SELECT id, department, state, agent, category, channel, customer, plugin_id, plugin_version, binding, opened_at, $2, version, snapshot
    FROM json_to_recordset($1::json) AS x(id text, department text, state text, agent text, category text, channel text, customer text,
        plugin_id text, plugin_version text, binding bigint, opened_at bigint, version bigint, snapshot text)
    ON CONFLICT (id) DO UPDATE SET state = excluded.state, agent = excluded.agent, category = excluded.category,
        plugin_id = excluded.plugin_id, plugin_version = excluded.plugin_version, binding = excluded.binding,
        updated_at = excluded.updated_at, version = excluded.version, snapshot = excluded.snapshot
    WHERE contacts.version = excluded.version - 1
    RETURNING 1
), l AS (
    INSERT INTO log (contact_id, at, entry, kind, agent, points, body, node, actor)
    SELECT contact_id, at, entry, kind, agent, points, body, $4::text, actor
    FROM json_to_recordset($3::json) AS x(contact_id text, at bigint, entry text, kind text, agent text, points bigint, body text, actor text)
    RETURNING id
), settled AS (
    DELETE FROM timers WHERE ctid = ANY (ARRAY(
        SELECT (SELECT ctid FROM timers t WHERE t.contact_id = x.contact_id AND t.kind = x.kind AND t.name = x.name)
        FROM json_to_recordset($5::json) AS x(contact_id text, kind text, name text)))
), fired AS (
    DELETE FROM timers WHERE ctid = ANY (ARRAY(
        SELECT (SELECT ctid FROM timers t WHERE t.contact_id = x.contact_id AND t.kind = x.kind AND t.name = x.name AND t.due = x.due)
        FROM json_to_recordset($6::json) AS x(contact_id text, kind text, name text, due bigint)))
), timers_set AS (
    INSERT INTO timers (contact_id, kind, name, due, department)
    SELECT contact_id, kind, name, due, department
    FROM json_to_recordset($7::json) AS x(contact_id text, kind text, name text, due bigint, department text)
    ON CONFLICT (contact_id, kind, name) DO UPDATE SET due = excluded.due, claimed_by = NULL, lease_until = NULL
), callbacks_set AS (
    INSERT INTO callbacks (contact_id, id, department, agent, due, purpose, status, attempts)
    SELECT contact_id, id, department, agent, due, purpose, status, attempts
    FROM json_to_recordset($8::json) AS x(contact_id text, id text, department text, agent text, due bigint, purpose text, status text, attempts bigint)
    ON CONFLICT (contact_id, id) DO UPDATE SET agent = excluded.agent, due = excluded.due,
        purpose = excluded.purpose, status = excluded.status, attempts = excluded.attempts
), ids AS (
    SELECT min(id) AS first, max(id) AS last FROM l
)
SELECT CASE WHEN (SELECT count(*) FROM c) <> $10 THEN sopline_conflict() END,
    COALESCE(first, 0), COALESCE(last, 0),
    CASE WHEN $9::boolean AND last IS NOT NULL
        THEN pg_notify('sopline_log', json_build_object('node', $4::text, 'first', first, 'last', last)::text) END::text
FROM ids
"#;

/// Writes batches in one transaction, or nothing if another node changed
/// one of their contacts since it was read.
pub(super) async fn commit(
    pool: &AnyPool,
    batches: &[&Batch],
    node: &str,
    notify: bool,
) -> Result<Committed, CommitError> {
    let contacts: Vec<_> = batches
        .iter()
        .flat_map(|b| &b.contacts)
        .map(|(c, version)| {
            json!({
                "id": c.id, "department": c.department, "state": enum_text(&c.state), "agent": c.agent,
                "category": c.category, "channel": enum_text(&c.channel), "customer": c.customer.name,
                "plugin_id": c.plugin.id, "plugin_version": c.plugin.version, "binding": c.plugin.binding,
                "opened_at": c.opened_at.as_millisecond(), "version": version + 1,
                "snapshot": serde_json::to_string(c).expect("contacts serialize"),
            })
        })
        .collect();
    let settled: Vec<_> = batches.iter().flat_map(|b| &b.timers_done).collect();
    // A fired timer the batch also settles or sets again needs no delete of
    // its own (and one statement must not touch a row twice).
    let rewritten: HashSet<(&str, TimerKind, &str)> = settled
        .iter()
        .map(|t| (t.contact_id.as_str(), t.kind, t.name.as_str()))
        .chain(batches.iter().flat_map(|b| &b.timers_set).map(|t| (t.contact_id.as_str(), t.kind, t.name.as_str())))
        .collect();
    // The rows serialize with the column names `json_to_recordset` reads.
    let fired: Vec<_> = batches
        .iter()
        .flat_map(|b| &b.timers_fired)
        .filter(|t| !rewritten.contains(&(t.contact_id.as_str(), t.kind, t.name.as_str())))
        .collect();
    let log: Vec<_> = batches.iter().flat_map(|b| &b.log).collect();
    let set: Vec<_> = batches.iter().flat_map(|b| &b.timers_set).collect();
    let callbacks: Vec<_> = batches.iter().flat_map(|b| &b.callbacks).collect();
    let written = sqlx::query(COMMIT)
        .bind(text(&contacts))
        .bind(now_ms())
        .bind(text(&log))
        .bind(node)
        .bind(text(&settled))
        .bind(text(&fired))
        .bind(text(&set))
        .bind(text(&callbacks))
        .bind(notify)
        .bind(contacts.len() as i64)
        .fetch_one(pool)
        .await;
    let row = match written {
        Ok(row) => row,
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("SL409") => {
            let ids = batches.iter().flat_map(|b| &b.contacts).map(|(c, _)| c.id.clone()).collect();
            return Ok(Committed::Conflict(ids));
        }
        // Class 22 (data exception: a NUL in a text, a number out of range)
        // and 23 (a constraint) are the batch's fault, not the server's.
        Err(sqlx::Error::Database(e)) if e.code().is_some_and(|c| c.starts_with("22") || c.starts_with("23")) => {
            return Err(CommitError::Refused(e.to_string()));
        }
        Err(e) => return Err(CommitError::Failed(e.into())),
    };
    Ok(Committed::Ok { first_log: row.get(1), last_log: row.get(2) })
}

/// Rows as the JSON array a `json_to_recordset` parameter takes.
fn text<T: serde::Serialize + ?Sized>(rows: &T) -> String {
    serde_json::to_string(rows).expect("rows serialize")
}
