//! The fetch planner: which Jira requests a report run needs, in what order, and what to do
//! with each answer. Pure state: requests out, answers in, no I/O and no clock of its own (the
//! driver passes `now`), so every path is tested natively.
//!
//! # The plan, and why
//!
//! Jira Cloud's `search/jql` pages are sequential: each needs the previous page's
//! `nextPageToken`. Pages that carry fields hold at most 100 issues, so paging 10,000 issues
//! with fields costs 100 sequential round trips (5 s at 50 ms latency) before anything else.
//! Asking for ids only gives pages of up to 5,000, so the same 10,000 issues are listed in 2
//! sequential round trips. Every id page then fans out into parallel work:
//!
//! - `POST /rest/api/3/issue/bulkfetch`, 100 issues a call, with only the fields the report
//!   needs (`ReportConfig::needed_fields` plus status, created, updated, resolution date and
//!   issue type);
//! - `POST /rest/api/3/changelog/bulkfetch`, 1,000 issues a call, `fieldIds` limited to
//!   `ReportConfig::needed_changelog_fields`, each batch following its own `nextPageToken`
//!   chain (one issue's histories may span pages; the engine puts them back together).
//!
//! For N issues that is N/5000 search pages + N/100 issue calls + about N/1000 changelog
//! calls: as many requests as paging with fields (N/100 + N/1000), but only
//! ⌈N/5000⌉ + 1 + (changelog pages per batch) of them in sequence. Even for a handful of
//! issues it is never slower: the changelog call needs the ids first either way.
//! `search/approximate-count` runs alongside the first page, for the progress bar only.
//!
//! Jira Data Center has no bulk endpoints but tells `total` on the first page of
//! `/rest/api/2/search`: the first page (with `expand=changelog`, which Data Center returns in
//! full) comes alone, then every other `startAt` page goes out in parallel. Data Center stops
//! paging at its result window (10,000 by default). A larger result is read by id range
//! ([`super::keyset`]): the first page is put aside, two one-issue probes find the lowest and
//! highest id, and ranges expected to hold 5,000 issues each are paged in parallel like small
//! queries. For N > 10,000 that is 1 + 2 + N/1000 + (ranges) pages with 3 in sequence before
//! the fan-out: 25,000 issues take 33 requests, the 1,000 of the first page read twice.
//!
//! # Worklogs (timesheet reports)
//!
//! A timesheet needs each issue's worklogs in the report's dates and no change histories.
//! The worker narrows the JQL with `worklogDate` (a day wider on each side: Jira reads those
//! dates in the user's profile zone, the report in its own) and, when the report names its
//! authors, `worklogAuthor in (...)`, so only issues with time logged in the range are read.
//! Those issues come as above (ids, then `issue/bulkfetch`; one search chain on Data Center)
//! with the `worklog` field, which embeds at most 20 worklogs and their `total`. Once every
//! issue is listed, the M issues whose total is larger are read one of two ways, whichever
//! costs fewer requests by an explicit estimate ([`super::worklogs::Missing::choose`]):
//!
//! - **per issue**: `GET .../issue/{id}/worklog` with `startedAfter`/`startedBefore` (the
//!   report's range, 5,000 a page): M requests (more for an issue with over 5,000), all in
//!   parallel, each its own URL (so, in Direct mode, each preflighted by the browser);
//! - **in bulk**: `GET .../worklog/updated?since=` (1,000 ids a page, oldest first) from
//!   just before the newest embedded worklog of those issues, cut into one time slice per
//!   connection read at once, then `POST .../worklog/list` (1,000 ids a call, one URL) in
//!   parallel: about 2·⌈W/1000⌉ + 6 requests for the W worklogs the issues miss, with
//!   ⌈W/1000⌉/6 + 1 pages in sequence. An issue whose distinct worklogs (embedded and
//!   listed) then still fall short of its `total` (the feed skips the last minute, and a
//!   worklog may be older than `since` or deleted meanwhile) is paged on its own, so the bulk
//!   path is never silently incomplete. The feed is site-wide: when it has cost more than
//!   the per-issue path would (other projects' worklogs), it is dropped and the issues it
//!   has not completed are paged, so a wrong estimate costs at most twice the per-issue
//!   path.
//!
//! The progress bar gives the worklog requests its second half. Each answer moves it by its
//! share of the requests left (one in `1 +` those left), so it moves with every answer and
//! is full only with the last; what is left is the requests queued or in flight, or more
//! where the plan foresees more: the bulk path's feed is re-estimated from how far each
//! slice has read ([`super::worklogs::FeedProgress`]), since the first estimate cannot
//! foresee the site's other worklogs in the feed.
//!
//! For N issues on Cloud: N/5000 + N/100 requests, then min(M, 2·⌈W/1000⌉ + 6) or so. In
//! the benchmark (6,632 issues with time logged, 3,321 with more than 20 worklogs, 177,809
//! worklogs in a year) that is about 180 feed pages and 180 lists instead of 3,321 pages.

//! Requests are sent in priority order (the sequential search chain first, then changelog
//! chains, then issue batches), at most `Limits::concurrency` at a time. A 429 or 503 pauses
//! every request until Jira's `Retry-After` has passed (plus jitter), because Jira's rate
//! limit counts the user's requests, not one endpoint's; after that the driver paces the rest
//! of the run at the rate Jira allows ([`super::pace`]).

use std::collections::{BinaryHeap, HashMap};

use super::keyset::{self, IdRange};
use super::retry::{Decision, Failure, RetryPolicy};
use super::skim;
use super::worklogs::{Choice, FeedProgress, LIST_MAX, Missing, PartialWorklogs, Slice};
use crate::api::ClientError;
use crate::api::body::Body;
use crate::api::jira::{
    Flavour, JiraRequest, JiraResponse, Purpose, TransportError, classify_failure,
};

/// The fields every run asks for, whatever the report: what timelines and date filters read.
pub const BASE_FIELDS: &[&str] = &[
    "status",
    "created",
    "updated",
    "resolutiondate",
    "issuetype",
];

/// Sizes and limits of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// `maxResults` of an ids-only `search/jql` page (Jira's maximum is 5,000).
    pub ids_page: u32,
    /// Issues per `issue/bulkfetch` (Jira's maximum is 100).
    pub bulk_issues: usize,
    /// Issues per `changelog/bulkfetch` (Jira's maximum is 1,000).
    pub changelog_issues: usize,
    /// `maxResults` of a `changelog/bulkfetch` page (Jira's maximum is 10,000).
    pub changelog_page: u32,
    /// `maxResults` of a Data Center search page.
    pub dc_page: u32,
    /// Data Center's result window: no page starts at or beyond it.
    pub dc_cap: u64,
    /// `maxResults` of an issue's worklog page (Jira's maximum is 5,000).
    pub worklog_page: u32,
    pub retry: RetryPolicy,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 6,
            ids_page: 5000,
            bulk_issues: 100,
            changelog_issues: 1000,
            changelog_page: 10_000,
            dc_page: 1000,
            dc_cap: 10_000,
            worklog_page: 5000,
            retry: RetryPolicy::default(),
        }
    }
}

/// What a run fetches.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchSpec {
    pub flavour: Flavour,
    pub jql: String,
    /// Issue fields to ask for.
    pub fields: Vec<String>,
    /// Changelog fields (`fieldIds`), at most 10.
    pub changelog_fields: Vec<String>,
    /// Whether to read `/field` for column titles of extra fields.
    pub field_names: bool,
    /// Whether the report needs change histories (every kind but timesheets).
    pub changelogs: bool,
    /// For a timesheet: the worklogs to page for issues that embed only some of theirs.
    pub worklogs: Option<WorklogWindow>,
    pub limits: Limits,
}

/// Which worklogs a timesheet reads: started in `[after_ms, before_ms)` (epoch milliseconds;
/// Jira's `startedAfter` and `startedBefore`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorklogWindow {
    pub after_ms: i64,
    pub before_ms: i64,
    /// The page's clock when the run was planned (epoch ms): where the worklog feed ends,
    /// for cutting it into slices read at once.
    #[serde(default)]
    pub now_ms: Option<i64>,
}

impl FetchSpec {
    /// A spec from its parts (as the worker planned them), with default limits.
    pub fn new(
        flavour: Flavour,
        jql: String,
        fields: Vec<String>,
        changelog_fields: Vec<String>,
        field_names: bool,
    ) -> Self {
        FetchSpec {
            flavour,
            jql,
            fields,
            changelog_fields,
            field_names,
            changelogs: true,
            worklogs: None,
            limits: Limits::default(),
        }
    }

    /// The same run for a timesheet: no change histories, and the worklogs in `window`.
    pub fn for_worklogs(mut self, window: WorklogWindow) -> Self {
        self.changelogs = false;
        self.worklogs = Some(window);
        self
    }

    /// What running `config` needs from a Jira of `flavour`.
    pub fn for_report(flavour: Flavour, config: &config::ReportConfig) -> Self {
        let needed = config.needed_fields();
        let mut fields: Vec<String> = BASE_FIELDS.iter().map(|f| f.to_string()).collect();
        for f in &needed {
            if !fields.iter().any(|x| x == f.as_str()) {
                fields.push(f.as_str().to_string());
            }
        }
        let base_only = needed.iter().all(|f| BASE_FIELDS.contains(&f.as_str()));
        FetchSpec {
            flavour,
            jql: config.jql.as_str().to_string(),
            fields,
            changelog_fields: config
                .needed_changelog_fields()
                .into_iter()
                .take(10)
                .map(str::to_string)
                .collect(),
            field_names: !base_only,
            changelogs: true,
            worklogs: None,
            limits: Limits::default(),
        }
    }
}

/// A request the driver should send now, with the id its answer must come back under.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub id: RequestId,
    pub request: JiraRequest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u32);

/// A Jira document for the engine, as received (its [`Body`] goes on to the worker as it came).
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Issues with their fields: an issue bulk fetch, or a Data Center search page (with
    /// changelogs embedded).
    Issues(Body),
    /// A `changelog/bulkfetch` page.
    Changelogs(Body),
    /// Every changelog page for these issue ids has arrived: their histories are complete.
    ChangelogsComplete(Vec<String>),
    /// A page of one issue's worklogs (`GET .../issue/{issue}/worklog`).
    Worklogs { issue: String, body: Body },
    /// A `POST .../worklog/list` answer: worklogs of any issues of the site, of which only
    /// those of the run's issues count.
    WorklogList(Body),
    /// `/status`: current names and categories.
    Statuses(Body),
    /// `/field`: field names.
    Fields(Body),
}

/// Where a run stands, for the progress bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// Jira's estimate (approximate count or Data Center `total`), then the exact number once
    /// the search has listed every issue.
    pub total: Option<u64>,
    pub total_is_exact: bool,
    /// Issues listed by the search so far.
    pub listed: u64,
    /// Issues whose fields have arrived.
    pub issues_loaded: u64,
    /// Issues whose full changelog has arrived.
    pub changelogs_loaded: u64,
    pub in_flight: usize,
    pub stats: RequestStats,
    /// While Jira's rate limit is being waited out: how many more milliseconds.
    pub rate_limit_wait_ms: Option<f64>,
    /// Once Jira has refused a request for its rate limit: the requests a second the run is
    /// held to (the driver's pace, [`super::pace`]).
    pub paced_per_second: Option<f64>,
    /// The run reads worklogs (a timesheet): the bar's second half is their requests.
    pub reads_worklogs: bool,
    /// Worklog requests (an issue's page, a feed page, a list) answered so far.
    pub worklog_requests: u64,
    /// How many worklog requests the plan expects: `None` until every issue is listed and
    /// the worklog path is chosen (its own estimate, [`super::worklogs::Choice`]), then those
    /// answered plus what is left as estimated after each answer (the bulk path's feed from
    /// how far its slices have read, [`super::worklogs::FeedProgress`]), and the number
    /// answered once the run is over.
    pub worklog_requests_expected: Option<u64>,
    /// The share of the worklog requests done, in `[0, 1]`: each answer moves it by its part
    /// of what is left (one in `1 +` the requests still expected), so the bar moves with
    /// every answer, never goes back, and is full only once the last is answered, however
    /// wrong an estimate was.
    pub worklog_share: f64,
}

impl Progress {
    /// Share of the work done, in `[0, 1]`, when the total is known. A run that reads
    /// worklogs gives the issues the first half and the worklog requests the second, since
    /// on a timesheet the worklogs are most of the run and come after every issue is listed.
    pub fn fraction(&self) -> Option<f64> {
        let issues = self.issue_fraction()?;
        if !self.reads_worklogs {
            return Some(issues);
        }
        let worklogs = match self.worklog_requests_expected {
            None => 0.0,
            Some(0) => 1.0,
            Some(_) => self.worklog_share.clamp(0.0, 1.0),
        };
        Some((issues + worklogs) / 2.0)
    }

    fn issue_fraction(&self) -> Option<f64> {
        let total = self.total? as f64;
        if total == 0.0 {
            return Some(if self.total_is_exact { 1.0 } else { 0.0 });
        }
        let done = (self.issues_loaded + self.changelogs_loaded) as f64 / 2.0;
        Some((done / total).clamp(0.0, 1.0))
    }

    /// While the worklogs are read: `(answered, expected)` requests, the expected ones as
    /// the plan estimated them (never fewer than answered).
    pub fn worklog_phase(&self) -> Option<(u64, u64)> {
        let expected = self.worklog_requests_expected.filter(|&e| e > 0)?;
        Some((self.worklog_requests, expected.max(self.worklog_requests)))
    }
}

/// Requests sent, by kind: the figures the benchmark reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestStats {
    pub sent: u32,
    pub retries: u32,
    pub search_pages: u32,
    pub issue_batches: u32,
    pub changelog_pages: u32,
    pub worklog_pages: u32,
    /// `GET .../worklog/updated` pages (the bulk worklog path's feed).
    pub worklog_feed_pages: u32,
    /// `POST .../worklog/list` calls.
    pub worklog_lists: u32,
    pub other: u32,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every issue the query matches, with complete histories.
    Complete,
    /// Some data is missing; every reason is listed for the user.
    Partial { reasons: Vec<String> },
    /// Nothing usable: the query or the sign-in failed.
    Failed(ClientError),
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Count,
    Statuses,
    Fields,
    /// An ids-only Cloud search page.
    Ids {
        token: Option<String>,
    },
    Issues {
        ids: Vec<String>,
    },
    Changelogs {
        batch: usize,
        token: Option<String>,
    },
    /// A Data Center search page of the user's query as written.
    DcPage {
        start_at: u64,
    },
    /// Past the result window: the lowest (or highest) id the query matches.
    DcSpan {
        highest: bool,
    },
    /// A Data Center search page of the issues in `dc_ranges[range]`, by id.
    DcRange {
        range: usize,
        start_at: u64,
    },
    /// A page of one issue's worklogs in the report's window.
    Worklogs {
        issue: String,
        start_at: u64,
    },
    /// A page of the worklog feed in time slice `slice`, from `since`.
    WorklogFeed {
        slice: usize,
        since: i64,
    },
    /// Worklogs by id.
    WorklogList {
        ids: Vec<i64>,
    },
}

impl Step {
    /// Lower sends first: the sequential chain is the critical path.
    /// Whether the step lists the run's issues (the worklog plan waits for all of them).
    fn lists_issues(&self) -> bool {
        matches!(
            self,
            Step::Ids { .. }
                | Step::Issues { .. }
                | Step::DcPage { .. }
                | Step::DcSpan { .. }
                | Step::DcRange { .. }
        )
    }

    fn priority(&self) -> u8 {
        match self {
            Step::Ids { .. }
            | Step::DcPage { .. }
            | Step::DcSpan { .. }
            | Step::DcRange { .. }
            | Step::WorklogFeed { .. } => 0,
            Step::Count | Step::Statuses | Step::Fields => 1,
            Step::Changelogs { .. } | Step::Worklogs { .. } | Step::WorklogList { .. } => 2,
            Step::Issues { .. } => 3,
        }
    }

    fn purpose(&self) -> Purpose {
        match self {
            Step::Count => Purpose::Count,
            Step::Statuses => Purpose::Statuses,
            Step::Fields => Purpose::Fields,
            Step::Ids { .. } | Step::DcPage { .. } | Step::DcSpan { .. } | Step::DcRange { .. } => {
                Purpose::Search
            }
            Step::Issues { .. } => Purpose::Issues,
            Step::Changelogs { .. } => Purpose::Changelogs,
            Step::Worklogs { .. } | Step::WorklogFeed { .. } | Step::WorklogList { .. } => {
                Purpose::Worklogs
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Task {
    step: Step,
    attempts: u32,
    seq: u64,
}

/// Heap order: priority, then first come first served.
impl Ord for Task {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.step.priority(), other.seq).cmp(&(self.step.priority(), self.seq))
    }
}
impl PartialOrd for Task {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Eq for Task {}

/// The planner of one run. See the module documentation for the plan.
#[derive(Debug)]
pub struct Planner {
    spec: FetchSpec,
    ready: BinaryHeap<Task>,
    /// Tasks waiting for a retry, with the time they may go.
    delayed: Vec<(f64, Task)>,
    in_flight: HashMap<RequestId, Task>,
    next_id: u32,
    next_seq: u64,
    /// No request leaves before this time (Jira's rate limit).
    paused_until: f64,
    /// Ids listed but not yet in an issue batch / a changelog batch.
    unbatched_issues: Vec<String>,
    unbatched_changelogs: Vec<String>,
    /// Changelog batches by number: their ids, for `ChangelogsComplete`.
    batches: Vec<Vec<String>>,
    search_done: bool,
    /// Data Center past its result window: the id ranges being read, and the span's ends as
    /// the probes find them.
    dc_ranges: Vec<IdRange>,
    dc_span: (Option<u64>, Option<u64>),
    dc_span_answers: u8,
    cancelled: bool,
    fatal: Option<ClientError>,
    partial: Vec<String>,
    progress: Progress,
    last_now: f64,
    /// A timesheet's issues whose embedded worklogs are fewer than their total.
    missing: Missing,
    /// How their worklogs are read, once every issue is listed.
    worklog_choice: Option<Choice>,
    bulk: Option<Bulk>,
}

/// The bulk worklog path under way (see [`super::worklogs`]).
#[derive(Debug)]
struct Bulk {
    slices: Vec<Slice>,
    /// Slices whose feed has not ended.
    open: usize,
    /// Ids from the feed not yet in a list call.
    unlisted: Vec<i64>,
    /// List calls queued or in flight, and answered (or failed).
    lists: usize,
    lists_answered: u64,
    /// How far each slice has read, for what is left of the bulk path.
    feed: FeedProgress,
    /// Feed pages and lists sent, against `budget` (what the per-issue path would cost).
    sent: u64,
    budget: u64,
    /// No longer reading: every slice and list is done, or the feed went over budget and
    /// was dropped. Later answers change nothing.
    finished: bool,
}

impl Planner {
    pub fn new(spec: FetchSpec) -> Self {
        let mut p = Planner {
            spec,
            ready: BinaryHeap::new(),
            delayed: Vec::new(),
            in_flight: HashMap::new(),
            next_id: 0,
            next_seq: 0,
            paused_until: f64::NEG_INFINITY,
            unbatched_issues: Vec::new(),
            unbatched_changelogs: Vec::new(),
            batches: Vec::new(),
            search_done: false,
            dc_ranges: Vec::new(),
            dc_span: (None, None),
            dc_span_answers: 0,
            cancelled: false,
            fatal: None,
            partial: Vec::new(),
            progress: Progress::default(),
            last_now: 0.0,
            missing: Missing::default(),
            worklog_choice: None,
            bulk: None,
        };
        p.progress.reads_worklogs = p.spec.worklogs.is_some();
        match p.spec.flavour {
            Flavour::Cloud => {
                p.push(Step::Ids { token: None });
                p.push(Step::Count);
            }
            Flavour::DataCenter => p.push(Step::DcPage { start_at: 0 }),
        }
        p.push(Step::Statuses);
        if p.spec.field_names {
            p.push(Step::Fields);
        }
        p
    }

    pub fn spec(&self) -> &FetchSpec {
        &self.spec
    }

    fn push(&mut self, step: Step) {
        self.next_seq += 1;
        self.ready.push(Task {
            step,
            attempts: 0,
            seq: self.next_seq,
        });
    }

    /// The next request to send at `now_ms`, if concurrency, the rate-limit pause and the plan
    /// allow one.
    pub fn next_request(&mut self, now_ms: f64) -> Option<Outgoing> {
        self.last_now = now_ms;
        if self.is_done() || now_ms < self.paused_until {
            return None;
        }
        if self.in_flight.len() >= self.spec.limits.concurrency.max(1) {
            return None;
        }
        // Retries whose time has come join the queue.
        let mut i = 0;
        while i < self.delayed.len() {
            if self.delayed[i].0 <= now_ms {
                let (_, task) = self.delayed.swap_remove(i);
                self.ready.push(task);
            } else {
                i += 1;
            }
        }
        let mut task = self.ready.pop()?;
        task.attempts += 1;
        let request = self.request_for(&task.step);
        self.count_sent(&task);
        self.next_id += 1;
        let id = RequestId(self.next_id);
        self.in_flight.insert(id, task);
        Some(Outgoing { id, request })
    }

    fn count_sent(&mut self, task: &Task) {
        let s = &mut self.progress.stats;
        s.sent += 1;
        if task.attempts > 1 {
            s.retries += 1;
        }
        match task.step {
            Step::Ids { .. } | Step::DcPage { .. } | Step::DcSpan { .. } | Step::DcRange { .. } => {
                s.search_pages += 1
            }
            Step::Issues { .. } => s.issue_batches += 1,
            Step::Changelogs { .. } => s.changelog_pages += 1,
            Step::Worklogs { .. } => s.worklog_pages += 1,
            Step::WorklogFeed { .. } => s.worklog_feed_pages += 1,
            Step::WorklogList { .. } => s.worklog_lists += 1,
            Step::Count | Step::Statuses | Step::Fields => s.other += 1,
        }
        if matches!(
            task.step,
            Step::WorklogFeed { .. } | Step::WorklogList { .. }
        ) && let Some(b) = &mut self.bulk
        {
            b.sent += 1;
        }
    }

    fn request_for(&self, step: &Step) -> JiraRequest {
        let spec = &self.spec;
        let root = crate::api::jira::api_root(spec.flavour);
        match step {
            Step::Count => JiraRequest::post(
                "/rest/api/3/search/approximate-count",
                &serde_json::json!({ "jql": spec.jql }),
            ),
            Step::Statuses => JiraRequest::get(format!("{root}/status")),
            Step::Fields => JiraRequest::get(format!("{root}/field")),
            Step::Ids { token } => {
                let mut body = serde_json::json!({
                    "jql": spec.jql,
                    "maxResults": spec.limits.ids_page,
                    "fields": ["id"],
                });
                if let Some(t) = token {
                    body["nextPageToken"] = serde_json::Value::String(t.clone());
                }
                JiraRequest::post("/rest/api/3/search/jql", &body)
            }
            Step::Issues { ids } => JiraRequest::post(
                "/rest/api/3/issue/bulkfetch",
                &serde_json::json!({ "issueIdsOrKeys": ids, "fields": spec.fields }),
            ),
            Step::Changelogs { batch, token } => {
                let ids = self.batches.get(*batch).cloned().unwrap_or_default();
                let mut body = serde_json::json!({
                    "issueIdsOrKeys": ids,
                    "fieldIds": spec.changelog_fields,
                    "maxResults": spec.limits.changelog_page,
                });
                if let Some(t) = token {
                    body["nextPageToken"] = serde_json::Value::String(t.clone());
                }
                JiraRequest::post("/rest/api/3/changelog/bulkfetch", &body)
            }
            Step::DcPage { start_at } => self.dc_search(&spec.jql, *start_at),
            Step::DcSpan { highest } => JiraRequest::post(
                "/rest/api/2/search",
                &serde_json::json!({
                    "jql": keyset::span_jql(&spec.jql, *highest),
                    "startAt": 0,
                    "maxResults": 1,
                    "fields": ["id"],
                }),
            ),
            Step::DcRange { range, start_at } => {
                let range = self
                    .dc_ranges
                    .get(*range)
                    .copied()
                    .unwrap_or(IdRange { lo: 1, hi: 0 });
                self.dc_search(&keyset::range_jql(&spec.jql, range), *start_at)
            }
            Step::Worklogs { issue, start_at } => {
                let window = spec.worklogs.unwrap_or(WorklogWindow {
                    after_ms: 0,
                    before_ms: i64::MAX,
                    now_ms: None,
                });
                JiraRequest::get(format!(
                    "{root}/issue/{}/worklog?startAt={start_at}&maxResults={}&startedAfter={}&startedBefore={}",
                    crate::env::percent_encode(issue),
                    spec.limits.worklog_page,
                    window.after_ms,
                    window.before_ms,
                ))
            }
            Step::WorklogFeed { since, .. } => {
                JiraRequest::get(format!("{root}/worklog/updated?since={since}"))
            }
            Step::WorklogList { ids } => JiraRequest::post(
                format!("{root}/worklog/list"),
                &serde_json::json!({ "ids": ids }),
            ),
        }
    }

    /// A Data Center search page with the report's fields and full changelogs.
    fn dc_search(&self, jql: &str, start_at: u64) -> JiraRequest {
        let mut body = serde_json::json!({
            "jql": jql,
            "startAt": start_at,
            "maxResults": self.spec.limits.dc_page,
            "fields": self.spec.fields,
        });
        if self.spec.changelogs {
            body["expand"] = serde_json::json!(["changelog"]);
        }
        JiraRequest::post("/rest/api/2/search", &body)
    }

    /// Takes the answer to request `id`. `random` is uniform in `[0, 1)`, for retry jitter.
    /// Returns the documents to hand to the engine.
    pub fn on_answer(
        &mut self,
        id: RequestId,
        answer: Result<JiraResponse, TransportError>,
        now_ms: f64,
        random: f64,
    ) -> Vec<Delivery> {
        let answered = self.progress.worklog_requests;
        let out = self.take_answer(id, answer, now_ms, random);
        self.plan_worklogs();
        if self.progress.worklog_requests > answered {
            self.worklog_answered();
        }
        out
    }

    /// A worklog request was answered: the bar's worklog share moves by this answer's part
    /// of what is left, and the expected count becomes those answered plus what is left.
    fn worklog_answered(&mut self) {
        let left = self.worklogs_left();
        let p = &mut self.progress;
        p.worklog_share += (1.0 - p.worklog_share) / (1 + left) as f64;
        p.worklog_requests_expected = Some(p.worklog_requests + left);
    }

    /// Worklog requests not answered yet: those queued, waiting or in flight, or more where
    /// the plan foresees more (the per-issue path's count, the bulk path's feed as far as its
    /// slices have read, else the plan's first estimate).
    fn worklogs_left(&self) -> u64 {
        let reads_worklogs = |t: &Task| {
            matches!(
                t.step,
                Step::Worklogs { .. } | Step::WorklogFeed { .. } | Step::WorklogList { .. }
            )
        };
        let pending = self.ready.iter().filter(|t| reads_worklogs(t)).count()
            + self
                .delayed
                .iter()
                .filter(|(_, t)| reads_worklogs(t))
                .count()
            + self
                .in_flight
                .values()
                .filter(|t| reads_worklogs(t))
                .count();
        let planned = match &self.worklog_choice {
            Some(Choice::PerIssue { requests } | Choice::Bulk { requests, .. }) => {
                requests.saturating_sub(self.progress.worklog_requests)
            }
            None => 0,
        };
        let foreseen = match &self.bulk {
            Some(b) if !b.finished => {
                let known = b.lists_answered
                    + b.lists as u64
                    + (b.unlisted.len() as u64).div_ceil(LIST_MAX as u64);
                b.feed.remaining(b.lists_answered, known).unwrap_or(planned)
            }
            // The feed is over: what is left is queued (issues paged on their own).
            Some(_) => 0,
            None => planned,
        };
        (pending as u64).max(foreseen)
    }

    fn take_answer(
        &mut self,
        id: RequestId,
        answer: Result<JiraResponse, TransportError>,
        now_ms: f64,
        random: f64,
    ) -> Vec<Delivery> {
        self.last_now = now_ms;
        let Some(task) = self.in_flight.remove(&id) else {
            return Vec::new();
        };
        if self.cancelled || self.fatal.is_some() {
            return Vec::new();
        }
        let response = match answer {
            Ok(r) if r.is_success() => r,
            Ok(r) => {
                let failure = Failure::Status {
                    status: r.status,
                    retry_after: r.retry_after.as_deref(),
                };
                if self.retry(task.clone(), failure, now_ms, random) {
                    return Vec::new();
                }
                let error = classify_failure(task.step.purpose(), &r);
                self.give_up(task, error);
                return Vec::new();
            }
            Err(TransportError::Cancelled) => {
                self.cancel();
                return Vec::new();
            }
            Err(e) => {
                if self.retry(task.clone(), Failure::Network, now_ms, random) {
                    return Vec::new();
                }
                self.give_up(task, ClientError::from_transport(e));
                return Vec::new();
            }
        };
        match self.accept(&task.step, response.body) {
            Ok(out) => out,
            Err(detail) => {
                let error = ClientError::Malformed {
                    what: task.step.purpose().describe(),
                    detail,
                };
                self.give_up(task, error);
                Vec::new()
            }
        }
    }

    /// Schedules a retry if the policy allows one; returns whether it did.
    fn retry(&mut self, task: Task, failure: Failure<'_>, now_ms: f64, random: f64) -> bool {
        match self
            .spec
            .limits
            .retry
            .decide(task.attempts, failure, random)
        {
            Decision::Retry {
                after_ms,
                rate_limited,
            } => {
                let at = now_ms + after_ms;
                if rate_limited {
                    self.paused_until = self.paused_until.max(at);
                }
                self.delayed.push((at, task));
                true
            }
            Decision::GiveUp => false,
        }
    }

    /// Records a request that will not succeed: fatal when nothing usable can come of the
    /// run, a partial-result reason otherwise.
    fn give_up(&mut self, task: Task, error: ClientError) {
        let nothing_yet = self.progress.listed == 0 && self.progress.issues_loaded == 0;
        let fatal = match &task.step {
            Step::Ids { .. } | Step::DcPage { .. } | Step::DcSpan { .. } | Step::DcRange { .. } => {
                nothing_yet || matches!(error, ClientError::JiraUnauthorized)
            }
            Step::Issues { .. }
            | Step::Changelogs { .. }
            | Step::Worklogs { .. }
            | Step::WorklogFeed { .. }
            | Step::WorklogList { .. } => matches!(error, ClientError::JiraUnauthorized),
            // Without an estimate or status names the report still works.
            Step::Count => return,
            Step::Statuses | Step::Fields => {
                self.partial.push(format!(
                    "{}: {error}; column titles may use older names",
                    task.step.purpose().describe()
                ));
                return;
            }
        };
        if fatal {
            self.fatal = Some(error);
            self.ready.clear();
            self.delayed.clear();
            return;
        }
        match task.step {
            Step::Ids { .. } | Step::DcPage { .. } | Step::DcSpan { .. } | Step::DcRange { .. } => {
                self.partial.push(format!(
                    "the search stopped early ({error}): only the issues listed so far are included"
                ));
                match task.step {
                    Step::Ids { .. } => self.finish_search(),
                    // Without both ends of the span no range can be planned.
                    Step::DcSpan { .. } => self.search_done = true,
                    _ => {}
                }
            }
            Step::Issues { ids } => self
                .partial
                .push(format!("{} issues could not be read ({error})", ids.len())),
            Step::Changelogs { batch, .. } => {
                let n = self.batches.get(batch).map_or(0, Vec::len);
                self.partial.push(format!(
                    "the change histories of {n} issues are incomplete ({error})"
                ));
            }
            Step::Worklogs { issue, .. } => self.partial.push(format!(
                "the worklogs of issue {issue} could not all be read ({error})"
            )),
            // Nothing is lost: what the feed or a list did not bring, the issues' own pages
            // will (see `super::worklogs`).
            Step::WorklogFeed { slice, .. } => {
                if let Some(b) = self.bulk.as_mut() {
                    b.feed.ended(slice);
                }
                self.feed_ended()
            }
            Step::WorklogList { .. } => self.list_answered(),
            Step::Count | Step::Statuses | Step::Fields => {}
        }
    }

    /// Reads a successful answer; `Err` when it is not the document it should be.
    fn accept(&mut self, step: &Step, body: Body) -> Result<Vec<Delivery>, String> {
        match step {
            Step::Count => {
                let count = skim::count(body.as_bytes())?;
                if !self.progress.total_is_exact {
                    self.progress.total = Some(count);
                }
                Ok(Vec::new())
            }
            Step::Statuses => Ok(vec![Delivery::Statuses(body)]),
            Step::Fields => Ok(vec![Delivery::Fields(body)]),
            Step::Ids { .. } => {
                let page = skim::ids_page(body.as_bytes())?;
                let more = page.next_page_token;
                let last = more.is_none();
                let n = page.issues;
                self.progress.listed += n;
                for id in page.ids {
                    if self.spec.changelogs {
                        self.unbatched_changelogs.push(id.clone());
                    }
                    self.unbatched_issues.push(id);
                }
                if last || n == 0 {
                    self.finish_search();
                } else {
                    self.push(Step::Ids { token: more });
                    self.batch(false);
                }
                Ok(Vec::new())
            }
            Step::Issues { .. } => {
                let page = skim::issues_page(body.as_bytes())?;
                self.progress.issues_loaded += page.issues;
                if !self.spec.changelogs {
                    self.progress.changelogs_loaded += page.issues;
                }
                self.note_partial(page.more_worklogs);
                if page.errors > 0 {
                    self.partial.push(format!(
                        "Jira could not return {} issues: {}",
                        page.errors,
                        page.first_error.unwrap_or_default()
                    ));
                }
                Ok(vec![Delivery::Issues(body)])
            }
            Step::Changelogs { batch, .. } => {
                let next = skim::changelog_next_page(body.as_bytes())?;
                let mut out = vec![Delivery::Changelogs(body)];
                match next {
                    Some(token) => self.push(Step::Changelogs {
                        batch: *batch,
                        token: Some(token),
                    }),
                    None => {
                        let ids = self.batches.get(*batch).cloned().unwrap_or_default();
                        self.progress.changelogs_loaded += ids.len() as u64;
                        out.push(Delivery::ChangelogsComplete(ids));
                    }
                }
                Ok(out)
            }
            Step::DcPage { start_at } => {
                let page = skim::dc_page(body.as_bytes())?;
                let n = page.issues;
                if *start_at == 0 {
                    let total = page.total.unwrap_or(n);
                    self.progress.total = Some(total);
                    self.progress.total_is_exact = true;
                    if total > self.spec.limits.dc_cap {
                        // Read again by id range with everything else: delivering it now
                        // would count its issues twice.
                        self.push(Step::DcSpan { highest: false });
                        self.push(Step::DcSpan { highest: true });
                        return Ok(Vec::new());
                    }
                    self.plan_pages(Step::DcPage { start_at: 0 }, total, n);
                    self.search_done = true;
                }
                self.count_listed(n);
                self.note_partial(page.more_worklogs);
                Ok(vec![Delivery::Issues(body)])
            }
            Step::DcSpan { highest } => {
                let page = skim::dc_page(body.as_bytes())?;
                if *highest {
                    self.dc_span.1 = page.first_id;
                } else {
                    self.dc_span.0 = page.first_id;
                }
                self.dc_span_answers += 1;
                if self.dc_span_answers == 2 {
                    self.plan_dc_ranges();
                }
                Ok(Vec::new())
            }
            Step::DcRange { range, start_at } => {
                let page = skim::dc_page(body.as_bytes())?;
                let n = page.issues;
                if *start_at == 0 {
                    let total = page.total.unwrap_or(n);
                    if total <= self.spec.limits.dc_cap {
                        self.plan_pages(
                            Step::DcRange {
                                range: *range,
                                start_at: 0,
                            },
                            total,
                            n,
                        );
                    } else if let (Some(last), Some(&r)) =
                        (page.last_id, self.dc_ranges.get(*range))
                    {
                        for rest in keyset::split_rest(r, last) {
                            self.dc_ranges.push(rest);
                            let range = self.dc_ranges.len() - 1;
                            self.push(Step::DcRange { range, start_at: 0 });
                        }
                    }
                }
                self.count_listed(n);
                self.note_partial(page.more_worklogs);
                Ok(vec![Delivery::Issues(body)])
            }
            Step::Worklogs { issue, start_at } => {
                let page = skim::worklog_page(body.as_bytes())?;
                self.progress.worklog_requests += 1;
                let next = start_at + page.worklogs;
                if page.worklogs > 0 && next < page.total {
                    self.push(Step::Worklogs {
                        issue: issue.clone(),
                        start_at: next,
                    });
                }
                Ok(vec![Delivery::Worklogs {
                    issue: issue.clone(),
                    body,
                }])
            }
            Step::WorklogFeed { slice, since } => {
                let page = skim::worklog_feed(body.as_bytes())?;
                self.progress.worklog_requests += 1;
                self.feed_page(*slice, *since, page);
                Ok(Vec::new())
            }
            Step::WorklogList { .. } => {
                let listed = skim::worklog_list(body.as_bytes())?;
                self.progress.worklog_requests += 1;
                if self.bulk.as_ref().is_some_and(|b| b.finished) {
                    return Ok(Vec::new());
                }
                for (issue, worklog) in &listed {
                    self.missing.listed(issue, worklog);
                }
                self.list_answered();
                Ok(vec![Delivery::WorklogList(body)])
            }
        }
    }

    /// Notes the issues that embed only some of their worklogs, when the run reads worklogs
    /// at all; how their worklogs are read is decided once every issue is listed.
    fn note_partial(&mut self, issues: Vec<PartialWorklogs>) {
        if self.spec.worklogs.is_none() {
            return;
        }
        for p in issues {
            self.missing.add(p);
        }
    }

    /// How the worklogs missing from the issues' fields are read, once no step listing
    /// issues is left: per issue, or in bulk (see [`super::worklogs`]).
    fn plan_worklogs(&mut self) {
        let Some(window) = self.spec.worklogs else {
            return;
        };
        if self.worklog_choice.is_some()
            || self.cancelled
            || self.fatal.is_some()
            || !self.search_done
        {
            return;
        }
        let listing = self.ready.iter().any(|t| t.step.lists_issues())
            || self.delayed.iter().any(|(_, t)| t.step.lists_issues())
            || self.in_flight.values().any(|t| t.step.lists_issues());
        if listing {
            return;
        }
        let limits = self.spec.limits;
        let choice = if self.missing.is_empty() {
            Choice::PerIssue { requests: 0 }
        } else {
            self.missing
                .choose(limits.worklog_page, window.now_ms, limits.concurrency)
        };
        self.progress.worklog_requests_expected = Some(match &choice {
            Choice::PerIssue { requests } | Choice::Bulk { requests, .. } => *requests,
        });
        match &choice {
            Choice::PerIssue { .. } => self.page_each(self.missing.all()),
            Choice::Bulk {
                slices, per_issue, ..
            } => {
                for (slice, s) in slices.iter().enumerate() {
                    self.push(Step::WorklogFeed {
                        slice,
                        since: s.since,
                    });
                }
                self.bulk = Some(Bulk {
                    slices: slices.clone(),
                    open: slices.len(),
                    unlisted: Vec::new(),
                    lists: 0,
                    lists_answered: 0,
                    feed: FeedProgress::new(slices, window.now_ms),
                    sent: 0,
                    budget: *per_issue,
                    finished: false,
                });
            }
        }
        self.worklog_choice = Some(choice);
    }

    /// Which path the run chose for the worklogs its issues do not embed, and by what
    /// request counts (`None` until every issue is listed, or when it reads no worklogs).
    pub fn worklog_choice(&self) -> Option<&Choice> {
        self.worklog_choice.as_ref()
    }

    fn page_each(&mut self, issues: Vec<String>) {
        for issue in issues {
            self.push(Step::Worklogs { issue, start_at: 0 });
        }
    }

    /// A feed page of `slice`: its ids up to the slice's end go to lists, and the slice
    /// goes on while the feed does and has not reached the next slice.
    fn feed_page(&mut self, slice: usize, since: i64, page: skim::FeedPage) {
        let Some(b) = self.bulk.as_mut().filter(|b| !b.finished) else {
            return;
        };
        let until = b.slices.get(slice).and_then(|s| s.until);
        let before = b.unlisted.len();
        for (id, at) in page.values {
            if until.is_none_or(|u| at <= u)
                && let Ok(id) = id.parse::<i64>()
            {
                b.unlisted.push(id);
            }
        }
        // A page that does not move on ends its slice: what it missed, the issues' own pages
        // will bring.
        let next = page
            .next_since
            .filter(|&n| n > since && until.is_none_or(|u| n < u));
        b.feed.page(slice, (b.unlisted.len() - before) as u64, next);
        if b.sent > b.budget {
            self.abandon_bulk();
            return;
        }
        match next {
            Some(since) => {
                self.push(Step::WorklogFeed { slice, since });
                self.batch_lists(false);
            }
            None => self.feed_ended(),
        }
    }

    /// A slice's feed ended (its last page, its end, or a failure).
    fn feed_ended(&mut self) {
        if let Some(b) = self.bulk.as_mut() {
            b.open = b.open.saturating_sub(1);
        }
        self.batch_lists(true);
        self.finish_bulk();
    }

    /// A list call answered (or failed).
    fn list_answered(&mut self) {
        if let Some(b) = self.bulk.as_mut() {
            b.lists = b.lists.saturating_sub(1);
            b.lists_answered += 1;
        }
        self.finish_bulk();
    }

    /// Cuts feed ids into list calls; the rest too when every slice has ended.
    fn batch_lists(&mut self, flush: bool) {
        let Some(b) = self.bulk.as_mut().filter(|b| !b.finished) else {
            return;
        };
        let flush = flush && b.open == 0;
        let mut calls = Vec::new();
        while b.unlisted.len() >= super::worklogs::LIST_MAX || (flush && !b.unlisted.is_empty()) {
            let take = super::worklogs::LIST_MAX.min(b.unlisted.len());
            calls.push(b.unlisted.drain(..take).collect::<Vec<i64>>());
        }
        b.lists += calls.len();
        for ids in calls {
            self.push(Step::WorklogList { ids });
        }
    }

    /// Every slice has ended and every list answered: the issues whose worklogs still fall
    /// short of their total are paged one by one.
    fn finish_bulk(&mut self) {
        let Some(b) = self.bulk.as_mut().filter(|b| !b.finished) else {
            return;
        };
        if b.open > 0 || b.lists > 0 || !b.unlisted.is_empty() {
            return;
        }
        b.finished = true;
        let short = self.missing.incomplete();
        self.page_each(short);
    }

    /// The feed cost more than paging every issue would have: it stops, and every issue it
    /// has not completed is paged.
    fn abandon_bulk(&mut self) {
        if let Some(b) = self.bulk.as_mut() {
            b.finished = true;
        }
        let bulk_step =
            |t: &Task| matches!(t.step, Step::WorklogFeed { .. } | Step::WorklogList { .. });
        self.ready.retain(|t| !bulk_step(t));
        self.delayed.retain(|(_, t)| !bulk_step(t));
        let short = self.missing.incomplete();
        self.page_each(short);
    }

    /// A Data Center page's issues arrive with their fields and full histories at once.
    fn count_listed(&mut self, n: u64) {
        self.progress.listed += n;
        self.progress.issues_loaded += n;
        self.progress.changelogs_loaded += n;
    }

    /// After the first page of a Data Center query (`first`) that fits the result window:
    /// every other page, at once. Jira may serve fewer than `maxResults` per page (its own
    /// cap): every page but the last holds as many issues as the first did, so step by that.
    fn plan_pages(&mut self, first: Step, total: u64, got: u64) {
        if got == 0 {
            return;
        }
        let mut start = got;
        while start < total {
            self.push(match first {
                Step::DcRange { range, .. } => Step::DcRange {
                    range,
                    start_at: start,
                },
                _ => Step::DcPage { start_at: start },
            });
            start += got;
        }
    }

    /// Both ends of the span are known: ranges of half a result window each, at once.
    fn plan_dc_ranges(&mut self) {
        if let (Some(lo), Some(hi)) = self.dc_span {
            let total = self.progress.total.unwrap_or(0);
            let per_range = (self.spec.limits.dc_cap / 2).max(1);
            for range in keyset::split(lo, hi, total, per_range) {
                self.dc_ranges.push(range);
                let range = self.dc_ranges.len() - 1;
                self.push(Step::DcRange { range, start_at: 0 });
            }
        }
        self.search_done = true;
    }

    /// The search listed its last page: the total is exact and leftover ids are batched.
    fn finish_search(&mut self) {
        self.search_done = true;
        self.progress.total = Some(self.progress.listed);
        self.progress.total_is_exact = true;
        self.batch(true);
    }

    /// Cuts listed ids into issue batches and changelog batches; partial batches only when
    /// `flush` (no more ids are coming).
    fn batch(&mut self, flush: bool) {
        let n = self.spec.limits.bulk_issues.max(1);
        while self.unbatched_issues.len() >= n || (flush && !self.unbatched_issues.is_empty()) {
            let take = n.min(self.unbatched_issues.len());
            let ids: Vec<String> = self.unbatched_issues.drain(..take).collect();
            self.push(Step::Issues { ids });
        }
        let n = self.spec.limits.changelog_issues.max(1);
        while self.unbatched_changelogs.len() >= n
            || (flush && !self.unbatched_changelogs.is_empty())
        {
            let take = n.min(self.unbatched_changelogs.len());
            let ids: Vec<String> = self.unbatched_changelogs.drain(..take).collect();
            self.batches.push(ids);
            let batch = self.batches.len() - 1;
            self.push(Step::Changelogs { batch, token: None });
        }
    }

    /// Stops the run: nothing more is sent, answers still in flight are ignored.
    pub fn cancel(&mut self) {
        if !self.cancelled && self.fatal.is_none() {
            self.cancelled = true;
            self.ready.clear();
            self.delayed.clear();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// Stops the run with `error`: a document was lost after the planner delivered it (it
    /// never reached the worker), so no result may be shown. The first failure wins.
    pub fn fail(&mut self, error: ClientError) {
        if self.fatal.is_none() {
            self.fatal = Some(error);
            self.ready.clear();
            self.delayed.clear();
        }
    }

    /// Whether nothing more will be sent and nothing is awaited.
    pub fn is_done(&self) -> bool {
        if self.cancelled || self.fatal.is_some() {
            return true;
        }
        self.search_done
            && self.ready.is_empty()
            && self.delayed.is_empty()
            && self.in_flight.is_empty()
    }

    /// The time (same clock as `now_ms`) at which a waiting request may go, if any waits.
    ///
    /// `None` when nothing waits on time: the run is done, or every slot is taken and an
    /// answer will come first.
    pub fn next_wake(&self) -> Option<f64> {
        if self.is_done() || self.in_flight.len() >= self.spec.limits.concurrency.max(1) {
            return None;
        }
        let earliest = if self.ready.is_empty() {
            self.delayed.iter().map(|(at, _)| *at).reduce(f64::min)
        } else {
            Some(f64::NEG_INFINITY)
        };
        earliest.map(|t| t.max(self.paused_until))
    }

    /// What request `id`, in flight, is for.
    pub fn purpose_of(&self, id: RequestId) -> Option<Purpose> {
        self.in_flight.get(&id).map(|t| t.step.purpose())
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    pub fn progress(&self, now_ms: f64) -> Progress {
        let mut p = self.progress.clone();
        p.in_flight = self.in_flight.len();
        let waiting_for_limit = self.paused_until > now_ms;
        p.rate_limit_wait_ms = waiting_for_limit.then_some(self.paused_until - now_ms);
        if p.reads_worklogs && self.is_done() && !self.cancelled && self.fatal.is_none() {
            // Whatever the estimate said, every worklog request there was is answered.
            p.worklog_requests_expected = Some(p.worklog_requests);
            p.worklog_share = 1.0;
        }
        p
    }

    /// How the run ended (or stands).
    pub fn outcome(&self) -> Outcome {
        if let Some(e) = &self.fatal {
            return Outcome::Failed(e.clone());
        }
        let mut reasons = Vec::new();
        if self.cancelled {
            reasons.push(format!(
                "you cancelled the run: {} of {} issues were read",
                self.progress
                    .issues_loaded
                    .min(self.progress.changelogs_loaded),
                self.progress
                    .total
                    .map_or_else(|| "?".to_string(), |t| t.to_string())
            ));
        }
        reasons.extend(self.partial.iter().cloned());
        if reasons.is_empty() {
            Outcome::Complete
        } else {
            Outcome::Partial { reasons }
        }
    }
}
