//! The install key service's public keys, by `kid`: what verifies Atlassian's signed Connect
//! lifecycle calls (see [`crate::lifecycle`]).
//!
//! The design decision: every way a forged call could make the server work is bounded. A key
//! (or the service's "no such key") is cached with a TTL, so a repeated forged `kid` costs one
//! fetch and a key Atlassian withdraws stops being trusted; key fetches have a global budget
//! and a smaller one per source address, and lifecycle calls one per source, so forged calls
//! from one place cannot use up what Atlassian's real installs need. A `kid` is checked to be
//! a plain name before it becomes part of a URL.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use jsonwebtoken::DecodingKey;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::cache::TtlCache;
use crate::error::ApiError;

/// Public keys of the install key service, by `kid`.
pub struct InstallKeys {
    base_url: String,
    timeout: Duration,
    /// Keys by `kid`, and `None` for a `kid` the service does not know, so that repeating a
    /// forged `kid` costs no further fetch. Entries expire after `Settings::install_keys_ttl`
    /// (ten minutes), so a key Atlassian withdraws stops being trusted.
    cache: TtlCache<String, Option<DecodingKey>>,
    /// Unknown `kid`s cost an outbound request each; this bounds how many a flood can cause.
    fetches: DefaultDirectRateLimiter,
    /// ...and this how many of those one source address may cause.
    fetches_by_source: DefaultKeyedRateLimiter<IpAddr>,
    /// Lifecycle calls by source address, verified or not.
    calls_by_source: DefaultKeyedRateLimiter<IpAddr>,
}

/// Key fetches one source may cause a minute (the global budget is 30).
const FETCHES_PER_SOURCE_PER_MINUTE: u32 = 5;

const INSTALL_KEYS_CACHED: u64 = 256;

impl InstallKeys {
    /// `calls_per_source` bounds the lifecycle calls of one source address a minute; a key (or
    /// the service's "no such key") is trusted for `ttl`, then fetched again.
    pub fn new(base_url: String, timeout: Duration, calls_per_source: u32, ttl: Duration) -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        InstallKeys {
            base_url,
            timeout,
            cache: TtlCache::new(INSTALL_KEYS_CACHED, Some(ttl)),
            fetches: RateLimiter::direct(per_minute(30)),
            fetches_by_source: RateLimiter::keyed(per_minute(FETCHES_PER_SOURCE_PER_MINUTE)),
            calls_by_source: RateLimiter::keyed(per_minute(calls_per_source)),
        }
    }

    /// Takes one lifecycle call from `source`'s budget.
    pub fn admit(&self, source: Option<IpAddr>) -> Result<(), ApiError> {
        match source {
            Some(ip) if self.calls_by_source.check_key(&ip).is_err() => {
                Err(ApiError::RateLimited {
                    retry_after_seconds: 2,
                })
            }
            _ => Ok(()),
        }
    }

    /// The key for `kid`, from the cache or the key service; a fetch is charged to `source`.
    pub async fn key(&self, kid: &str, source: Option<IpAddr>) -> Result<DecodingKey, ApiError> {
        if !valid_kid(kid) {
            return Err(ApiError::Unauthorized("malformed key id"));
        }
        self.cache
            .get_or_load(kid.to_string(), self.fetch(kid, source))
            .await?
            .ok_or(ApiError::Unauthorized("unknown install key"))
    }

    /// Forgets the per-source budgets that are full again, so memory follows active sources.
    pub fn tidy(&self) {
        self.fetches_by_source.retain_recent();
        self.calls_by_source.retain_recent();
    }

    /// The service's key for `kid`; `None` when it answers that it has none (404, or 403 as
    /// object stores answer for a missing object).
    async fn fetch(
        &self,
        kid: &str,
        source: Option<IpAddr>,
    ) -> Result<Option<DecodingKey>, ApiError> {
        let over_source = source.is_some_and(|ip| self.fetches_by_source.check_key(&ip).is_err());
        if over_source || self.fetches.check().is_err() {
            return Err(ApiError::RateLimited {
                retry_after_seconds: 2,
            });
        }
        let url = format!(
            "{}/{}",
            self.base_url,
            utf8_percent_encode(kid, NON_ALPHANUMERIC)
        );
        let mut response = crate::outbound::client()
            .get(url)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| {
                ApiError::JiraUnavailable(format!("the install key service did not answer: {e}"))
            })?;
        let status = response.status().as_u16();
        if matches!(status, 403 | 404) {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(ApiError::JiraUnavailable(format!(
                "the install key service answered {status}"
            )));
        }
        let pem = response.body().limit(16 * 1024).await.map_err(|e| {
            ApiError::JiraUnavailable(format!("the install key service did not answer: {e}"))
        })?;
        DecodingKey::from_rsa_pem(&pem)
            .map(Some)
            .map_err(|_| ApiError::Unauthorized("install key is not an RSA public key"))
    }
}

fn valid_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= 128
        && kid != "."
        && kid != ".."
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_cannot_leave_the_key_service() {
        assert!(valid_kid("0e50fccb-239d-4991-a5db-dc850ba3f236"));
        assert!(!valid_kid("../secrets"));
        assert!(!valid_kid(".."));
        assert!(!valid_kid("a/b"));
        assert!(!valid_kid(""));
    }
}
