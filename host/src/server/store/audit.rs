//! The audit trail: who changed what, and every login, newest first, read
//! in pages by id.

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use super::read::time_text;
use super::{Store, now_ms};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Increasing; page with `before` (see `GET /api/v1/audit`).
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl Store {
    /// Records who changed what.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(now_ms())
            .bind(actor)
            .bind(action)
            .bind(subject)
            .bind(detail.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Up to `limit` entries older than `before` (all if `None`), newest
    /// first, and the `before` of the next page if there is one.
    pub async fn audit_page(&self, limit: i64, before: Option<i64>) -> anyhow::Result<(Vec<AuditEntry>, Option<i64>)> {
        let limit = limit.clamp(1, 1000);
        // One more than asked, to know whether another page follows.
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, detail FROM audit WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit + 1)
        .fetch_all(self.pool())
        .await?;
        let mut entries: Vec<AuditEntry> = rows
            .iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                at: time_text(r.get(1)),
                actor: r.get(2),
                action: r.get(3),
                subject: r.get(4),
                detail: serde_json::from_str(&r.get::<String, _>(5)).unwrap_or_default(),
            })
            .collect();
        let next = if entries.len() as i64 > limit {
            entries.truncate(limit as usize);
            entries.last().map(|e| e.id)
        } else {
            None
        };
        Ok((entries, next))
    }
}
