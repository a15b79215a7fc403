//! Who is calling, and ending their access.
//!
//! Users have a role and departments; passwords are argon2 hashes; bearer
//! tokens are 256 random bits stored only as SHA-256, each with a public id
//! (the hash's first 12 hex digits), a kind (`login` or `api`), an expiry
//! and, once revoked, a revocation time.
//!
//! # Revocation takes effect on the next request, on every node
//!
//! A token is refused when it is revoked (logout, an admin, the CLI) or
//! expired, or when its user is disabled or deleted. How a node learns:
//!
//! - **SQLite** (one node): answers for valid tokens are cached in memory,
//!   so a request does not query the database. Every change of access, by
//!   the server or by `sopline token|user …` in another process, rewrites
//!   8 bytes in a sidecar file after its commit (`store::access`); the
//!   cache reads them (one `pread`) on every request and drops everything
//!   when they moved. Expiry is checked against the cached expiry time. So
//!   the first request after a change already sees it. (A 30 s age limit
//!   remains only as a net if the sidecar file were replaced.)
//! - **PostgreSQL** (several nodes): no cache. Every request looks its
//!   token up with one query on two primary keys (tokens by hash, users by
//!   name), so a change committed through any node or the CLI is seen by
//!   the next request on every node, with no invalidation message to wait
//!   for.
//!
//! Open event streams re-check their token: at once when this node changed
//! access ([`Tokens::changed`]), when another process announced a change
//! (SQLite: the sidecar, polled every 250 ms; PostgreSQL: `NOTIFY
//! sopline_access`), at the token's expiry, and in any case every
//! [`STREAM_RECHECK`]. A refused stream gets a last `closed` event saying
//! why, and ends.
//!
//! # Modules
//! - [`tokens`]: issuing, checking and caching tokens.
//! - [`login`]: the login flow: throttling, bounded password checks, audit.
//! - [`throttle`]: failed-login lockouts with growing backoff (pure).
//! - [`password`]: argon2 hashing and the bounded verifier.
//! - [`names`]: which user names are allowed (no look-alikes).
//! - [`manage`]: revoking, disabling, enabling and deleting (API and CLI).

pub mod login;
pub mod manage;
pub mod names;
pub mod password;
pub mod throttle;
pub mod tokens;

use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

pub use password::{hash_password, verify_password};
pub use tokens::{Lifetime, Refusal, Tokens, issue_token};

/// How often an open event stream re-checks its token even when no change
/// was announced (the bound for a change whose notice got lost).
pub const STREAM_RECHECK: Duration = Duration::from_secs(5);

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
    /// The token this request came with.
    pub token: TokenInfo,
}

/// The caller's token, without the secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenInfo {
    /// Public id: token lists and revocations name a token by it.
    pub id: String,
    /// When it stops working; `null`: never.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<jiff::Timestamp>,
    /// SHA-256 of the token, to look it up again (streams re-check theirs).
    #[serde(skip)]
    pub hash: String,
}

impl Caller {
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

/// A fresh random secret as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS has randomness");
    hex::encode(&buf)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
