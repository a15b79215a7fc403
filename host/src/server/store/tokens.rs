//! Bearer tokens, stored only as their SHA-256 and named by a short public
//! id (the hash's first 12 hex digits), so they can be listed and revoked
//! without being shown. Revoking keeps the row (with `revoked_at`), so a
//! user created later under the same name does not bring old tokens back.

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use super::users::{USER_COLUMNS, UserRow, user_row};
use super::{Store, now_ms};

/// How many hex digits of a token's hash make its public id.
pub const TOKEN_ID_LEN: usize = 12;

/// A token as stored, without the secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenRow {
    pub id: String,
    pub user: String,
    /// `login` (a console session) or `api` (from `sopline token create`).
    pub kind: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// `None`: never expires.
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// What one indexed lookup of a presented token found.
#[derive(Debug, Clone)]
pub struct TokenLookup {
    pub token: TokenRow,
    /// `None` when the user was deleted.
    pub user: Option<UserRow>,
}

const TOKEN_COLUMNS: &str = "t.id, t.user_name, t.kind, t.created_at, t.expires_at, t.revoked_at";

fn token_row(r: &sqlx::any::AnyRow) -> TokenRow {
    TokenRow {
        id: r.get(0),
        user: r.get(1),
        kind: r.get(2),
        created_at: r.get(3),
        expires_at: r.get(4),
        revoked_at: r.get(5),
    }
}

impl Store {
    /// Stores a new token's hash; returns its public id.
    pub async fn add_token(
        &self,
        hash: &str,
        user: &str,
        kind: &str,
        expires_at: Option<i64>,
    ) -> anyhow::Result<String> {
        let id = &hash[..TOKEN_ID_LEN];
        sqlx::query(
            "INSERT INTO tokens (hash, id, user_name, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hash)
        .bind(id)
        .bind(user)
        .bind(kind)
        .bind(now_ms())
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(id.to_string())
    }

    /// A presented token (by its hash) with its user, in one query on the
    /// tokens' primary key and the users' primary key.
    pub async fn token_lookup(&self, hash: &str) -> anyhow::Result<Option<TokenLookup>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS}, {} FROM tokens t LEFT JOIN users u ON u.name = t.user_name WHERE t.hash = $1",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        );
        let row = sqlx::query(&sql).bind(hash).fetch_optional(self.pool()).await?;
        Ok(row.map(|r| {
            let user = r.get::<Option<String>, _>(6).is_some().then(|| user_row(&r, 6));
            TokenLookup { token: token_row(&r), user }
        }))
    }

    /// Tokens, newest first: all, or one user's.
    pub async fn tokens(&self, user: Option<&str>) -> anyhow::Result<Vec<TokenRow>> {
        let rows = match user {
            Some(user) => {
                sqlx::query(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.user_name = $1 ORDER BY t.created_at DESC, t.id"
                ))
                .bind(user)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {TOKEN_COLUMNS} FROM tokens t ORDER BY t.created_at DESC, t.id"))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        Ok(rows.iter().map(token_row).collect())
    }

    /// Revokes one token by its public id; the token as it now stands, or
    /// `None` if no token has that id.
    pub async fn revoke_token(&self, id: &str) -> anyhow::Result<Option<TokenRow>> {
        let done = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() > 0 {
            self.announce_access_change().await?;
        }
        let row = sqlx::query(&format!("SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(token_row))
    }

    /// Revokes every token of a user that is not revoked yet; returns how many.
    pub async fn revoke_tokens_of(&self, user: &str) -> anyhow::Result<u64> {
        let done = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE user_name = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(user)
            .execute(self.pool())
            .await?;
        if done.rows_affected() > 0 {
            self.announce_access_change().await?;
        }
        Ok(done.rows_affected())
    }
}
