//! Reads for the API: lists, timelines, callbacks and the points ledger.
//! `departments` is the caller's scope: `None` for every department.

use serde::Serialize;
use sqlx::{QueryBuilder, Row};
use utoipa::ToSchema;

use super::Store;

/// A contact in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactSummary {
    pub id: String,
    pub department: String,
    pub state: String,
    pub agent: Option<String>,
    pub category: String,
    pub channel: String,
    pub customer: String,
    /// RFC 3339.
    pub opened_at: String,
    pub updated_at: String,
    pub plugin: String,
    pub binding: i64,
}

/// A return visit in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallbackView {
    pub contact: String,
    pub id: String,
    pub department: String,
    pub agent: Option<String>,
    pub due: String,
    pub purpose: String,
    /// `pending`, `overdue` (fell due, not done) or `done`.
    pub status: String,
    pub attempts: i64,
}

/// One penalty or reward.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointsRow {
    pub agent: String,
    pub contact: String,
    pub at: String,
    /// Negative for a penalty.
    pub points: i64,
    #[schema(value_type = Object)]
    pub outcome: serde_json::Value,
}

/// Outcomes of one kind in one department, quarter hour and agent (the
/// agent of a penalty or reward), with their summed points.
#[derive(Debug, Clone)]
pub struct OutcomeCount {
    pub department: String,
    pub kind: String,
    pub agent: Option<String>,
    /// The start of their quarter hour (ms). Every time zone's offset is a
    /// whole number of quarter hours, so a quarter lies in one local day of any zone.
    pub quarter: i64,
    pub count: i64,
    /// Signed, as in the log: negative for penalties.
    pub points: i64,
}

const QUARTER_MS: i64 = 15 * 60 * 1000;

/// A deadline missed or an escalation, for the supervisor's list.
#[derive(Debug, Clone)]
pub struct Incident {
    pub contact: String,
    pub department: String,
    /// The contact's agent now.
    pub agent: Option<String>,
    pub at: i64,
    pub outcome: serde_json::Value,
}

/// The log's outcomes statistics read, with their contacts. The `kind`
/// list is the `log_stats` index's condition (schema V2), written the same
/// so SQLite can use that index; `CROSS JOIN` makes SQLite read the log
/// first, through it, rather than every contact a department ever had
/// (its guess without `ANALYZE`); PostgreSQL plans it as any join.
const STATS_FROM: &str = "log l CROSS JOIN contacts c WHERE c.id = l.contact_id \
     AND l.kind IN ('deadline_met', 'deadline_missed', 'escalated', 'penalty', 'reward')";

/// Filters for the contact list.
#[derive(Debug, Default, Clone)]
pub struct ContactFilter {
    pub department: Option<String>,
    pub state: Option<String>,
    pub agent: Option<String>,
    pub limit: i64,
}

fn scope<'a>(q: &mut QueryBuilder<'a, sqlx::Any>, column: &str, departments: Option<&'a [String]>) {
    if let Some(departments) = departments {
        if departments.is_empty() {
            q.push(" AND 1 = 0");
            return;
        }
        q.push(format!(" AND {column} IN ("));
        let mut sep = q.separated(", ");
        for d in departments {
            sep.push_bind(d.clone());
        }
        q.push(")");
    }
}

pub(crate) fn time_text(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

impl Store {
    pub async fn list_contacts(
        &self,
        filter: &ContactFilter,
        departments: Option<&[String]>,
    ) -> anyhow::Result<Vec<ContactSummary>> {
        let mut q = QueryBuilder::new(
            "SELECT id, department, state, agent, category, channel, customer, opened_at, updated_at, plugin_id, plugin_version, binding \
             FROM contacts WHERE 1 = 1",
        );
        scope(&mut q, "department", departments);
        if let Some(d) = &filter.department {
            q.push(" AND department = ").push_bind(d.clone());
        }
        if let Some(s) = &filter.state {
            q.push(" AND state = ").push_bind(s.clone());
        }
        if let Some(a) = &filter.agent {
            q.push(" AND agent = ").push_bind(a.clone());
        }
        q.push(" ORDER BY opened_at DESC LIMIT ").push_bind(filter.limit.clamp(1, 1000));
        let rows = super::Numbered::new(&mut q).query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(|r| ContactSummary {
                id: r.get(0),
                department: r.get(1),
                state: r.get(2),
                agent: r.get(3),
                category: r.get(4),
                channel: r.get(5),
                customer: r.get(6),
                opened_at: time_text(r.get(7)),
                updated_at: time_text(r.get(8)),
                plugin: format!("{}@{}", r.get::<String, _>(9), r.get::<String, _>(10)),
                binding: r.get(11),
            })
            .collect())
    }

    /// The contact's log: events and outcomes in the order they were committed.
    pub async fn timeline(&self, contact: &str) -> anyhow::Result<Vec<serde_json::Value>> {
        let rows = sqlx::query("SELECT entry, body, actor FROM log WHERE contact_id = $1 ORDER BY id")
            .bind(contact)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let entry: String = r.get(0);
                let mut body: serde_json::Value = serde_json::from_str(&r.get::<String, _>(1)).unwrap_or_default();
                body["entry"] = entry.into();
                if let Some(actor) = r.get::<Option<String>, _>(2) {
                    body["actor"] = actor.into();
                }
                body
            })
            .collect())
    }

    /// Callbacks of the caller's departments due before `before` (ms), not done.
    pub async fn callbacks_due(
        &self,
        departments: Option<&[String]>,
        department: Option<&str>,
        agent: Option<&str>,
        before: i64,
    ) -> anyhow::Result<Vec<CallbackView>> {
        let mut q = QueryBuilder::new(
            "SELECT contact_id, id, department, agent, due, purpose, status, attempts FROM callbacks WHERE status <> 'done'",
        );
        scope(&mut q, "department", departments);
        if let Some(d) = department {
            q.push(" AND department = ").push_bind(d.to_string());
        }
        if let Some(a) = agent {
            q.push(" AND agent = ").push_bind(a.to_string());
        }
        q.push(" AND due <= ").push_bind(before);
        q.push(" ORDER BY due LIMIT 1000");
        let rows = super::Numbered::new(&mut q).query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(|r| CallbackView {
                contact: r.get(0),
                id: r.get(1),
                department: r.get(2),
                agent: r.get(3),
                due: time_text(r.get(4)),
                purpose: r.get(5),
                status: r.get(6),
                attempts: r.get(7),
            })
            .collect())
    }

    /// Penalties and rewards in `[from, to)` (ms), for one agent or all in scope.
    pub async fn points(
        &self,
        departments: Option<&[String]>,
        agent: Option<&str>,
        from: i64,
        to: i64,
    ) -> anyhow::Result<Vec<PointsRow>> {
        let mut q = QueryBuilder::new(
            "SELECT l.agent, l.contact_id, l.at, l.points, l.body FROM log l JOIN contacts c ON c.id = l.contact_id \
             WHERE l.points IS NOT NULL",
        );
        q.push(" AND l.at >= ").push_bind(from).push(" AND l.at < ").push_bind(to);
        scope(&mut q, "c.department", departments);
        if let Some(a) = agent {
            q.push(" AND l.agent = ").push_bind(a.to_string());
        }
        q.push(" ORDER BY l.id LIMIT 10000");
        let rows = super::Numbered::new(&mut q).query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(|r| PointsRow {
                agent: r.get(0),
                contact: r.get(1),
                at: time_text(r.get(2)),
                points: r.get(3),
                outcome: serde_json::from_str(&r.get::<String, _>(4)).unwrap_or_default(),
            })
            .collect())
    }

    /// Pending deadlines of the caller's departments, soonest first.
    pub async fn deadlines_due(
        &self,
        departments: Option<&[String]>,
        limit: i64,
    ) -> anyhow::Result<Vec<(String, String, String, i64)>> {
        let mut q = QueryBuilder::new("SELECT contact_id, department, name, due FROM timers WHERE kind = 'deadline'");
        scope(&mut q, "department", departments);
        q.push(" ORDER BY due LIMIT ").push_bind(limit.clamp(1, 1000));
        let rows = super::Numbered::new(&mut q).query().fetch_all(self.pool()).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
    }

    /// How many contacts are open (not closed) under each binding revision of a department.
    pub async fn open_per_binding(&self, department: &str) -> anyhow::Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT binding, COUNT(*) FROM contacts WHERE department = $1 AND state <> 'closed' GROUP BY binding ORDER BY binding",
        )
        .bind(department)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Ids of a department's open contacts on an older binding than `revision`.
    pub async fn open_before_binding(&self, department: &str, revision: i64) -> anyhow::Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM contacts WHERE department = $1 AND state <> 'closed' AND binding < $2")
            .bind(department)
            .bind(revision)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// The binding revisions open contacts still use, per department.
    pub async fn bindings_in_use(&self) -> anyhow::Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT DISTINCT department, binding FROM contacts WHERE state <> 'closed'")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Deadline, escalation and points outcomes of `departments` in `[from, to)`
    /// (ms), counted per department, kind, agent and quarter hour.
    pub async fn outcome_counts(
        &self,
        departments: &[String],
        from: i64,
        to: i64,
    ) -> anyhow::Result<Vec<OutcomeCount>> {
        let mut q = QueryBuilder::new(format!(
            "SELECT c.department, l.kind, l.agent, l.at / {QUARTER_MS} * {QUARTER_MS}, COUNT(*), CAST(COALESCE(SUM(l.points), 0) AS BIGINT) \
             FROM {STATS_FROM} AND l.entry = 'outcome'"
        ));
        q.push(" AND l.at >= ").push_bind(from).push(" AND l.at < ").push_bind(to);
        scope(&mut q, "c.department", Some(departments));
        q.push(format!(" GROUP BY c.department, l.kind, l.agent, l.at / {QUARTER_MS} * {QUARTER_MS}"));
        let rows = super::Numbered::new(&mut q).query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(|r| OutcomeCount {
                department: r.get(0),
                kind: r.get(1),
                agent: r.get(2),
                quarter: r.get(3),
                count: r.get(4),
                points: r.get(5),
            })
            .collect())
    }

    /// Missed deadlines and escalations of `departments` in `[from, to)` (ms), newest first.
    pub async fn incidents(
        &self,
        departments: &[String],
        from: i64,
        to: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<Incident>> {
        let mut q = QueryBuilder::new(format!(
            "SELECT l.contact_id, c.department, c.agent, l.at, l.body \
             FROM {STATS_FROM} AND l.kind IN ('deadline_missed', 'escalated') AND l.entry = 'outcome'"
        ));
        q.push(" AND l.at >= ").push_bind(from).push(" AND l.at < ").push_bind(to);
        scope(&mut q, "c.department", Some(departments));
        q.push(" ORDER BY l.at DESC, l.id DESC LIMIT ").push_bind(limit.clamp(1, 1000));
        let rows = super::Numbered::new(&mut q).query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(|r| Incident {
                contact: r.get(0),
                department: r.get(1),
                agent: r.get(2),
                at: r.get(3),
                outcome: serde_json::from_str(&r.get::<String, _>(4)).unwrap_or_default(),
            })
            .collect())
    }
}
