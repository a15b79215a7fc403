//! Users, tokens, bindings, plugins and the audit trail.

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

/// One revision of a department's binding, as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BindingRow {
    pub department: String,
    pub revision: i64,
    pub name: String,
    pub plugin_id: String,
    pub plugin_version: String,
    /// Parameter values by name, as JSON.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    pub calendar: String,
    /// `rules:SHA256` for a rules file, `api` for a swap through the API.
    pub source: String,
    pub created_at: String,
    pub created_by: String,
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

fn binding_row(r: &sqlx::any::AnyRow) -> BindingRow {
    BindingRow {
        department: r.get(0),
        revision: r.get(1),
        name: r.get(2),
        plugin_id: r.get(3),
        plugin_version: r.get(4),
        params: serde_json::from_str(&r.get::<String, _>(5)).unwrap_or_default(),
        calendar: r.get(6),
        source: r.get(7),
        created_at: time_text(r.get(8)),
        created_by: r.get(9),
    }
}

const BINDING_COLUMNS: &str =
    "department, revision, name, plugin_id, plugin_version, params, calendar, source, created_at, created_by";

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

    pub async fn insert_binding(&self, b: &BindingRow) -> anyhow::Result<()> {
        sqlx::query(&format!(
            "INSERT INTO bindings ({BINDING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&b.department)
        .bind(b.revision)
        .bind(&b.name)
        .bind(&b.plugin_id)
        .bind(&b.plugin_version)
        .bind(b.params.to_string())
        .bind(&b.calendar)
        .bind(&b.source)
        .bind(now_ms())
        .bind(&b.created_by)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Each department's current (highest) binding revision.
    pub async fn current_bindings(&self) -> anyhow::Result<Vec<BindingRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {BINDING_COLUMNS} FROM bindings b WHERE revision = \
             (SELECT MAX(revision) FROM bindings WHERE department = b.department) ORDER BY department"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(binding_row).collect())
    }

    pub async fn binding(&self, department: &str, revision: i64) -> anyhow::Result<Option<BindingRow>> {
        let row =
            sqlx::query(&format!("SELECT {BINDING_COLUMNS} FROM bindings WHERE department = $1 AND revision = $2"))
                .bind(department)
                .bind(revision)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.as_ref().map(binding_row))
    }

    /// Every revision of a department's binding, newest first.
    pub async fn binding_history(&self, department: &str) -> anyhow::Result<Vec<BindingRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {BINDING_COLUMNS} FROM bindings WHERE department = $1 ORDER BY revision DESC"
        ))
        .bind(department)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(binding_row).collect())
    }

    /// Stores an uploaded component; `false` if that id and version exist already.
    pub async fn insert_plugin(
        &self,
        id: &str,
        version: &str,
        sha256: &str,
        wasm: &[u8],
        by: &str,
    ) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO plugins (id, version, sha256, wasm, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id, version) DO NOTHING",
        )
        .bind(id)
        .bind(version)
        .bind(sha256)
        .bind(wasm.to_vec())
        .bind(now_ms())
        .bind(by)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The stored plugins: (id, version, sha256).
    pub async fn plugin_list(&self) -> anyhow::Result<Vec<(String, String, String)>> {
        let rows =
            sqlx::query("SELECT id, version, sha256 FROM plugins ORDER BY id, version").fetch_all(self.pool()).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    }

    pub async fn plugin_wasm(&self, id: &str, version: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT wasm FROM plugins WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.get(0)))
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
