//! Users: their role, departments, password hash, and whether they are
//! disabled. Every change is announced to running servers (see `access`).

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use super::{Store, now_ms};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRow {
    pub name: String,
    /// `agent`, `supervisor`, `admin` or `author`.
    pub role: String,
    pub departments: Vec<String>,
    /// Disabled users cannot log in, and their tokens are refused.
    pub disabled: bool,
    #[serde(skip)]
    pub password_hash: Option<String>,
}

pub(super) const USER_COLUMNS: &str = "name, role, departments, password_hash, disabled_at";

/// A user from the columns [`USER_COLUMNS`], starting at `at`.
pub(super) fn user_row(r: &sqlx::any::AnyRow, at: usize) -> UserRow {
    UserRow {
        name: r.get(at),
        role: r.get(at + 1),
        departments: serde_json::from_str(&r.get::<String, _>(at + 2)).unwrap_or_default(),
        password_hash: r.get(at + 3),
        disabled: r.get::<Option<i64>, _>(at + 4).is_some(),
    }
}

impl Store {
    /// Creates or replaces a user (its role, departments and, if given,
    /// password); whether it is disabled does not change.
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
        // A new role or department must reach cached callers and open streams.
        self.announce_access_change().await
    }

    pub async fn user(&self, name: &str) -> anyhow::Result<Option<UserRow>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1"))
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(|r| user_row(r, 0)))
    }

    pub async fn users(&self) -> anyhow::Result<Vec<UserRow>> {
        let rows =
            sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY name")).fetch_all(self.pool()).await?;
        Ok(rows.iter().map(|r| user_row(r, 0)).collect())
    }

    /// Disables or enables a user; `None` if there is no such user.
    pub async fn set_disabled(&self, name: &str, disabled: bool) -> anyhow::Result<Option<UserRow>> {
        let done = if disabled {
            // Disabling again keeps the time it was first disabled.
            sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE name = $2").bind(now_ms())
        } else {
            sqlx::query("UPDATE users SET disabled_at = NULL WHERE name = $1")
        };
        let done = done.bind(name).execute(self.pool()).await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.announce_access_change().await?;
        self.user(name).await
    }

    /// Deletes a user and revokes their tokens, in one transaction; returns
    /// how many tokens were revoked, or `None` if there is no such user.
    /// Rows that name the user elsewhere (the log, contacts, the audit
    /// trail) keep the name.
    pub async fn delete_user(&self, name: &str) -> anyhow::Result<Option<u64>> {
        let mut tx = self.pool().begin().await?;
        let revoked = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE user_name = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let deleted = sqlx::query("DELETE FROM users WHERE name = $1").bind(name).execute(&mut *tx).await?;
        if deleted.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        self.announce_access_change().await?;
        Ok(Some(revoked))
    }
}
