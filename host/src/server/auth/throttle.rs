//! Failed-login lockouts with growing backoff, kept per key (a user name or
//! a client address) in a map of bounded size. Pure: the caller passes the
//! time, so the rules are tested without waiting.
//!
//! After `failures` failed logins with no quiet `window` between them, the
//! key is locked for `first_lock`; every failure after a lockout locks it
//! again for twice as long, up to `max_lock`. A quiet `window` after the
//! last failure starts the count over; a success forgets the key.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// When a key gets locked out, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub failures: u32,
    pub window: Duration,
    pub first_lock: Duration,
    pub max_lock: Duration,
}

const MINUTE: Duration = Duration::from_secs(60);
const QUARTER_HOUR: Duration = Duration::from_secs(15 * 60);

/// Per user name: 5 failures, then 1, 2, 4, 8, 15, 15… minutes.
pub const PER_NAME: Policy = Policy { failures: 5, window: QUARTER_HOUR, first_lock: MINUTE, max_lock: QUARTER_HOUR };

/// Per client address: 20 failures (a shared office address logs in a lot), same backoff.
pub const PER_ADDRESS: Policy = Policy { failures: 20, ..PER_NAME };

/// How many keys a throttle remembers; beyond, the least recent unlocked
/// ones are forgotten first (about 100 bytes each).
pub const CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: Instant,
    locked_until: Option<Instant>,
    locks: u32,
}

impl Entry {
    fn locked(&self, now: Instant) -> Option<Duration> {
        self.locked_until.filter(|until| *until > now).map(|until| until - now)
    }
}

pub struct Throttle<K> {
    policy: Policy,
    capacity: usize,
    entries: HashMap<K, Entry>,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    pub fn new(policy: Policy, capacity: usize) -> Throttle<K> {
        Throttle { policy, capacity: capacity.max(1), entries: HashMap::new() }
    }

    /// `Err(how long)` while `key` is locked out.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        match self.entries.get(key).and_then(|e| e.locked(now)) {
            Some(left) => Err(left),
            None => Ok(()),
        }
    }

    /// Records a failure; `Some(lock)` when it locked the key out.
    pub fn fail(&mut self, key: K, now: Instant) -> Option<Duration> {
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            self.make_room(now);
        }
        let policy = self.policy;
        let fresh = Entry { failures: 0, last_failure: now, locked_until: None, locks: 0 };
        let entry = self.entries.entry(key).or_insert(fresh);
        if now.duration_since(entry.last_failure) > policy.window && entry.locked(now).is_none() {
            *entry = fresh;
        }
        entry.failures += 1;
        entry.last_failure = now;
        if entry.failures < policy.failures {
            return None;
        }
        let lock = policy.first_lock.saturating_mul(1 << entry.locks.min(16)).min(policy.max_lock);
        entry.locks += 1;
        entry.locked_until = Some(now + lock);
        Some(lock)
    }

    /// Forgets a key after a success.
    pub fn succeed(&mut self, key: &K) {
        self.entries.remove(key);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets what no longer matters, then, if still full, the least
    /// recently failed keys (unlocked before locked) down to 90 %.
    fn make_room(&mut self, now: Instant) {
        let window = self.policy.window;
        self.entries.retain(|_, e| e.locked(now).is_some() || now.duration_since(e.last_failure) <= window);
        let keep = self.capacity * 9 / 10;
        if self.entries.len() <= keep {
            return;
        }
        let mut order: Vec<(bool, Instant, K)> =
            self.entries.iter().map(|(k, e)| (e.locked(now).is_some(), e.last_failure, k.clone())).collect();
        order.sort_by_key(|(locked, last, _)| (*locked, *last));
        let excess = self.entries.len() - keep;
        for (_, _, key) in order.into_iter().take(excess) {
            self.entries.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn the_fifth_failure_locks_for_a_minute_and_each_later_one_doubles_it() {
        let mut t = Throttle::new(PER_NAME, CAPACITY);
        let start = Instant::now();
        for i in 0..4 {
            assert_eq!(t.fail("chen", start + secs(i)), None);
            assert!(t.check(&"chen", start + secs(i)).is_ok());
        }
        assert_eq!(t.fail("chen", start + secs(4)), Some(secs(60)));
        assert_eq!(t.check(&"chen", start + secs(5)), Err(secs(59)));
        assert!(t.check(&"zhou", start + secs(5)).is_ok(), "other keys are not affected");
        let after = start + secs(64);
        assert!(t.check(&"chen", after).is_ok(), "the lock ends");
        assert_eq!(t.fail("chen", after), Some(secs(120)), "one more failure locks again, twice as long");
        let (mut at, mut lock) = (after, 120);
        for expected in [240, 480, 900, 900] {
            at += secs(lock);
            assert!(t.check(&"chen", at).is_ok());
            assert_eq!(t.fail("chen", at), Some(secs(expected)), "a failure as soon as the lock ended");
            lock = expected;
        }
    }

    #[test]
    fn a_quiet_window_or_a_success_starts_over() {
        let mut t = Throttle::new(PER_NAME, CAPACITY);
        let start = Instant::now();
        for i in 0..4 {
            t.fail("chen", start + secs(i));
        }
        let later = start + secs(3) + PER_NAME.window + secs(1);
        assert_eq!(t.fail("chen", later), None, "the old failures no longer count");
        for i in 1..4 {
            t.fail("chen", later + secs(i));
        }
        t.succeed(&"chen");
        assert_eq!(t.fail("chen", later + secs(5)), None, "a success forgot the failures");
    }

    #[test]
    fn memory_stays_bounded_and_locked_keys_are_kept_longest() {
        let mut t = Throttle::new(Policy { failures: 2, ..PER_NAME }, 100);
        let start = Instant::now();
        t.fail(0u32, start);
        t.fail(0u32, start);
        for key in 1..10_000u32 {
            t.fail(key, start + Duration::from_millis(key as u64));
            assert!(t.len() <= 100);
        }
        assert!(t.check(&0, start + secs(30)).is_err(), "the locked key survived the flood of new keys");
    }
}
