//! Department bindings over time, and uploaded plugin components.

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use super::read::time_text;
use super::{Store, now_ms};

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
}
