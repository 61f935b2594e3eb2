//! What the SP remembers between requests: the AuthnRequest IDs it issued (each answered at
//! most once) and the assertion IDs it accepted (each used at most once until it expires).
//!
//! Both are bounded in memory: expired entries are dropped first, then the oldest.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most entries each store keeps.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The outcome of answering an AuthnRequest ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumed {
    /// The ID was outstanding; it is now used.
    Fresh,
    /// The ID was answered before: the Response is a replay.
    AlreadyUsed,
    /// The SP never issued the ID, or it expired unanswered.
    Unknown,
}

/// AuthnRequest IDs the SP issued, and those already answered.
#[derive(Debug)]
pub struct RequestStore {
    ttl: Duration,
    capacity: usize,
    inner: Mutex<Requests>,
}

#[derive(Debug, Default)]
struct Requests {
    outstanding: HashMap<String, Instant>,
    used: HashMap<String, Instant>,
}

impl RequestStore {
    /// A store whose requests may be answered within `ttl`.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity: capacity.max(1),
            inner: Mutex::new(Requests::default()),
        }
    }

    /// Remembers a newly issued request ID.
    pub fn issue(&self, id: &str) {
        let now = Instant::now();
        let mut inner = self.lock();
        prune(&mut inner.outstanding, now, self.ttl, self.capacity);
        inner.outstanding.insert(id.to_owned(), now);
    }

    /// Marks `id` answered, telling whether it was outstanding, already used, or unknown.
    /// Atomic: of two Responses to the same request, exactly one is `Fresh`.
    pub fn consume(&self, id: &str) -> Consumed {
        let now = Instant::now();
        let mut inner = self.lock();
        prune(&mut inner.used, now, self.ttl, self.capacity);
        if inner.used.contains_key(id) {
            return Consumed::AlreadyUsed;
        }
        match inner.outstanding.remove(id) {
            Some(issued) if now.duration_since(issued) <= self.ttl => {
                inner.used.insert(id.to_owned(), now);
                Consumed::Fresh
            }
            _ => Consumed::Unknown,
        }
    }

    /// Whether `id` is outstanding (issued, unanswered, not expired).
    pub fn is_outstanding(&self, id: &str) -> bool {
        let inner = self.lock();
        inner
            .outstanding
            .get(id)
            .is_some_and(|issued| issued.elapsed() <= self.ttl)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Requests> {
        // A panic while holding the lock cannot leave the maps inconsistent (each
        // operation is a single insert/remove), so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Assertion IDs already accepted, kept until the assertion expires.
#[derive(Debug)]
pub struct AssertionCache {
    capacity: usize,
    inner: Mutex<HashMap<String, Instant>>,
}

impl AssertionCache {
    /// An empty cache.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(HashMap::new()),
        }
    }

    /// Records `id` as used for `lifetime`; false when it was already recorded.
    pub fn first_use(&self, id: &str, lifetime: Duration) -> bool {
        let now = Instant::now();
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.retain(|_, expires| *expires > now);
        if inner.contains_key(id) {
            return false;
        }
        if inner.len() >= self.capacity
            && let Some(oldest) = inner
                .iter()
                .min_by_key(|(_, expires)| **expires)
                .map(|(k, _)| k.clone())
        {
            inner.remove(&oldest);
        }
        inner.insert(id.to_owned(), now + lifetime);
        true
    }
}

/// Drops entries older than `ttl`, then the oldest while over `capacity - 1`.
fn prune(map: &mut HashMap<String, Instant>, now: Instant, ttl: Duration, capacity: usize) {
    map.retain(|_, at| now.duration_since(*at) <= ttl);
    while map.len() >= capacity {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, at)| **at)
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        map.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_answered_once() {
        let store = RequestStore::new(Duration::from_secs(60), 10);
        store.issue("id-1");
        assert!(store.is_outstanding("id-1"));
        assert_eq!(store.consume("id-1"), Consumed::Fresh);
        assert_eq!(store.consume("id-1"), Consumed::AlreadyUsed);
        assert_eq!(store.consume("id-2"), Consumed::Unknown);
    }

    #[test]
    fn expired_and_evicted_requests_are_unknown() {
        let store = RequestStore::new(Duration::ZERO, 10);
        store.issue("old");
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(store.consume("old"), Consumed::Unknown);
        let small = RequestStore::new(Duration::from_secs(60), 2);
        for id in ["a", "b", "c"] {
            small.issue(id);
        }
        assert!(!small.is_outstanding("a"));
        assert!(small.is_outstanding("c"));
    }

    #[test]
    fn an_assertion_id_is_used_once() {
        let cache = AssertionCache::new(2);
        assert!(cache.first_use("a", Duration::from_secs(60)));
        assert!(!cache.first_use("a", Duration::from_secs(60)));
        assert!(cache.first_use("b", Duration::from_secs(60)));
        assert!(cache.first_use("c", Duration::from_secs(60)));
    }
}
