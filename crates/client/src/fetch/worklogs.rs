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

/// How far the feed's slices have read, for the progress bar. The plan's own estimate (the
/// missing worklogs, a thousand a call, twice) cannot foresee the rest of the site's changes
/// the feed carries (the issues' embedded worklogs updated after `since`, other projects'),
/// which made it two to three times too low on generated data: the bar was full halfway
/// through the feed and stood still for the rest. So what is left is estimated again from what
/// each slice has read: a slice that has covered a share `c` of its time span in `p` pages
/// needs about `p·(1−c)/c` more, and brings about `ids/c` ids in all, one list call a
/// thousand.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedProgress {
    slices: Vec<SliceRead>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct SliceRead {
    start: i64,
    /// Where the slice stops: its `until`, or for the open last one the page's clock when the
    /// run was planned (`None` when unknown).
    end: Option<i64>,
    pages: u64,
    /// Ids the slice's pages brought for lists.
    ids: u64,
    /// Where its next page starts.
    at: i64,
    ended: bool,
}

impl FeedProgress {
    pub fn new(slices: &[Slice], now_ms: Option<i64>) -> Self {
        FeedProgress {
            slices: slices
                .iter()
                .map(|s| SliceRead {
                    start: s.since,
                    end: s.until.or(now_ms),
                    pages: 0,
                    ids: 0,
                    at: s.since,
                    ended: false,
                })
                .collect(),
        }
    }

    /// A page of `slice` answered with `ids` ids for lists; `next` is where the slice goes
    /// on, `None` when it ended.
    pub fn page(&mut self, slice: usize, ids: u64, next: Option<i64>) {
        if let Some(s) = self.slices.get_mut(slice) {
            s.pages += 1;
            s.ids += ids;
            match next {
                Some(at) => s.at = s.at.max(at),
                None => s.ended = true,
            }
        }
    }

    /// `slice` ended without a page (its request failed).
    pub fn ended(&mut self, slice: usize) {
        if let Some(s) = self.slices.get_mut(slice) {
            s.ended = true;
        }
    }

    /// Feed pages and list calls not answered yet, once every open slice has answered a page
    /// and its span's end is known (`None` before). `lists_answered` lists have been answered
    /// and at least `lists_known` will have been in all (those answered, sent, queued and
    /// the ids waiting for one).
    pub fn remaining(&self, lists_answered: u64, lists_known: u64) -> Option<u64> {
        let mut pages = 0u64;
        let mut ids = 0.0f64;
        for s in &self.slices {
            if s.ended {
                ids += s.ids as f64;
                continue;
            }
            let end = s.end?;
            if s.pages == 0 || end <= s.start {
                return None;
            }
            let covered = ((s.at - s.start) as f64 / (end - s.start) as f64).min(1.0);
            if covered <= 0.0 {
                return None;
            }
            pages += ((s.pages as f64 * (1.0 - covered) / covered).ceil() as u64).max(1);
            ids += s.ids as f64 / covered;
        }
        let lists = ((ids / LIST_MAX as f64).ceil() as u64).max(lists_known);
        Some(pages + lists.saturating_sub(lists_answered))
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

    /// Regression: the bar counted the feed's requests against the plan's first estimate,
    /// which knew nothing of the rest of the site's changes, and stood full while the feed
    /// went on. What is left now follows what each slice has read.
    #[test]
    fn what_is_left_of_the_feed_follows_how_far_each_slice_has_read() {
        // Two slices of 1,000 ms each; the second is open, ending at the page's clock.
        let slices = cut(0, Some(2_000), 2);
        let mut f = FeedProgress::new(&slices, Some(2_000));
        assert_eq!(f.remaining(0, 0), None, "nothing read yet");
        // A quarter of the first slice in one page of 1,000 ids: three more pages, 4,000 ids.
        f.page(0, 1_000, Some(250));
        assert_eq!(f.remaining(0, 1), None, "the second slice has not answered");
        // Half of the second in two pages of 1,000: two more, 4,000 ids; 8 lists in all.
        f.page(1, 1_000, Some(1_250));
        f.page(1, 1_000, Some(1_500));
        assert_eq!(f.remaining(0, 3), Some(3 + 2 + 8));
        assert_eq!(f.remaining(2, 3), Some(3 + 2 + 6), "two lists answered");
        // The first slice ends early with what it read: 1,500 ids, no more pages from it.
        f.page(0, 500, None);
        assert_eq!(f.remaining(2, 3), Some(2 + 4));
        // More lists known than the ids foretell: the known ones count.
        assert_eq!(f.remaining(2, 9), Some(2 + 7));
        // A slice read to its end without saying so still needs its last page.
        f.page(1, 1_000, Some(2_000));
        assert_eq!(f.remaining(0, 0), Some(1 + 5));
        f.ended(1);
        assert_eq!(
            f.remaining(4, 0),
            Some(1),
            "4,500 ids: five lists, four answered"
        );
        // Without the page's clock the open slice's span is unknown.
        let mut open = FeedProgress::new(&cut(0, None, 6), None);
        open.page(0, 1_000, Some(500));
        assert_eq!(open.remaining(0, 1), None);
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
