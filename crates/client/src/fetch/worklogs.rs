//! How a timesheet run reads the worklogs its issues do not embed: per issue, or in bulk
//! through the site's worklog feed. Pure decisions and bookkeeping for the [`super::planner`],
//! which sends the requests.
//!
//! The key design decision: **the bulk path is checked against Jira's own counts, never
//! trusted**. Each issue's `worklog` field says how many worklogs it has (`total`, what the
//! user may see) and embeds the first 20. `GET .../worklog/updated?since=` lists the ids of
//! every worklog of the site changed after `since`, but leaves out the last minute, pages on
//! update times, and knows nothing of the report's issues; `POST .../worklog/list` turns ids
//! into worklogs. After the feed, an issue whose distinct worklogs (embedded and listed) reach
//! its `total` is complete; any other issue (a worklog changed in the last minute, one
//! created before `since`, one deleted meanwhile, an issue that embeds not the oldest 20)
//! is paged on its own, as if the bulk path had not run. So the choice of `since` and the
//! feed's gaps can cost requests but never lose a worklog.
//!
//! `since`: Jira embeds an issue's oldest worklogs (the simulator does too), so the ones
//! missing were created, hence updated, no earlier than the newest embedded one: `since` is
//! the earliest of those instants over the issues with missing worklogs, less a millisecond.
//! The span from `since` to now is cut into [`Limits::concurrency`](super::Limits) time
//! slices read at once (the feed's pages are sequential: each starts where the last ended),
//! each slice stopping at the next one's start.

use std::collections::{HashMap, HashSet};

/// The most ids `worklog/list` takes and the most one feed page holds (Jira's limit).
pub const LIST_MAX: usize = 1000;

/// An issue whose `worklog` field embeds fewer worklogs than its `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialWorklogs {
    pub issue: String,
    pub total: u64,
    /// The ids of the worklogs embedded.
    pub embedded: Vec<String>,
    /// The latest `created` of the embedded worklogs (epoch ms), when every one had a
    /// readable `created`.
    pub newest_embedded_ms: Option<i64>,
}

/// One time slice of the feed: worklogs updated in `(since, until]` (`until` `None`: up to
/// the feed's end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    pub since: i64,
    pub until: Option<i64>,
}

/// Which path reads the missing worklogs, and the request counts it was chosen by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// `GET .../issue/{id}/worklog` for each issue: `requests` in all.
    PerIssue { requests: u64 },
    /// The feed in `slices`, then lists: about `requests`, against `per_issue`.
    Bulk {
        slices: Vec<Slice>,
        requests: u64,
        per_issue: u64,
    },
}

/// The issues whose worklogs are still missing, and what the bulk path brought of them.
#[derive(Debug, Default)]
pub struct Missing {
    issues: HashMap<String, Pending>,
}

#[derive(Debug)]
struct Pending {
    total: u64,
    have: HashSet<String>,
    newest_embedded_ms: Option<i64>,
}

impl Missing {
    pub fn add(&mut self, p: PartialWorklogs) {
        let entry = self.issues.entry(p.issue).or_insert_with(|| Pending {
            total: p.total,
            have: HashSet::new(),
            newest_embedded_ms: p.newest_embedded_ms,
        });
        entry.total = entry.total.max(p.total);
        entry.have.extend(p.embedded);
    }

    pub fn len(&self) -> usize {
        self.issues.len()
    }

    pub fn is_empty(&self) -> bool {
        self.issues.is_empty()
    }

    pub fn contains(&self, issue: &str) -> bool {
        self.issues.contains_key(issue)
    }

    /// A worklog of `issue` arrived through `worklog/list`.
    pub fn listed(&mut self, issue: &str, worklog: &str) {
        if let Some(p) = self.issues.get_mut(issue) {
            p.have.insert(worklog.to_string());
        }
    }

    /// The issues that still miss worklogs: fewer distinct ones than their `total`.
    pub fn incomplete(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .issues
            .iter()
            .filter(|(_, p)| (p.have.len() as u64) < p.total)
            .map(|(i, _)| i.clone())
            .collect();
        out.sort_unstable();
        out
    }

    /// The issues in a stable order, for paging them all.
    pub fn all(&self) -> Vec<String> {
        let mut out: Vec<String> = self.issues.keys().cloned().collect();
        out.sort_unstable();
        out
    }

    /// Requests the per-issue path needs at least: one page per issue (`page` worklogs a
    /// page, and an issue's total bounds what its report window holds).
    pub fn per_issue_requests(&self, page: u32) -> u64 {
        let page = u64::from(page.max(1));
        self.issues
            .values()
            .map(|p| p.total.div_ceil(page).max(1))
            .sum()
    }

    /// The feed's `since`: the earliest instant a missing worklog can have been updated at,
    /// less a millisecond (the feed returns updates strictly after it). `None` when an
    /// issue's embedded worklogs did not say when they were created.
    pub fn since(&self) -> Option<i64> {
        self.issues
            .values()
            .map(|p| p.newest_embedded_ms.map(|t| t - 1))
            .try_fold(i64::MAX, |lo, t| t.map(|t| lo.min(t)))
            .filter(|&t| t != i64::MAX)
    }

    /// Chooses the path by request count. The bulk path reads at least the missing worklogs
    /// (`total` less those embedded) through the feed and again through lists, a thousand a
    /// call, and one more feed page per slice; the per-issue path one page per issue. The
    /// feed also carries the rest of the site's changes since `since`, which no count
    /// foretells: the planner gives the bulk path up when it has cost more than the per-issue
    /// path would have ([`Missing::per_issue_requests`]).
    pub fn choose(&self, page: u32, now_ms: Option<i64>, slices: usize) -> Choice {
        let per_issue = self.per_issue_requests(page);
        let Some(since) = self.since() else {
            return Choice::PerIssue {
                requests: per_issue,
            };
        };
        let slices = cut(since, now_ms, slices);
        let missing: u64 = self
            .issues
            .values()
            .map(|p| p.total.saturating_sub(p.have.len() as u64))
            .sum();
        let calls = missing.div_ceil(LIST_MAX as u64);
        let requests = 2 * calls + slices.len() as u64;
        if requests < per_issue {
            Choice::Bulk {
                slices,
                requests,
                per_issue,
            }
        } else {
            Choice::PerIssue {
                requests: per_issue,
            }
        }
    }
}

/// `(since, now]` in `n` slices of equal time; one open slice when `now` is unknown or not
/// after `since`. The last slice is open: the feed itself says where it ends.
pub fn cut(since: i64, now_ms: Option<i64>, n: usize) -> Vec<Slice> {
    let n = n.max(1) as i64;
    let span = match now_ms {
        Some(now) if now > since => now - since,
        _ => {
            return vec![Slice { since, until: None }];
        }
    };
    let step = (span / n).max(1);
    let mut out = Vec::new();
    let mut at = since;
    for k in 1..=n {
        let next = since + step * k;
        if k == n || next >= since + span {
            out.push(Slice {
                since: at,
                until: None,
            });
            break;
        }
        out.push(Slice {
            since: at,
            until: Some(next),
        });
        at = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partial(issue: &str, total: u64, embedded: u64, newest: Option<i64>) -> PartialWorklogs {
        PartialWorklogs {
            issue: issue.into(),
            total,
            embedded: (0..embedded).map(|w| format!("{issue}-{w}")).collect(),
            newest_embedded_ms: newest,
        }
    }

    #[test]
    fn since_is_a_millisecond_before_the_earliest_newest_embedded_worklog() {
        let mut m = Missing::default();
        m.add(partial("1", 45, 20, Some(5_000)));
        m.add(partial("2", 30, 20, Some(3_000)));
        assert_eq!(m.since(), Some(2_999));
        m.add(partial("3", 30, 20, None));
        assert_eq!(m.since(), None, "an unknown instant could be any");
    }

    #[test]
    fn an_issue_is_complete_when_its_distinct_worklogs_reach_its_total() {
        let mut m = Missing::default();
        m.add(partial("1", 22, 20, Some(1)));
        m.add(partial("2", 21, 20, Some(1)));
        m.listed("1", "1-0"); // embedded already: counted once
        m.listed("1", "1-20");
        m.listed("2", "2-20");
        m.listed("9", "9-0"); // not a run's issue: ignored
        assert_eq!(m.incomplete(), vec!["1".to_string()]);
        m.listed("1", "1-21");
        assert!(m.incomplete().is_empty());
    }

    #[test]
    fn the_choice_is_the_cheaper_request_count() {
        // 100 issues missing 25 worklogs each: 2,500 ids, 3 feed pages and 3 lists, plus a
        // page per slice, against 100 per-issue pages.
        let mut m = Missing::default();
        for i in 0..100 {
            m.add(partial(&i.to_string(), 45, 20, Some(1_000 + i)));
        }
        match m.choose(5000, Some(7_000), 6) {
            Choice::Bulk {
                slices,
                requests,
                per_issue,
            } => {
                assert_eq!((requests, per_issue), (12, 100));
                assert_eq!(slices.len(), 6);
                assert_eq!(slices[0].since, 999);
            }
            c => panic!("{c:?}"),
        }
        // Three issues: three pages beat any feed.
        let mut few = Missing::default();
        for i in 0..3 {
            few.add(partial(&i.to_string(), 45, 20, Some(1_000)));
        }
        assert_eq!(
            few.choose(5000, Some(7_000), 6),
            Choice::PerIssue { requests: 3 }
        );
        // Hundreds of worklogs on few issues: the lists alone cost more.
        let mut heavy = Missing::default();
        for i in 0..4 {
            heavy.add(partial(&i.to_string(), 4_000, 20, Some(1_000)));
        }
        assert_eq!(
            heavy.choose(5000, Some(7_000), 1),
            Choice::PerIssue { requests: 4 }
        );
    }

    #[test]
    fn slices_cover_since_to_the_open_end_without_gaps() {
        let s = cut(1_000, Some(1_600), 3);
        assert_eq!(
            s,
            vec![
                Slice {
                    since: 1_000,
                    until: Some(1_200)
                },
                Slice {
                    since: 1_200,
                    until: Some(1_400)
                },
                Slice {
                    since: 1_400,
                    until: None
                },
            ]
        );
        assert_eq!(
            cut(1_000, None, 6),
            vec![Slice {
                since: 1_000,
                until: None
            }]
        );
        assert_eq!(cut(1_000, Some(1_002), 6).len(), 2);
    }
}
