//! Jira's JSON, and its conversion into the domain model. The only module that sees raw JSON.
//!
//! Shapes read (Atlassian's OpenAPI names in brackets):
//! - Cloud `GET/POST /rest/api/3/search/jql` pages (`SearchAndReconcileResults`), with or
//!   without `expand=changelog`; `POST /rest/api/3/issue/bulkfetch` responses (the same
//!   `issues` array, no paging).
//! - Data Center `/rest/api/2/search` pages (`SearchResults`, `startAt`/`maxResults`/`total`).
//! - One issue, `GET /rest/api/{2,3}/issue/{key}?expand=changelog` (`IssueBean`).
//! - Per-issue changelog pages, `GET /rest/api/3/issue/{key}/changelog` (`PageBeanChangelog`).
//! - Bulk changelog pages, `POST /rest/api/3/changelog/bulkfetch`
//!   (`BulkChangelogResponseBean`).
//! - `GET /rest/api/{2,3}/status` (a list of `StatusDetails`) and `/field` (`FieldDetails`).
//! - Worklogs (`Worklog`, Cloud and Data Center authors alike): an issue's `worklog` field (at
//!   most 20 with a `total`), per-issue pages `GET /rest/api/{2,3}/issue/{key}/worklog`
//!   (`PageOfWorklogs`) and `POST /rest/api/{2,3}/worklog/list` (a list). Only the id, issue,
//!   author, `started` and `timeSpentSeconds` are read; comments and visibility never are.
//! - A group's members, `GET /rest/api/{3,2}/group/member` (`PageBeanUserDetails`), for
//!   timesheets filtered on a group ([`Dataset::add_group_member_page`]).
//!
//! Reading is defensive: unknown fields are ignored, ids may be strings or numbers, `fieldId`
//! may be missing from old change items, timestamps may carry `+0000`, `+05:30` or `Z`, or be
//! epoch milliseconds. Malformed values are refused with the issue and history they sit in.
//!
//! The seams, in the order a document passes them:
//! - [`intake`]: the `Dataset::add_*` entry points; each recognises its shape and merges what
//!   it read into the data set. This module holds what they answer ([`Loaded`] and the page
//!   infos) and [`WireError`].
//! - [`shapes`]: the serde shapes of Jira's documents, borrowing from the input.
//! - [`histories`]: a list of histories, reduced to status and assignee changes as it is read.
//! - [`scan`]: the fast path of that reduction, a small scanner over raw JSON slices.
//! - [`sink`]: the data set's interners, lent to the reader for one document.
//! - [`locate`]: on an error, which issue and history hold the bad value.
//!
//! Speed: a million histories must load in well under a second, and histories are most of the
//! bytes. serde_json parses and validates every document; each list of histories is taken from
//! it as a raw slice and read by the scanner, which keeps only status and assignee changes,
//! interning ids as it goes. Whatever the scanner does not recognise (escaped strings, numbers
//! where Jira writes text, unusual key order) goes through the ordinary serde visitor instead,
//! so the scanner only ever speeds things up.

mod histories;
mod intake;
mod locate;
mod scan;
mod shapes;
mod sink;

use serde::{Deserialize, Serialize};

use crate::dataset::IssueRef;

/// Why a Jira response could not be read. Messages are lowercase and name the issue and
/// history at fault when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Not JSON, or JSON of the wrong type at a place the shape fixes.
    #[error("malformed json at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// One issue (or one history of it) holds a value that cannot be read.
    #[error("issue {issue}: {message}")]
    Issue { issue: String, message: String },
    /// The document is JSON but not the shape expected.
    #[error("{0}")]
    Shape(String),
}

/// What a search page (or an issue bulk fetch) held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPageInfo {
    /// The issues on the page, in page order.
    pub issues: Vec<IssueRef>,
    /// Cloud: the token for the next page; absent on the last page.
    pub next_page_token: Option<String>,
    /// Whether this is the last page (Cloud `isLast`, or worked out from the paging fields).
    pub is_last: bool,
    /// Data Center paging.
    pub start_at: Option<u64>,
    pub max_results: Option<u64>,
    pub total: Option<u64>,
}

/// What a bulk changelog page held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkChangelogInfo {
    /// Issue ids with histories on this page (an issue may continue on the next page).
    pub issue_ids: Vec<String>,
    pub next_page_token: Option<String>,
    pub is_last: bool,
}

/// What a per-issue changelog page held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangelogPageInfo {
    pub issue: IssueRef,
    pub start_at: Option<u64>,
    pub max_results: Option<u64>,
    pub total: Option<u64>,
    pub histories: u64,
    pub is_last: bool,
}

/// What a page of one issue's worklogs held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorklogPageInfo {
    /// The issue; `None` for an empty page read without naming it.
    pub issue: Option<IssueRef>,
    pub start_at: Option<u64>,
    pub max_results: Option<u64>,
    pub total: Option<u64>,
    pub worklogs: u64,
    pub is_last: bool,
}

/// What a `/worklog/list` answer held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorklogListInfo {
    pub worklogs: usize,
    /// The issues the worklogs belong to.
    pub issues: Vec<IssueRef>,
}

/// What a page of a group's members held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupMembersInfo {
    pub members: u64,
    /// Whether this is the last page (`isLast`, or worked out from `startAt` and `total`).
    pub is_last: bool,
}

/// What [`Dataset::add_json`] recognised and loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "camelCase")]
pub enum Loaded {
    SearchPage(SearchPageInfo),
    BulkChangelog(BulkChangelogInfo),
    IssueChangelog(ChangelogPageInfo),
    Issue(IssueRef),
    WorklogPage(WorklogPageInfo),
    WorklogList(WorklogListInfo),
    Statuses { count: usize },
    Fields { count: usize },
}
