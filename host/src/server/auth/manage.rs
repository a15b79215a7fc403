//! Ending access, for the API (an admin) and the CLI alike: revoking
//! tokens, disabling, enabling and deleting users. Each change is audited
//! with who made it, and announced to running servers by the store.
//!
//! A server that made the change also calls `Tokens::changed` itself, so
//! its own open streams close without waiting for the announcement.

use serde_json::json;

use crate::server::store::{Store, TokenRow, UserRow};

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("no user `{0}`")]
    NoSuchUser(String),
    #[error("no token with the id `{0}` (list them with GET /api/v1/users/NAME/tokens or `sopline token list`)")]
    NoSuchToken(String),
    /// An admin tried to lock themselves out.
    #[error("you cannot {0} your own account; ask another administrator")]
    Yourself(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Who makes a change, as the audit trail names them.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// `sopline token|user …` (audited as `cli`).
    Cli,
    /// An admin through the API.
    Admin(&'a str),
}

impl Actor<'_> {
    fn name(&self) -> &str {
        match self {
            Actor::Cli => "cli",
            Actor::Admin(name) => name,
        }
    }

    fn is(&self, user: &str) -> bool {
        matches!(self, Actor::Admin(name) if *name == user)
    }
}

/// Revokes one token by its public id.
pub async fn revoke_token(store: &Store, actor: Actor<'_>, id: &str) -> Result<TokenRow, AccessError> {
    let token = store.revoke_token(id).await?.ok_or_else(|| AccessError::NoSuchToken(id.to_string()))?;
    store.audit(actor.name(), "revoke", &token.user, json!({ "token": token.id })).await?;
    Ok(token)
}

/// Revokes every token of a user; how many were still working.
pub async fn revoke_tokens(store: &Store, actor: Actor<'_>, user: &str) -> Result<u64, AccessError> {
    if store.user(user).await?.is_none() && store.tokens(Some(user)).await?.is_empty() {
        return Err(AccessError::NoSuchUser(user.to_string()));
    }
    let revoked = store.revoke_tokens_of(user).await?;
    store.audit(actor.name(), "revoke", user, json!({ "all": true, "revoked": revoked })).await?;
    Ok(revoked)
}

/// The caller's own token, at logout.
pub async fn logout(store: &Store, name: &str, token_id: &str) -> Result<(), AccessError> {
    store.revoke_token(token_id).await?.ok_or_else(|| AccessError::NoSuchToken(token_id.to_string()))?;
    store.audit(name, "logout", name, json!({ "token": token_id })).await?;
    Ok(())
}

/// Disables or enables a user. Disabling refuses all their tokens (without
/// revoking them: enabling brings them back) and their password.
pub async fn set_disabled(store: &Store, actor: Actor<'_>, name: &str, disabled: bool) -> Result<UserRow, AccessError> {
    if disabled && actor.is(name) {
        return Err(AccessError::Yourself("disable"));
    }
    let user = store.set_disabled(name, disabled).await?.ok_or_else(|| AccessError::NoSuchUser(name.to_string()))?;
    store.audit(actor.name(), if disabled { "disable" } else { "enable" }, name, json!({})).await?;
    Ok(user)
}

/// Deletes a user and revokes their tokens; how many tokens were revoked.
pub async fn delete_user(store: &Store, actor: Actor<'_>, name: &str) -> Result<u64, AccessError> {
    if actor.is(name) {
        return Err(AccessError::Yourself("delete"));
    }
    let revoked = store.delete_user(name).await?.ok_or_else(|| AccessError::NoSuchUser(name.to_string()))?;
    store.audit(actor.name(), "delete", name, json!({ "revoked": revoked })).await?;
    Ok(revoked)
}
