//! Logging in: throttled per user name and per client address, password
//! checks bounded ([`Verifier`]), every attempt that reached a check
//! audited with the address, and a token that lasts `--session-ttl`.
//!
//! A failure is counted against the name *before* its password is checked,
//! so concurrent guesses cannot all slip in under the limit; a success
//! forgets the name's failures. Against the address a failure counts only
//! once it is known to be one, and a success does not reset it (one valid
//! account must not launder guesses at others). The state lives in this
//! node's memory, bounded by [`throttle::CAPACITY`] keys per kind.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::json;

use super::password::Verifier;
use super::throttle::{self, Throttle};
use super::{Caller, Lifetime, Role, TokenInfo, issue_token, names, token_hash};
use crate::server::store::Store;

/// How logins behave (`sopline serve --session-ttl`, `--trust-proxy`).
#[derive(Debug, Clone, Copy)]
pub struct LoginSettings {
    /// How long a console login's token works.
    pub session_ttl: Duration,
    /// Take the client address from `X-Forwarded-For` (the address the
    /// reverse proxy appended last) instead of the connection.
    pub trust_proxy: bool,
}

impl Default for LoginSettings {
    fn default() -> Self {
        LoginSettings { session_ttl: Duration::from_secs(12 * 3600), trust_proxy: false }
    }
}

/// Why a login did not give a token.
#[derive(Debug)]
pub enum LoginError {
    /// Locked out for `retry_after`, because of failures for this name or from this address.
    Throttled {
        retry_after: Duration,
        by: &'static str,
    },
    /// Too many password checks running already.
    Busy,
    Wrong,
    Disabled(String),
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for LoginError {
    fn from(e: anyhow::Error) -> Self {
        LoginError::Internal(e)
    }
}

/// A new console session.
pub struct Session {
    pub token: String,
    pub caller: Caller,
}

pub struct Logins {
    names: Mutex<Throttle<String>>,
    addresses: Mutex<Throttle<IpAddr>>,
    verifier: Verifier,
    pub settings: LoginSettings,
}

/// Checked for unknown users, so the answer takes as long either way.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2lq1a0MmQF0ZcdxDN2yXsiGy9yBnbiR2ShcfTVqd7fQ";

impl Logins {
    pub fn new(settings: LoginSettings) -> Logins {
        Logins {
            names: Mutex::new(Throttle::new(throttle::PER_NAME, throttle::CAPACITY)),
            addresses: Mutex::new(Throttle::new(throttle::PER_ADDRESS, throttle::CAPACITY)),
            verifier: Verifier::per_core(),
            settings,
        }
    }

    pub async fn login(&self, store: &Store, name: &str, password: &str, from: IpAddr) -> Result<Session, LoginError> {
        let (key, address, shown) =
            (name.chars().take(64).collect::<String>(), address_key(from), names::printable(name));
        let now = Instant::now();
        self.names.lock().expect("throttle").check(&key, now).map_err(|d| throttled(d, "name"))?;
        self.addresses.lock().expect("throttle").check(&address, now).map_err(|d| throttled(d, "address"))?;
        let admitted = self.verifier.admit().map_err(|_| LoginError::Busy)?;
        let name_lock = self.names.lock().expect("throttle").fail(key.clone(), now);

        let user = if name.chars().count() > 64 { None } else { store.user(name).await? };
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let ok = admitted.verify(password.to_string(), hash.clone().unwrap_or_else(|| DUMMY_HASH.into())).await;
        let at = address.to_string();
        let user = match user {
            Some(user) if ok && hash.is_some() => user,
            _ => {
                let reason = match (&user, &hash) {
                    (None, _) => "unknown_user",
                    (Some(_), None) => "no_password",
                    _ => "wrong_password",
                };
                store.audit(&at, "login_failed", &shown, json!({ "address": at, "reason": reason })).await?;
                let address_lock = self.addresses.lock().expect("throttle").fail(address, Instant::now());
                for (lock, by, subject) in [(name_lock, "name", &shown), (address_lock, "address", &at)] {
                    if let Some(lock) = lock {
                        let detail = json!({ "address": at, "by": by, "seconds": lock.as_secs() });
                        store.audit(&at, "login_locked", subject, detail).await?;
                    }
                }
                return Err(LoginError::Wrong);
            }
        };
        self.names.lock().expect("throttle").succeed(&key);
        if user.disabled {
            store
                .audit(&user.name, "login_refused", &user.name, json!({ "address": at, "reason": "disabled" }))
                .await?;
            return Err(LoginError::Disabled(user.name));
        }
        let role = Role::parse(&user.role).map_err(anyhow::Error::msg)?;
        let lifetime = Lifetime::For(self.settings.session_ttl);
        let (token, id) = issue_token(store, &user.name, "login", lifetime).await?;
        store.audit(&user.name, "login", &user.name, json!({ "address": at, "token": id })).await?;
        let expires_at = jiff::Timestamp::now().checked_add(self.settings.session_ttl).ok();
        let caller = Caller {
            name: user.name,
            role,
            departments: user.departments,
            token: TokenInfo { id, expires_at, hash: token_hash(&token) },
        };
        Ok(Session { token, caller })
    }
}

fn throttled(retry_after: Duration, by: &'static str) -> LoginError {
    // Whole seconds, rounded up: `Retry-After: 0` would invite a retry that fails.
    let retry_after = Duration::from_secs(retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0));
    LoginError::Throttled { retry_after, by }
}

/// The key an address is throttled under: IPv4 as is, IPv6 by its /64
/// (one subscriber usually holds a whole /64).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_throttled_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(address_key(mapped), "203.0.113.7".parse::<IpAddr>().unwrap());
    }
}
