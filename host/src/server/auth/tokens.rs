//! Issuing tokens, and deciding on every request whether one still works
//! (see the module docs of `server::auth` for why SQLite caches and
//! PostgreSQL does not).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::{Caller, Role, TokenInfo, random_hex, token_hash};
use crate::server::AppState;
use crate::server::store::{AccessCounter, Store, TokenLookup, now_ms};

/// How long a token works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    For(Duration),
    /// Only when asked for explicitly (`--expires-in never`).
    Never,
}

impl Lifetime {
    /// `never`, or a duration such as `12h` or `90d`.
    pub fn parse(text: &str) -> Result<Lifetime, String> {
        if text.trim() == "never" {
            return Ok(Lifetime::Never);
        }
        let span = sopline_sdk::span::parse(text).map_err(|e| format!("{e}, or `never`"))?;
        let duration = Duration::from_millis(span.natural_millis() as u64);
        if duration.is_zero() {
            return Err(format!("{text:?} would expire at once: give a duration such as 12h or 90d, or `never`"));
        }
        Ok(Lifetime::For(duration))
    }

    fn expires_at(self) -> Option<i64> {
        match self {
            Lifetime::For(d) => Some(now_ms().saturating_add(d.as_millis() as i64)),
            Lifetime::Never => None,
        }
    }
}

/// Issues a token for an existing user and stores its hash; returns the
/// token and its public id. `kind` is `login` or `api`.
pub async fn issue_token(
    store: &Store,
    user: &str,
    kind: &str,
    lifetime: Lifetime,
) -> anyhow::Result<(String, String)> {
    let token = format!("sop_{}", random_hex(32));
    let id = store.add_token(&token_hash(&token), user, kind, lifetime.expires_at()).await?;
    Ok((token, id))
}

/// Why a token is refused, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Revoked,
    /// When it expired (ms since the epoch).
    Expired(i64),
    Disabled(String),
    Deleted,
}

impl Refusal {
    /// The error code of the 401 answer.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Unknown => "unauthorized",
            Refusal::Revoked => "token_revoked",
            Refusal::Expired(_) => "token_expired",
            Refusal::Disabled(_) => "user_disabled",
            Refusal::Deleted => "user_deleted",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::Unknown => {
                "unknown token: log in again (POST /api/v1/login) or create one with `sopline token create`".into()
            }
            Refusal::Revoked => {
                "this token was revoked (a logout, or an administrator); log in again or create a new token".into()
            }
            Refusal::Expired(at) => format!(
                "this token expired at {}; log in again, or create a new token with `sopline token create --expires-in`",
                jiff::Timestamp::from_millisecond(*at).map(|t| t.to_string()).unwrap_or_else(|_| at.to_string())
            ),
            Refusal::Disabled(name) => {
                format!("the account `{name}` is disabled; ask an administrator to enable it")
            }
            Refusal::Deleted => {
                "the account this token belonged to was deleted; ask an administrator for a new one".into()
            }
        }
    }
}

/// Whether a looked-up token works at `now`: the caller, or why not.
pub fn verdict(hash: &str, lookup: Option<TokenLookup>, now: i64) -> Result<Caller, Refusal> {
    let Some(TokenLookup { token, user }) = lookup else { return Err(Refusal::Unknown) };
    // Deleting a user also revoked their tokens; say the more useful of the two.
    let Some(user) = user else { return Err(Refusal::Deleted) };
    if token.revoked_at.is_some() {
        return Err(Refusal::Revoked);
    }
    if user.disabled {
        return Err(Refusal::Disabled(user.name));
    }
    if let Some(at) = token.expires_at.filter(|at| *at <= now) {
        return Err(Refusal::Expired(at));
    }
    let role = Role::parse(&user.role).map_err(|_| Refusal::Unknown)?;
    Ok(Caller {
        name: user.name,
        role,
        departments: user.departments,
        token: TokenInfo {
            id: token.id,
            expires_at: token.expires_at.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()),
            hash: hash.to_string(),
        },
    })
}

/// Decides whether tokens work; on SQLite with a cache (see the module docs).
pub struct Tokens {
    cache: Option<Cache>,
    /// Moves whenever access changed; open streams re-check their token.
    changes: watch::Sender<u64>,
}

/// Answers for valid tokens, trusted only while the access counter has not
/// moved since they were read.
struct Cache {
    counter: AccessCounter,
    entries: Mutex<Entries>,
}

struct Entries {
    /// The counter value the entries were read under.
    seen: Option<u64>,
    callers: HashMap<String, (Caller, Instant)>,
}

/// A net for a sidecar that was replaced under a running server (which
/// would then no longer see its changes); see the module docs.
const CACHE_AGE: Duration = Duration::from_secs(30);
const CACHE_SIZE: usize = 100_000;

impl Tokens {
    /// Caches on SQLite only.
    pub fn new(store: &Store) -> anyhow::Result<Tokens> {
        let cache = store
            .access_counter()?
            .map(|counter| Cache { counter, entries: Mutex::new(Entries { seen: None, callers: HashMap::new() }) });
        Ok(Tokens { cache, changes: watch::channel(0).0 })
    }

    /// The caller a presented token stands for, or why it is refused.
    pub async fn check(&self, store: &Store, token: &str) -> anyhow::Result<Result<Caller, Refusal>> {
        self.check_hash(store, &token_hash(token)).await
    }

    /// Like [`Tokens::check`], by the token's hash.
    pub async fn check_hash(&self, store: &Store, hash: &str) -> anyhow::Result<Result<Caller, Refusal>> {
        let now = now_ms();
        let seen = match &self.cache {
            Some(cache) => match cache.get(hash) {
                (_, Some(caller)) => return Ok(still_valid(caller, now)),
                (seen, None) => seen,
            },
            None => None,
        };
        let verdict = verdict(hash, store.token_lookup(hash).await?, now);
        if let (Some(cache), Ok(caller)) = (&self.cache, &verdict) {
            cache.put(seen, hash, caller);
        }
        Ok(verdict)
    }

    /// After this node changed access: drop the cache and wake open streams
    /// now, without waiting for the change to come round as a notice.
    pub fn changed(&self) {
        if let Some(cache) = &self.cache {
            let mut entries = cache.entries.lock().expect("token cache");
            entries.callers.clear();
            entries.seen = None;
        }
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Moves whenever access changed.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }
}

/// A cached caller, unless its token expired since.
fn still_valid(caller: Caller, now: i64) -> Result<Caller, Refusal> {
    match caller.token.expires_at.map(|t| t.as_millisecond()) {
        Some(at) if at <= now => Err(Refusal::Expired(at)),
        _ => Ok(caller),
    }
}

impl Cache {
    /// The counter as read now, and the cached caller if the counter has not moved.
    fn get(&self, hash: &str) -> (Option<u64>, Option<Caller>) {
        let now = self.counter.read();
        let mut entries = self.entries.lock().expect("token cache");
        if now.is_none() || entries.seen != now {
            entries.callers.clear();
            entries.seen = now;
            return (now, None);
        }
        let hit = entries.callers.get(hash).filter(|(_, at)| at.elapsed() < CACHE_AGE).map(|(c, _)| c.clone());
        (now, hit)
    }

    /// Remembers a caller read while the counter stood at `seen`, unless it moved since.
    fn put(&self, seen: Option<u64>, hash: &str, caller: &Caller) {
        let mut entries = self.entries.lock().expect("token cache");
        if seen.is_none() || entries.seen != seen {
            return;
        }
        if entries.callers.len() >= CACHE_SIZE {
            entries.callers.clear();
        }
        entries.callers.insert(hash.to_string(), (caller.clone(), Instant::now()));
    }
}

/// Wakes this node's open streams when another process changed access:
/// on SQLite by polling the sidecar every 250 ms, on PostgreSQL by
/// `LISTEN sopline_access` (and after every reconnection, since notices
/// sent meanwhile are lost).
pub async fn watch_changes(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    let counter = match state.store.access_counter() {
        Ok(counter) => counter,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "cannot watch for access changes; streams re-check every 5 s");
            return;
        }
    };
    match counter {
        Some(counter) => {
            let mut last = counter.read();
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    _ = stop.changed() => return,
                }
                let now = counter.read();
                if now != last || now.is_none() {
                    last = now;
                    state.tokens.changed();
                }
            }
        }
        None => loop {
            match listen(&state, &mut stop).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "listening for access changes failed; reconnecting");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.changed() => return,
                    }
                }
            }
        },
    }
}

async fn listen(state: &AppState, stop: &mut watch::Receiver<bool>) -> anyhow::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(state.store.url()).await?;
    listener.listen(crate::server::store::ACCESS_CHANNEL).await?;
    state.tokens.changed();
    loop {
        tokio::select! {
            n = listener.recv() => { n?; }
            _ = stop.changed() => return Ok(()),
        }
        state.tokens.changed();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::{TokenRow, UserRow};

    fn lookup(revoked: bool, expires_at: Option<i64>, user: Option<bool>) -> Option<TokenLookup> {
        let token = TokenRow {
            id: "0123456789ab".into(),
            user: "wang".into(),
            kind: "login".into(),
            created_at: 0,
            expires_at,
            revoked_at: revoked.then_some(5),
        };
        let user = user.map(|disabled| UserRow {
            name: "wang".into(),
            role: "agent".into(),
            departments: vec!["property-frontdesk".into()],
            disabled,
            password_hash: None,
        });
        Some(TokenLookup { token, user })
    }

    #[test]
    fn a_token_works_until_it_expires() {
        let caller = verdict("h", lookup(false, Some(1_000), Some(false)), 999).unwrap();
        assert_eq!(
            (caller.name.as_str(), caller.token.id.as_str(), caller.token.hash.as_str()),
            ("wang", "0123456789ab", "h")
        );
        assert_eq!(verdict("h", lookup(false, Some(1_000), Some(false)), 1_000).unwrap_err(), Refusal::Expired(1_000));
        assert!(verdict("h", lookup(false, None, Some(false)), i64::MAX).is_ok(), "`never` never expires");
    }

    #[test]
    fn each_refusal_says_why() {
        assert_eq!(verdict("h", None, 0).unwrap_err(), Refusal::Unknown);
        assert_eq!(verdict("h", lookup(true, None, Some(false)), 0).unwrap_err(), Refusal::Revoked);
        assert_eq!(verdict("h", lookup(false, None, Some(true)), 0).unwrap_err(), Refusal::Disabled("wang".into()));
        assert_eq!(
            verdict("h", lookup(true, None, None), 0).unwrap_err(),
            Refusal::Deleted,
            "deleted says more than revoked"
        );
        for refusal in [Refusal::Revoked, Refusal::Expired(0), Refusal::Deleted] {
            assert!(
                refusal.message().contains("log in again") || refusal.message().contains("administrator"),
                "{refusal:?}"
            );
        }
    }
}
