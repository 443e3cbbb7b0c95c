//! The server's one in-memory cache: [`TtlCache`], a bounded map whose entries expire a fixed
//! time after they were loaded, used for opened tenants, users' Jira groups and install keys.
//!
//! The design decision: moka's async cache underneath, not a hand-rolled map. It gives
//! single-flight loading (concurrent misses for one key await one load, so a burst of requests
//! for one user makes one outbound Jira call), evicts expired entries in its housekeeping on
//! every access to the cache (not only when the expired key is read again) and bounds the size
//! by least-recent use, where the old maps emptied themselves when full.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use crate::error::ApiError;

/// A bounded cache whose entries live `ttl` (or until evicted) and load once per key at a time.
pub struct TtlCache<K, V> {
    inner: moka::future::Cache<K, V>,
}

impl<K, V> std::fmt::Debug for TtlCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache")
            .field("entries", &self.inner.entry_count())
            .finish_non_exhaustive()
    }
}

impl<K, V> TtlCache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// At most `capacity` entries, each kept `ttl` after it was loaded; `None` keeps entries
    /// until they are evicted for room or invalidated.
    pub fn new(capacity: u64, ttl: Option<Duration>) -> Self {
        let builder = moka::future::Cache::builder().max_capacity(capacity);
        let inner = match ttl {
            Some(ttl) => builder.time_to_live(ttl).build(),
            None => builder.build(),
        };
        TtlCache { inner }
    }

    /// The cached value of `key`, or the one `load` gives, which is cached. Concurrent calls
    /// for the same key while a load runs wait for it instead of loading again; an error is
    /// not cached, and each waiter gets it.
    pub async fn get_or_load(
        &self,
        key: K,
        load: impl Future<Output = Result<V, ApiError>>,
    ) -> Result<V, ApiError> {
        self.inner.try_get_with(key, load).await.map_err(unshare)
    }

    /// The unexpired value of `key`, without loading.
    pub async fn get(&self, key: &K) -> Option<V> {
        self.inner.get(key).await
    }

    /// Whether `key` has an unexpired entry.
    pub async fn contains(&self, key: &K) -> bool {
        self.inner.get(key).await.is_some()
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn insert(&self, key: K, value: V) {
        self.inner.insert(key, value).await;
    }

    /// Stores `value` under `key` unless an unexpired entry is there already; true when this
    /// call stored it (a replay cache asks "first time seen?" this way, atomically).
    pub async fn insert_new(&self, key: K, value: V) -> bool {
        self.inner.entry(key).or_insert(value).await.is_fresh()
    }

    /// Drops `key`'s entry.
    pub async fn forget(&self, key: &K) {
        self.inner.invalidate(key).await;
    }

    /// Drops every entry.
    pub fn forget_all(&self) {
        self.inner.invalidate_all();
    }

    /// Evicts what has expired now, without waiting for the next access.
    pub async fn evict_expired(&self) {
        self.inner.run_pending_tasks().await;
    }

    /// Evicts expired entries every `every`, forever (spawn it). moka evicts only while the
    /// cache is used, so without a sweep an idle server would keep an expired entry (for the
    /// tenant cache, an opened shared secret) in memory until the next request.
    pub async fn sweep(&self, every: Duration) {
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            self.evict_expired().await;
        }
    }

    /// How many entries are held (expired ones count until housekeeping evicts them).
    pub fn entry_count(&self) -> u64 {
        self.inner.entry_count()
    }
}

/// A load's error as each waiter gets it: the error itself for the last holder, a copy for
/// the others (an internal error's copy keeps its message; its log line says the rest).
fn unshare(e: Arc<ApiError>) -> ApiError {
    Arc::try_unwrap(e).unwrap_or_else(|shared| match &*shared {
        ApiError::Unauthorized(m) => ApiError::Unauthorized(m),
        ApiError::JiraUnavailable(m) => ApiError::JiraUnavailable(m.clone()),
        ApiError::RateLimited {
            retry_after_seconds,
        } => ApiError::RateLimited {
            retry_after_seconds: *retry_after_seconds,
        },
        ApiError::Internal(e) => ApiError::Internal(anyhow::anyhow!("{e:#}")),
        other => ApiError::Internal(anyhow::anyhow!("{other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn expired_entries_are_evicted_without_being_read() {
        let cache = TtlCache::new(10, Some(Duration::from_millis(50)));
        let v = cache.get_or_load(1, async { Ok("one") }).await.unwrap();
        assert_eq!(v, "one");
        cache.evict_expired().await;
        assert_eq!(cache.entry_count(), 1);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while cache.entry_count() > 0 {
            assert!(std::time::Instant::now() < deadline, "never evicted");
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
            cache.evict_expired().await;
        }
    }

    /// Regression (issue 13, caches evict on expiry): an expired entry stayed in memory for as
    /// long as nobody used the cache. The swept cache empties by itself; the unswept one, used
    /// by nobody either, still holds its entry.
    #[actix_web::test]
    async fn a_swept_cache_evicts_expired_entries_while_idle() {
        let ttl = Some(Duration::from_millis(50));
        let swept = Arc::new(TtlCache::new(10, ttl));
        let idle = TtlCache::new(10, ttl);
        swept.insert(1, "secret").await;
        idle.insert(1, "secret").await;
        swept.evict_expired().await;
        idle.evict_expired().await;
        assert_eq!((swept.entry_count(), idle.entry_count()), (1, 1));
        let sweeper = swept.clone();
        actix_web::rt::spawn(async move { sweeper.sweep(Duration::from_millis(10)).await });
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while swept.entry_count() > 0 {
            assert!(std::time::Instant::now() < deadline, "never swept");
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            idle.entry_count(),
            1,
            "without a sweep the expired entry stays"
        );
    }

    /// Regression (issue 13, "the secret caches evict on expiry and zeroise secrets"): an
    /// expired tenant's shared secret is wiped from memory, not only dropped. The test reads
    /// its own process's writable memory (`/proc/self/mem`) for the secret's bytes: found while
    /// the tenant is cached (so the search can find it), found nowhere once the entry expired
    /// and the tenant was dropped. A secret freed without being wiped stays in the freed heap
    /// block: with `Tenant::shared_secret` a plain `Vec<u8>`, this test fails.
    #[cfg(target_os = "linux")]
    #[actix_web::test]
    async fn an_expired_tenant_secret_is_wiped_from_memory() {
        use crate::auth::{Tenant, TenantCache};
        use crate::store::{Platform, TenantId};

        let cache = TenantCache::new(10, Some(Duration::from_millis(50)));
        let mut fence = None;
        let tenant = cache
            .get_or_load("site".into(), async {
                // Written straight into its own buffer: no other copy exists.
                let mut secret = Vec::with_capacity(memory::SECRET_LEN);
                secret.extend((0..memory::SECRET_LEN).map(memory::secret_byte));
                // A block allocated after it and kept to the end: the freed secret cannot
                // then merge into the heap's free top, which the allocator may give back to
                // the system (which would wipe it whatever Dwell did).
                fence = Some(vec![1u8; 1024]);
                Ok(Some(Arc::new(Tenant {
                    id: TenantId(1),
                    platform: Platform::Connect,
                    client_key: "site".into(),
                    base_url: "https://site.atlassian.net".into(),
                    display_url: None,
                    shared_secret: secret.into(),
                    uninstalled: false,
                })))
            })
            .await
            .unwrap()
            .unwrap();
        let held = Arc::downgrade(&tenant);
        drop(tenant);
        assert!(
            memory::copies_of_secret() > 0,
            "the search finds the cached secret"
        );

        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while held.strong_count() > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the expired tenant was never dropped"
            );
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
            cache.evict_expired().await;
        }
        assert_eq!(
            memory::copies_of_secret(),
            0,
            "the expired tenant's secret is still in memory"
        );
        assert!(fence.is_some_and(|f| f.len() == 1024));
    }

    /// Searching this process's own memory for a secret that is never written out whole
    /// anywhere but in the buffer under test.
    #[cfg(target_os = "linux")]
    mod memory {
        use std::io::{Read, Seek, SeekFrom};

        /// Far longer than the allocator's small-block caches, and under its threshold for
        /// a mapping of its own (which would be unmapped when freed, wiped or not): a freed
        /// block of this size is kept, and reused from its start when smaller blocks are cut
        /// from it.
        pub const SECRET_LEN: usize = 64 * 1024;
        /// The part searched for: near the end, away from where the allocator writes its
        /// bookkeeping into a freed block (its start, and its last bytes).
        const FROM: usize = SECRET_LEN - 1024;
        const LEN: usize = 64;

        /// The secret's byte `i`, computed (a literal would be a second copy in memory).
        pub fn secret_byte(i: usize) -> u8 {
            let x = (i as u64 ^ 0x5eed_5ec2).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            // Never zero: a wiped buffer is all zeros.
            ((x >> 56) as u8) | 1
        }

        /// How many places in the process's writable memory hold the secret's middle.
        pub fn copies_of_secret() -> usize {
            let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
            let mut mem = std::fs::File::open("/proc/self/mem").unwrap();
            // Wiped when dropped, as it may hold a copy of what it found.
            let mut chunk = zeroize::Zeroizing::new(vec![0u8; 1 << 20]);
            let mut found = 0;
            for line in maps.lines() {
                let mut parts = line.split_whitespace();
                let (Some(range), Some(perms)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let name = parts.nth(3).unwrap_or("");
                if !perms.starts_with("rw") || name.starts_with("[v") {
                    continue;
                }
                let Some((start, end)) = range.split_once('-') else {
                    continue;
                };
                let (Ok(start), Ok(end)) =
                    (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
                else {
                    continue;
                };
                // Chunks overlap by the needle's length, so no match is cut in two.
                let mut at = start;
                while at < end {
                    let want = (end - at).min(chunk.len() as u64) as usize;
                    if mem.seek(SeekFrom::Start(at)).is_err() {
                        break;
                    }
                    let Ok(got) = mem.read(&mut chunk[..want]) else {
                        break;
                    };
                    if got == 0 {
                        break;
                    }
                    found += matches(&chunk[..got]);
                    chunk[..got].fill(0);
                    if got < LEN || at + got as u64 >= end {
                        break;
                    }
                    at += (got - (LEN - 1)) as u64;
                }
            }
            found
        }

        fn matches(hay: &[u8]) -> usize {
            let first = secret_byte(FROM);
            (0..hay.len().saturating_sub(LEN - 1))
                .filter(|&p| {
                    hay[p] == first && (1..LEN).all(|k| hay[p + k] == secret_byte(FROM + k))
                })
                .count()
        }
    }

    #[actix_web::test]
    async fn errors_are_not_cached() {
        let cache: TtlCache<u8, u8> = TtlCache::new(10, None);
        let e = cache
            .get_or_load(1, async { Err(ApiError::Unauthorized("no")) })
            .await;
        assert!(matches!(e, Err(ApiError::Unauthorized("no"))));
        assert_eq!(cache.get_or_load(1, async { Ok(7) }).await.unwrap(), 7);
    }
}
