//! The progress panel's words, from the planner's [`Progress`].

use super::{plural, thousands};
use crate::fetch::Progress;

/// What the progress panel shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressView {
    /// "Read 1,234 of about 10,000 issues".
    pub headline: String,
    /// "3 requests in flight · 45 sent · 2 retried".
    pub detail: String,
    /// 0 to 100, when the total is known.
    pub percent: Option<f64>,
    /// While Jira's rate limit is waited out.
    pub waiting: Option<String>,
}

impl ProgressView {
    pub fn new(p: &Progress) -> Self {
        let read = p.issues_loaded.min(p.changelogs_loaded);
        let worklogs = p
            .worklog_phase()
            .filter(|(answered, expected)| answered < expected);
        let headline = match (worklogs, p.total, p.total_is_exact) {
            (Some((answered, expected)), _, _) => format!(
                "Read {} issues; their worklogs: {} of about {} requests",
                thousands(read),
                thousands(answered),
                thousands(expected)
            ),
            (None, None, _) if p.listed == 0 => "Asking Jira for the issues…".to_string(),
            (None, None, _) => format!("Read {} issues", thousands(read)),
            (None, Some(t), true) => {
                format!("Read {} of {} issues", thousands(read), thousands(t))
            }
            (None, Some(t), false) => {
                format!("Read {} of about {} issues", thousands(read), thousands(t))
            }
        };
        let mut detail = vec![
            format!(
                "{} in flight",
                plural(p.in_flight as u64, "request", "requests")
            ),
            format!("{} sent", thousands(u64::from(p.stats.sent))),
        ];
        if p.stats.retries > 0 {
            detail.push(format!("{} retried", thousands(u64::from(p.stats.retries))));
        }
        let waiting = match (p.rate_limit_wait_ms, p.paced_per_second) {
            (Some(ms), _) => {
                let s = (ms / 1000.0).ceil().max(1.0) as u64;
                Some(format!("Jira asked Dwell to slow down: resuming in {s} s"))
            }
            (None, Some(rate)) => Some(format!(
                "Jira limits how fast Dwell may ask: {rate:.1} requests a second"
            )),
            (None, None) => None,
        };
        ProgressView {
            headline,
            detail: detail.join(" · "),
            percent: p.fraction().map(|f| (f * 1000.0).round() / 10.0),
            waiting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::RequestStats;

    #[test]
    fn the_panel_reads_like_a_sentence() {
        let p = Progress {
            total: Some(10_000),
            total_is_exact: false,
            listed: 5000,
            issues_loaded: 1300,
            changelogs_loaded: 1234,
            in_flight: 1,
            stats: RequestStats {
                sent: 45,
                retries: 2,
                ..Default::default()
            },
            rate_limit_wait_ms: Some(11_200.0),
            paced_per_second: Some(9.5),
            ..Progress::default()
        };
        let v = ProgressView::new(&p);
        assert_eq!(v.headline, "Read 1,234 of about 10,000 issues");
        assert_eq!(v.detail, "1 request in flight · 45 sent · 2 retried");
        assert_eq!(v.percent, Some(12.7));
        assert_eq!(
            v.waiting.as_deref(),
            Some("Jira asked Dwell to slow down: resuming in 12 s")
        );
    }

    #[test]
    fn a_timesheet_counts_its_worklog_requests_in_the_second_half_of_the_bar() {
        let listing = Progress {
            total: Some(1000),
            total_is_exact: true,
            listed: 1000,
            issues_loaded: 500,
            changelogs_loaded: 500,
            reads_worklogs: true,
            ..Progress::default()
        };
        let v = ProgressView::new(&listing);
        assert_eq!(v.headline, "Read 500 of 1,000 issues");
        assert_eq!(v.percent, Some(25.0));
        let feeding = Progress {
            issues_loaded: 1000,
            changelogs_loaded: 1000,
            worklog_requests: 30,
            worklog_requests_expected: Some(120),
            worklog_share: 0.25,
            ..listing
        };
        let v = ProgressView::new(&feeding);
        assert_eq!(
            v.headline,
            "Read 1,000 issues; their worklogs: 30 of about 120 requests"
        );
        assert_eq!(v.percent, Some(62.5));
        // The bar's worklog half is the planner's share, never past full.
        let over = Progress {
            worklog_share: 1.5,
            ..feeding
        };
        assert_eq!(ProgressView::new(&over).percent, Some(100.0));
    }

    #[test]
    fn a_paced_run_says_at_what_rate() {
        let p = Progress {
            paced_per_second: Some(9.5),
            ..Progress::default()
        };
        assert_eq!(
            ProgressView::new(&p).waiting.as_deref(),
            Some("Jira limits how fast Dwell may ask: 9.5 requests a second")
        );
    }

    #[test]
    fn before_the_first_answer_it_says_so() {
        let v = ProgressView::new(&Progress::default());
        assert_eq!(v.headline, "Asking Jira for the issues…");
        assert_eq!(v.percent, None);
        assert_eq!(v.waiting, None);
    }
}
