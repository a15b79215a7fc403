//! Who is calling: users with roles and departments, argon2 password
//! hashes, and bearer tokens (256 random bits, stored only as SHA-256).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::store::{Store, UserRow};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works contacts of their departments.
    Agent,
    /// Watches and drills into their departments.
    Supervisor,
    /// Everything: bindings, swaps, users, every department.
    Admin,
    /// Uploads plugins.
    Author,
}

impl Role {
    pub const ALL: [&'static str; 4] = ["agent", "supervisor", "admin", "author"];

    pub fn parse(text: &str) -> Result<Role, String> {
        match text {
            "agent" => Ok(Role::Agent),
            "supervisor" => Ok(Role::Supervisor),
            "admin" => Ok(Role::Admin),
            "author" => Ok(Role::Author),
            other => Err(format!("unknown role `{other}` (roles: {})", Role::ALL.join(", "))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Author => "author",
        }
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Caller {
    pub name: String,
    pub role: Role,
    pub departments: Vec<String>,
}

impl Caller {
    pub fn from_row(row: &UserRow) -> Option<Caller> {
        Some(Caller {
            name: row.name.clone(),
            role: Role::parse(&row.role).ok()?,
            departments: row.departments.clone(),
        })
    }

    /// The departments whose contacts the caller may see: `None` for all.
    pub fn scope(&self) -> Option<&[String]> {
        match self.role {
            Role::Admin => None,
            Role::Agent | Role::Supervisor => Some(&self.departments),
            Role::Author => Some(&[]),
        }
    }

    pub fn sees(&self, department: &str) -> bool {
        self.scope().is_none_or(|s| s.iter().any(|d| d == department))
    }
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("{e}"))?.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A fresh random secret as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS has randomness");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Issues a token for an existing user and stores its hash.
pub async fn issue_token(store: &Store, user: &str) -> anyhow::Result<String> {
    let token = format!("sop_{}", random_hex(32));
    store.add_token(&token_hash(&token), user).await?;
    Ok(token)
}

/// Resolves tokens, remembering answers for a short while so the hot path
/// does not query the database on every request.
pub struct Tokens {
    cache: Mutex<HashMap<String, (Caller, Instant)>>,
    ttl: Duration,
}

impl Default for Tokens {
    fn default() -> Self {
        Tokens { cache: Mutex::new(HashMap::new()), ttl: Duration::from_secs(30) }
    }
}

impl Tokens {
    pub async fn caller(&self, store: &Store, token: &str) -> anyhow::Result<Option<Caller>> {
        let hash = token_hash(token);
        if let Some((caller, at)) = self.cache.lock().expect("token cache").get(&hash)
            && at.elapsed() < self.ttl
        {
            return Ok(Some(caller.clone()));
        }
        let caller = store.token_user(&hash).await?.as_ref().and_then(Caller::from_row);
        if let Some(c) = &caller {
            let mut cache = self.cache.lock().expect("token cache");
            if cache.len() > 100_000 {
                cache.clear();
            }
            cache.insert(hash, (c.clone(), Instant::now()));
        }
        Ok(caller)
    }

    /// Forgets every cached token (after a user's role or departments changed).
    pub fn forget(&self) {
        self.cache.lock().expect("token cache").clear();
    }
}
