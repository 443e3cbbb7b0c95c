//! How long to wait before asking Jira again. Pure: the attempt number, Jira's answer and a
//! random number in, a decision out.

/// The retry rules of a fetch run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// The first back-off, before jitter.
    pub base_ms: f64,
    /// The longest back-off Dwell chooses itself (Jira's `Retry-After` may ask for more).
    pub max_backoff_ms: f64,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// A `Retry-After` longer than this is not waited out: the request fails.
    pub max_retry_after_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_ms: 500.0,
            max_backoff_ms: 30_000.0,
            max_attempts: 8,
            max_retry_after_ms: 5.0 * 60_000.0,
        }
    }
}

/// What went wrong with one attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Failure<'a> {
    /// Jira answered with this status.
    Status {
        status: u16,
        retry_after: Option<&'a str>,
    },
    /// No answer arrived.
    Network,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// Try again after `after_ms`. `rate_limited` means Jira asked everyone to slow down, so
    /// every request should pause, and the user should see the wait.
    Retry {
        after_ms: f64,
        rate_limited: bool,
    },
    GiveUp,
}

impl RetryPolicy {
    /// Decides after the `attempt`-th attempt (1 for the first) failed. `random` is uniform in
    /// `[0, 1)`: jitter keeps parallel requests from retrying in lockstep.
    pub fn decide(&self, attempt: u32, failure: Failure<'_>, random: f64) -> Decision {
        if attempt >= self.max_attempts {
            return Decision::GiveUp;
        }
        let random = random.clamp(0.0, 1.0);
        match failure {
            Failure::Status {
                status: 429 | 503,
                retry_after,
            } => {
                let asked = retry_after.and_then(parse_retry_after_ms);
                match asked {
                    Some(ms) if ms > self.max_retry_after_ms => Decision::GiveUp,
                    Some(ms) => Decision::Retry {
                        // Spread the retries over a little more than Jira asked for.
                        after_ms: ms + random * (ms * 0.2).clamp(250.0, 2_000.0),
                        rate_limited: true,
                    },
                    None => Decision::Retry {
                        after_ms: self.backoff_ms(attempt, random),
                        rate_limited: true,
                    },
                }
            }
            Failure::Status {
                status: 500 | 502 | 504,
                ..
            }
            | Failure::Network
                if attempt < 4 =>
            {
                Decision::Retry {
                    after_ms: self.backoff_ms(attempt, random),
                    rate_limited: false,
                }
            }
            _ => Decision::GiveUp,
        }
    }

    /// Exponential back-off with "equal jitter": half fixed, half random.
    fn backoff_ms(&self, attempt: u32, random: f64) -> f64 {
        let exp = self.base_ms * 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
        let capped = exp.min(self.max_backoff_ms);
        capped / 2.0 + random * capped / 2.0
    }
}

/// `Retry-After` in milliseconds. Jira sends whole seconds; fractions are accepted. An HTTP
/// date is not understood and gives `None` (the back-off applies instead).
pub fn parse_retry_after_ms(value: &str) -> Option<f64> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then_some(seconds * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_with_a_little_jitter() {
        let p = RetryPolicy::default();
        let d = p.decide(
            1,
            Failure::Status {
                status: 429,
                retry_after: Some("7"),
            },
            0.0,
        );
        assert_eq!(
            d,
            Decision::Retry {
                after_ms: 7000.0,
                rate_limited: true
            }
        );
        let Decision::Retry { after_ms, .. } = p.decide(
            1,
            Failure::Status {
                status: 429,
                retry_after: Some("7"),
            },
            0.99,
        ) else {
            panic!("expected a retry");
        };
        assert!(
            after_ms > 7000.0 && after_ms < 7000.0 + 1400.0,
            "{after_ms}"
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default();
        let wait = |attempt| match p.decide(
            attempt,
            Failure::Status {
                status: 503,
                retry_after: None,
            },
            1.0,
        ) {
            Decision::Retry { after_ms, .. } => after_ms,
            Decision::GiveUp => -1.0,
        };
        assert_eq!(wait(1), 500.0);
        assert_eq!(wait(2), 1000.0);
        assert_eq!(wait(3), 2000.0);
        assert_eq!(wait(7), 30_000.0);
        assert_eq!(wait(8), -1.0, "the eighth failure is the last");
    }

    #[test]
    fn client_errors_are_not_retried() {
        let p = RetryPolicy::default();
        for status in [400, 401, 403, 404] {
            assert_eq!(
                p.decide(
                    1,
                    Failure::Status {
                        status,
                        retry_after: None
                    },
                    0.5
                ),
                Decision::GiveUp
            );
        }
    }

    #[test]
    fn network_failures_get_three_retries() {
        let p = RetryPolicy::default();
        assert!(matches!(
            p.decide(3, Failure::Network, 0.5),
            Decision::Retry {
                rate_limited: false,
                ..
            }
        ));
        assert_eq!(p.decide(4, Failure::Network, 0.5), Decision::GiveUp);
    }

    #[test]
    fn an_absurd_retry_after_fails_rather_than_hangs() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(
                1,
                Failure::Status {
                    status: 429,
                    retry_after: Some("86400")
                },
                0.5
            ),
            Decision::GiveUp
        );
        assert_eq!(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after_ms(" 2 "), Some(2000.0));
        assert_eq!(parse_retry_after_ms("-1"), None);
    }
}
