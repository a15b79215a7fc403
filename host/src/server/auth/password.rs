//! Argon2 password hashes, and checking them a bounded number at a time.
//!
//! One check takes argon2's default 19 MiB and tens of milliseconds of a
//! core. Unbounded, a flood of bad logins ran hundreds at once: 384 of them
//! at concurrency 64 took the server from 109 MiB to 1.4 GB resident and a
//! real login to 29 s (debug build). The [`Verifier`] runs at most one
//! check per core and lets a few more wait; anything beyond is turned away
//! at once (503), so memory stays bounded and other requests keep a core.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::Semaphore;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("{e}"))?.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Too many password checks are running or waiting: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// Runs password checks on blocking threads, `parallel` at a time, with at
/// most `waiting` more queued.
pub struct Verifier {
    slots: Arc<Semaphore>,
    admitted: Arc<AtomicUsize>,
    limit: usize,
}

/// Counts a request from admission until it is answered or abandoned.
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Verifier {
    pub fn new(parallel: usize, waiting: usize) -> Verifier {
        let parallel = parallel.max(1);
        Verifier {
            slots: Arc::new(Semaphore::new(parallel)),
            admitted: Arc::new(AtomicUsize::new(0)),
            limit: parallel + waiting,
        }
    }

    /// One check per core, and twice as many waiting.
    pub fn per_core() -> Verifier {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Verifier::new(cores, 2 * cores)
    }

    /// A place in the queue, or [`Busy`] at once when the queue is full.
    pub fn admit(&self) -> Result<Admitted, Busy> {
        if self.admitted.fetch_add(1, Ordering::AcqRel) >= self.limit {
            self.admitted.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        Ok(Admitted { admission: Admission(self.admitted.clone()), slots: self.slots.clone() })
    }

    /// Whether `password` matches `hash`; [`Busy`] at once when the queue is full.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Busy> {
        Ok(self.admit()?.verify(password, hash).await)
    }
}

/// A password check that has its place in the queue.
pub struct Admitted {
    admission: Admission,
    slots: Arc<Semaphore>,
}

impl Admitted {
    /// Waits for a free slot, then checks on a blocking thread.
    pub async fn verify(self, password: String, hash: String) -> bool {
        let Admitted { admission, slots } = self;
        let Ok(slot) = slots.acquire_owned().await else { return false };
        // The slot and the admission go with the check: a client that hangs
        // up does not free them while argon2 still runs.
        let check = tokio::task::spawn_blocking(move || {
            let ok = verify_password(&password, &hash);
            drop((slot, admission));
            ok
        });
        check.await.unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn checks_beyond_the_queue_are_turned_away_at_once() {
        let hash = hash_password("right-password").unwrap();
        let verifier = Arc::new(Verifier::new(1, 1));
        let (a, b, c) = tokio::join!(
            verifier.verify("right-password".into(), hash.clone()),
            verifier.verify("wrong-password".into(), hash.clone()),
            verifier.verify("right-password".into(), hash.clone()),
        );
        assert_eq!((a, b, c), (Ok(true), Ok(false), Err(Busy)), "one runs, one waits, the third is turned away");
        assert_eq!(verifier.verify("right-password".into(), hash).await, Ok(true), "room again once they finished");
    }
}
