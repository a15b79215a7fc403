//! Users, their bearer tokens, and the audit trail.

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use super::read::time_text;
use super::{Store, now_ms};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRow {
    pub name: String,
    /// `agent`, `supervisor`, `admin` or `author`.
    pub role: String,
    pub departments: Vec<String>,
    #[serde(skip)]
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

fn user_row(r: &sqlx::any::AnyRow) -> UserRow {
    UserRow {
        name: r.get(0),
        role: r.get(1),
        departments: serde_json::from_str(&r.get::<String, _>(2)).unwrap_or_default(),
        password_hash: r.get(3),
    }
}

impl Store {
    /// Creates or replaces a user (its role, departments and, if given, password).
    pub async fn put_user(&self, user: &UserRow) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO users (name, role, departments, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET role = excluded.role, departments = excluded.departments, \
             password_hash = COALESCE(excluded.password_hash, users.password_hash)",
        )
        .bind(&user.name)
        .bind(&user.role)
        .bind(serde_json::to_string(&user.departments)?)
        .bind(user.password_hash.clone())
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn user(&self, name: &str) -> anyhow::Result<Option<UserRow>> {
        let row = sqlx::query("SELECT name, role, departments, password_hash FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(user_row))
    }

    pub async fn users(&self) -> anyhow::Result<Vec<UserRow>> {
        let rows = sqlx::query("SELECT name, role, departments, password_hash FROM users ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(user_row).collect())
    }

    pub async fn add_token(&self, hash: &str, user: &str) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO tokens (hash, user_name, created_at) VALUES ($1, $2, $3)")
            .bind(hash)
            .bind(user)
            .bind(now_ms())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The user a token (by its hash) belongs to.
    pub async fn token_user(&self, hash: &str) -> anyhow::Result<Option<UserRow>> {
        let row = sqlx::query(
            "SELECT u.name, u.role, u.departments, u.password_hash FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.hash = $1",
        )
        .bind(hash)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(user_row))
    }

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

    pub async fn audit_trail(&self, limit: i64) -> anyhow::Result<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT at, actor, action, subject, detail FROM audit ORDER BY id DESC LIMIT $1")
            .bind(limit.clamp(1, 1000))
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                at: time_text(r.get(0)),
                actor: r.get(1),
                action: r.get(2),
                subject: r.get(3),
                detail: serde_json::from_str(&r.get::<String, _>(4)).unwrap_or_default(),
            })
            .collect())
    }
}
