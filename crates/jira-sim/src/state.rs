//! What a running simulator holds: the data, the settings fixed at start, the knobs that the
//! admin endpoint may turn at run time (latency, faults, rate limits), the request counters, the
//! host pages' sessions and the personal data API's account statuses.
//!
//! The design decision: `AppState` is what every surface shares, so it names no surface. The
//! Connect and Forge hosts' own state (`connect::ConnectHost`, `forge::ForgeHost`) is
//! registered as app data of its own beside it (`server.rs`), and their handlers take both:
//! `connect` and `forge` depend on this module, never the other way round.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::site::Flavor;

/// Latency and fault injection, applied to every `/rest/` request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every response.
    pub latency_ms: u64,
    /// A uniform random extra of up to this much.
    pub jitter_ms: u64,
    /// Share (0 to 1) of requests answered 500 or 503 (half each, 503s with `Retry-After`).
    pub error_rate: f64,
    /// Share of requests delayed by `slow_ms` more.
    pub slow_rate: f64,
    pub slow_ms: u64,
    /// Share of requests whose connection is cut in the middle of the response.
    pub drop_rate: f64,
    /// Seeds the fault draws, so a run's sequence of faults repeats.
    pub seed: u64,
}

/// A per-credential budget: `per_second` sustained, bursts up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}

type KeyedLimiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The rate limiter in force (replaced whole when the limit changes).
pub struct Limiter {
    pub limit: RateLimit,
    limiter: KeyedLimiter,
}

/// What the limiter decided about one request.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    Unlimited,
    Allowed { limit: u32, remaining: u32 },
    Exhausted { limit: u32, retry_after_ms: u64 },
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Limiter {
        let per_second = NonZeroU32::new(limit.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limit.burst).unwrap_or(per_second);
        let limiter = RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst))
            .with_middleware::<StateInformationMiddleware>();
        Limiter { limit, limiter }
    }

    pub fn check(&self, key: &str) -> Budget {
        let limit = self.limit.burst.max(1);
        match self.limiter.check_key(&key.to_string()) {
            Ok(snapshot) => Budget::Allowed {
                limit,
                remaining: snapshot.remaining_burst_capacity(),
            },
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Budget::Exhausted {
                    limit,
                    retry_after_ms: wait.as_millis() as u64,
                }
            }
        }
    }
}

/// Request counters, as `GET /_sim/stats` shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Every request, `/_sim/` ones excepted.
    pub requests: u64,
    /// By `METHOD route`, e.g. `POST /rest/api/3/changelog/bulkfetch`.
    pub by_route: BTreeMap<String, u64>,
    /// By HTTP status.
    pub by_status: BTreeMap<u16, u64>,
    /// Requests refused with 429.
    pub rate_limited: u64,
    /// Injected 500 and 503 answers.
    pub injected_errors: u64,
    /// Requests slowed down on purpose.
    pub slowed: u64,
    /// Connections cut on purpose.
    pub dropped: u64,
    /// CORS preflight requests.
    pub preflights: u64,
    /// Content-Security-Policy violations the simulated Forge CDN's policy reported.
    pub forge_csp_violations: u64,
    /// Bridge commands a Custom UI sent that the Forge host does not answer, by command.
    pub forge_unknown_bridge_commands: BTreeMap<String, u64>,
    /// What the simulator served to apps' servers rather than to people's browsers, by
    /// `METHOD route`: requests signed as an installed Connect app, and the key services an
    /// app's server reads (`/connect-install-keys/{kid}`, `/.well-known/jwks.json`).
    pub served_to_apps: BTreeMap<String, Served>,
    /// On a canary site: how many answers to a person (a browser, a token) carried each
    /// kind's marker, by marker (`ZZCANARYSUMMARY`, ...).
    pub canary_served_to_people: BTreeMap<String, u64>,
}

/// The answers of one route to apps' servers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Served {
    pub requests: u64,
    /// The canary markers any of those answers carried (empty unless issue content went out).
    pub canary: std::collections::BTreeSet<String>,
}

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub flavor: Flavor,
    /// How clients reach this simulator (`http://127.0.0.1:PORT` unless configured).
    pub base_url: String,
    /// The API token (Basic with a user's e-mail) and the personal access token prefix.
    pub api_token: String,
    pub cors_origins: Vec<String>,
    /// The simulated Forge CDN's origin (`http://127.0.0.1:PORT`), when a Forge app is played:
    /// requests to it are Custom UI's, not Jira's.
    pub forge_cdn_origin: Option<String>,
}

impl Settings {
    /// Whether a request's `Host` is the simulated Forge CDN's.
    pub fn is_forge_cdn_host(&self, host: Option<&str>) -> bool {
        let cdn = self
            .forge_cdn_origin
            .as_deref()
            .and_then(|o| o.strip_prefix("http://"));
        host.is_some_and(|h| Some(h) == cdn)
    }
}

/// The simulated account directory's answers and what apps reported.
#[derive(Debug, Default)]
pub struct AccountStatuses {
    pub closed: BTreeSet<String>,
    pub updated: BTreeSet<String>,
    pub reported: Vec<ReportedBatch>,
    /// How many of the next requests are refused with 429 (not recorded).
    pub throttle: u32,
    /// Requests refused with 429.
    pub throttled: u32,
}

/// One request an app made.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportedBatch {
    pub app_key: String,
    pub accounts: Vec<ReportedAccount>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportedAccount {
    pub account_id: String,
    pub updated_at: String,
}

pub struct AppState {
    pub data: Arc<Dataset>,
    pub settings: Settings,
    pub faults: RwLock<Faults>,
    pub limiter: RwLock<Option<Limiter>>,
    pub stats: Mutex<Stats>,
    pub request_no: AtomicU64,
    /// Browser sessions of the host page: cookie value to user index.
    pub sessions: Mutex<HashMap<String, u8>>,
    /// The personal data reporting API's account statuses and the reports apps made.
    pub privacy: Mutex<AccountStatuses>,
}

impl AppState {
    pub fn new(
        data: Arc<Dataset>,
        settings: Settings,
        faults: Faults,
        rate_limit: Option<RateLimit>,
    ) -> AppState {
        AppState {
            data,
            settings,
            faults: RwLock::new(faults),
            limiter: RwLock::new(rate_limit.map(Limiter::new)),
            stats: Mutex::new(Stats::default()),
            request_no: AtomicU64::new(0),
            sessions: Mutex::new(HashMap::new()),
            privacy: Mutex::new(Default::default()),
        }
    }

    pub fn next_request_no(&self) -> u64 {
        self.request_no.fetch_add(1, Ordering::Relaxed)
    }

    pub fn faults(&self) -> Faults {
        self.faults.read().map(|f| f.clone()).unwrap_or_default()
    }

    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.limiter
            .read()
            .ok()
            .and_then(|l| l.as_ref().map(|l| l.limit))
    }

    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        if let Ok(mut l) = self.limiter.write() {
            *l = limit.map(Limiter::new);
        }
    }

    pub fn budget(&self, key: &str) -> Budget {
        match self.limiter.read() {
            Ok(l) => l.as_ref().map_or(Budget::Unlimited, |l| l.check(key)),
            Err(_) => Budget::Unlimited,
        }
    }

    pub fn with_stats(&self, f: impl FnOnce(&mut Stats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }

    pub fn stats(&self) -> Stats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }
}
