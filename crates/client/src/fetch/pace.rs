//! Pacing under Jira's rate limit: learns how many requests a second Jira lets this user send,
//! from its refusals, and holds the whole run to that rate. Pure: send and answer times in,
//! the earliest time of the next request out.
//!
//! Reacting alone (wait out `Retry-After`, then send as fast as the concurrency allows) makes
//! every burst after a pause run into the limit again: a quarter of the requests of a long run
//! were refused that way. A token bucket like Jira's (or jira-sim's) refills at a steady rate,
//! so the rate is what to learn, and the learning uses only what every transport reports (the
//! status and `Retry-After`; `AP.request` and `requestJira` do not hand over every header):
//!
//! - Until Jira first refuses, nothing is paced: most runs never meet the limit.
//! - The first refusal starts an *episode*: the bucket is empty then. The first guess is twice
//!   the answers admitted in the last second, and it grows by half every second in which it
//!   held requests back, until the next refusal. It is meant to be too fast: sent faster than
//!   the rate, the bucket only drains, so the next refusal comes soon and little that Jira
//!   would have allowed is left unused. (A run that cannot even keep up with the guess never
//!   meets the limit again and needs no better one.)
//! - The next refusal of a request sent after the episode began ends it. The bucket was empty
//!   at both ends, so the requests admitted in between (counting only those sent after the
//!   first refusal) divided by the time between is the rate, or less when the bucket
//!   overflowed during the pause (its burst is smaller than `Retry-After` times the rate). The
//!   run is held to a little under that from then on, and each later refusal measures again.
//!   Refusals of requests sent before an episode began are its echo (they were in flight
//!   together) and teach nothing.

use std::collections::VecDeque;

/// Share of the measured rate the run is held to: headroom for answers that arrive bunched.
const HEADROOM: f64 = 0.95;
/// Growth of the first guess per second until the rate is measured.
const PROBE_GROWTH: f64 = 1.5;
/// The slowest pace: Jira's hourly quotas can refuse for a long time, and `Retry-After` covers
/// those waits; the pace itself never drops below this.
const MIN_PER_SECOND: f64 = 0.5;

/// What Jira did with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Past the rate limit: answered (a 200, or an error about the request itself).
    Admitted,
    /// Refused with 429.
    Refused,
}

/// The pace of one run. See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Pacer {
    /// Requests a second the run is held to; `None` until Jira first refuses one.
    per_second: Option<f64>,
    /// Whether `per_second` was measured between two refusals (it then stops growing).
    measured: bool,
    /// When the next request may leave.
    next_at: f64,
    /// When the current episode began (the answer time of the refusal that began it).
    episode_at: Option<f64>,
    /// Requests sent after `episode_at` and admitted.
    admitted_since: u64,
    /// Answer times of admitted requests in the last second, for the first guess.
    recent: VecDeque<f64>,
    /// When the first guess last grew.
    grown_at: f64,
}

impl Pacer {
    pub fn new() -> Self {
        Self::default()
    }

    /// The rate the run is held to, once Jira has refused a request.
    pub fn per_second(&self) -> Option<f64> {
        self.per_second
    }

    /// The earliest time (milliseconds, the driver's clock) the next request may leave.
    pub fn ready_at(&self) -> f64 {
        if self.per_second.is_some() {
            self.next_at
        } else {
            f64::NEG_INFINITY
        }
    }

    /// A request left at `now`.
    pub fn sent(&mut self, now: f64) {
        let Some(mut rate) = self.per_second else {
            return;
        };
        if !self.measured {
            // Grow after a whole second in which the pace held requests back; a pause or a
            // slower run starts that second again.
            let at_pace = now <= self.next_at + 1000.0 / rate;
            if !at_pace {
                self.grown_at = now;
            } else if now - self.grown_at >= 1000.0 {
                rate *= PROBE_GROWTH;
                self.per_second = Some(rate);
                self.grown_at = now;
            }
        }
        self.next_at = self.next_at.max(now) + 1000.0 / rate;
    }

    /// The answer to a request sent at `sent_at` arrived at `now`.
    pub fn answered(&mut self, sent_at: f64, now: f64, verdict: Verdict) {
        match verdict {
            Verdict::Admitted => {
                self.recent.push_back(now);
                while self.recent.front().is_some_and(|&t| t <= now - 1000.0) {
                    self.recent.pop_front();
                }
                if self.episode_at.is_some_and(|at| sent_at >= at) {
                    self.admitted_since += 1;
                }
            }
            Verdict::Refused => match self.episode_at {
                // An echo: sent before the episode began, in flight with the refusal.
                Some(at) if sent_at < at => {}
                Some(at) => {
                    let seconds = (now - at) / 1000.0;
                    if seconds > 0.0 {
                        let rate = self.admitted_since as f64 / seconds * HEADROOM;
                        self.per_second = Some(rate.max(MIN_PER_SECOND));
                        self.measured = true;
                    }
                    self.begin_episode(now);
                }
                None => {
                    let guess = self.recent.iter().filter(|&&t| t > now - 1000.0).count() as f64;
                    self.per_second = Some((2.0 * guess).max(MIN_PER_SECOND));
                    self.grown_at = now;
                    self.begin_episode(now);
                }
            },
        }
    }

    fn begin_episode(&mut self, now: f64) {
        self.episode_at = Some(now);
        self.admitted_since = 0;
        self.next_at = self.next_at.max(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Jira's limiter, as jira-sim runs it: a bucket of `burst` tokens refilled at `per_second`.
    struct Bucket {
        per_second: f64,
        burst: f64,
        tokens: f64,
        at: f64,
    }

    impl Bucket {
        fn new(per_second: f64, burst: f64) -> Self {
            Bucket {
                per_second,
                burst,
                tokens: burst,
                at: 0.0,
            }
        }

        fn admit(&mut self, now: f64) -> Verdict {
            self.tokens =
                (self.tokens + (now - self.at) / 1000.0 * self.per_second).min(self.burst);
            self.at = now;
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                Verdict::Admitted
            } else {
                Verdict::Refused
            }
        }
    }

    /// Sends `n` requests as fast as the pacer allows, each answered `latency` ms later, and
    /// returns the refusals and the time taken; a refusal holds everything for a second
    /// (`Retry-After: 1`), as the planner does.
    fn run(n: usize, bucket: &mut Bucket, latency: f64) -> (usize, f64, Pacer) {
        let mut p = Pacer::new();
        let (mut now, mut done, mut refused, mut paused_until) = (0.0, 0, 0, 0.0);
        while done < n {
            now = f64::max(now, p.ready_at()).max(paused_until);
            p.sent(now);
            let verdict = bucket.admit(now);
            p.answered(now, now + latency, verdict);
            match verdict {
                Verdict::Admitted => done += 1,
                Verdict::Refused => {
                    refused += 1;
                    paused_until = now + latency + 1000.0;
                }
            }
            now += 1.0;
        }
        (refused, now, p)
    }

    #[test]
    fn nothing_is_paced_until_jira_refuses() {
        let mut p = Pacer::new();
        for i in 0..100 {
            p.sent(f64::from(i));
            p.answered(f64::from(i), f64::from(i) + 50.0, Verdict::Admitted);
        }
        assert_eq!(p.ready_at(), f64::NEG_INFINITY);
        assert_eq!(p.per_second(), None);
    }

    #[test]
    fn the_rate_is_learned_from_two_refusals_and_then_held() {
        let mut bucket = Bucket::new(10.0, 10.0);
        let (refused, took, p) = run(600, &mut bucket, 50.0);
        assert!(refused <= 3, "{refused} refusals");
        let rate = p.per_second().unwrap();
        assert!((8.0..10.0).contains(&rate), "held to {rate}/s");
        // 600 requests at 10 a second take 59 s at least (10 of them from the burst).
        assert!(took < 600.0 / 8.0 * 1000.0, "{took} ms");
    }

    #[test]
    fn a_large_burst_does_not_teach_a_large_rate() {
        let mut bucket = Bucket::new(5.0, 100.0);
        let (refused, _, p) = run(600, &mut bucket, 20.0);
        assert!(refused <= 3, "{refused} refusals");
        let rate = p.per_second().unwrap();
        assert!(rate < 5.0, "held to {rate}/s");
    }

    #[test]
    fn refusals_in_flight_together_are_one_episode() {
        let mut p = Pacer::new();
        for i in 0..20 {
            p.answered(
                f64::from(i) * 10.0,
                f64::from(i) * 10.0 + 5.0,
                Verdict::Admitted,
            );
        }
        p.answered(200.0, 210.0, Verdict::Refused);
        let guess = p.per_second().unwrap();
        // Five more, sent before the first refusal came back.
        for i in 0..5 {
            p.answered(201.0 + f64::from(i), 211.0 + f64::from(i), Verdict::Refused);
        }
        assert_eq!(p.per_second(), Some(guess), "echoes teach nothing");
        assert!(!p.measured);
    }
}
