//! The domain model: issues, their status and assignee changes, statuses and people, filled
//! page by page as Jira answers.
//!
//! Only what reports use is kept: each changelog is reduced to its status and assignee changes,
//! ids are interned, and issue fields are summarised into short display values. That keeps a
//! hundred thousand issues in a few tens of megabytes.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use hashbrown::HashTable;
use serde::{Deserialize, Serialize};

use crate::time::Millis;

/// FNV-1a: interning hashes millions of short ids, where std's DoS-resistant hasher is slow
/// and its protection buys nothing (the input is the user's own Jira data).
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// An interned status or person; [`NONE`] is "no value" (an unassigned issue).
pub(crate) type Sym = u32;
pub(crate) const NONE: Sym = Sym::MAX;

/// History ids that are missing or not numbers are never deduplicated.
pub(crate) const NO_HISTORY_ID: u64 = 0;

/// Issues and their changelogs, filled incrementally from Jira pages.
///
/// Every `add_*` method takes the raw bytes of one Jira response and may be called in any order:
/// a changelog page may arrive before the search page that lists its issue, and one issue's
/// histories may be spread over several pages. Histories seen twice (same history id) count
/// once. See [`crate::wire`] for the shapes read.
#[derive(Debug, Default, Clone)]
pub struct Dataset {
    pub(crate) issues: Vec<Issue>,
    /// Issues by Jira id and by key: slots only, hashed by the id or key the issue itself
    /// holds, so a million issues keep no second copy of every id and key.
    by_id: HashTable<u32>,
    by_key: HashTable<u32>,
    /// Keys an issue had before it was seen under a new one (a moved issue): they still find
    /// it, as Jira redirects them.
    old_keys: FastMap<Box<str>, u32>,
    pub(crate) statuses: Statuses,
    pub(crate) people: People,
    pub(crate) field_names: HashMap<String, String>,
    pub(crate) keep_fields: Option<HashSet<String>>,
    pub(crate) bulk_pages: u32,
    pub(crate) bulk_last_pages: u32,
    pub(crate) status_list_loaded: bool,
    /// `/worklog/list` answers loaded.
    pub(crate) worklog_lists: u32,
    /// Jira groups named by timesheet filters, resolved into members by the caller.
    pub(crate) group_members: HashMap<String, Vec<String>>,
}

impl Dataset {
    /// An empty data set that keeps every issue field it is given.
    pub fn new() -> Self {
        Dataset::default()
    }

    /// An empty data set that keeps only these issue fields (besides key, status, created,
    /// updated, resolution date and assignee, always kept), e.g.
    /// [`config::ReportConfig::needed_fields`]. Saves memory on pages fetched with `*all`.
    pub fn for_fields<I, S>(fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Dataset {
            keep_fields: Some(fields.into_iter().map(|f| f.as_ref().to_owned()).collect()),
            ..Dataset::default()
        }
    }

    /// The number of issues known, including those only seen in changelog pages so far.
    pub fn issue_count(&self) -> usize {
        self.issues.len()
    }

    /// The number of status and assignee changes kept.
    pub fn change_count(&self) -> usize {
        self.issues.iter().map(|i| i.changes.len()).sum()
    }

    /// Issues whose changelog is not known to be complete, with what is known about each. The
    /// fetch planner asks Jira for these; the engine flags them in every report.
    pub fn incomplete_changelogs(&self) -> Vec<(IssueRef, Completeness)> {
        self.issues
            .iter()
            .filter_map(|i| match i.log.completeness() {
                Completeness::Complete => None,
                c => Some((i.reference(), c)),
            })
            .collect()
    }

    /// How complete one issue's changelog is (by id or key); `None` for an unknown issue.
    pub fn changelog_completeness(&self, issue: &str) -> Option<Completeness> {
        self.find(issue)
            .map(|i| self.issues[i as usize].log.completeness())
    }

    /// Declares the changelogs of these issues (ids or keys) complete: the caller has fetched
    /// every bulk changelog page for them (the last page has no `nextPageToken`). An issue with
    /// no history at all is absent from bulk pages, so only the caller, who knows what it
    /// asked for, can say this. Unknown issues are ignored.
    pub fn mark_changelogs_complete<S: AsRef<str>>(&mut self, issues: &[S]) {
        self.mark(issues, |issue| &mut issue.log.marked_complete);
    }

    /// For dumps read from files (the CLI): when bulk changelog pages were loaded and at least
    /// one chain of them ended, takes the files to hold whole bulk fetches and declares complete
    /// every issue seen in a bulk page, and every issue that had no embedded or per-issue
    /// changelog of its own (an issue that never changed is in no bulk page). Returns how many
    /// issues were marked.
    pub fn assume_bulk_changelogs_complete(&mut self) -> usize {
        if self.bulk_last_pages == 0 {
            return 0;
        }
        let mut marked = 0;
        for issue in &mut self.issues {
            let log = &mut issue.log;
            let unlogged = log.embedded.is_none() && log.paged.is_none();
            if (unlogged || log.bulk) && !log.marked_complete {
                log.marked_complete = true;
                marked += 1;
            }
        }
        marked
    }

    /// The number of worklogs kept.
    pub fn worklog_count(&self) -> usize {
        self.issues.iter().map(|i| i.worklogs.len()).sum()
    }

    /// Issues whose worklogs are not known to be all there (an issue's `worklog` field holds at
    /// most 20 with a larger `total`, and no complete page followed), with what is known. A
    /// timesheet lists them as partial.
    pub fn incomplete_worklogs(&self) -> Vec<(IssueRef, Completeness)> {
        self.issues
            .iter()
            .filter_map(|i| match i.worklog_log.completeness(i.worklogs.len()) {
                Completeness::Complete => None,
                c => Some((i.reference(), c)),
            })
            .collect()
    }

    /// Declares these issues' worklogs (ids or keys) complete: the caller fetched every worklog
    /// of them, e.g. through `/worklog/updated` and `/worklog/list`, which name no totals. An
    /// issue with no worklog at all needs this too when it was not read with its `worklog`
    /// field. Unknown issues are ignored.
    pub fn mark_worklogs_complete<S: AsRef<str>>(&mut self, issues: &[S]) {
        self.mark(issues, |issue| &mut issue.worklog_log.marked_complete);
    }

    /// Sets the flag `flag` picks of each of these issues (ids or keys); unknown ones are
    /// ignored.
    fn mark<S: AsRef<str>>(&mut self, issues: &[S], flag: fn(&mut Issue) -> &mut bool) {
        for issue in issues {
            if let Some(i) = self.find(issue.as_ref()) {
                *flag(&mut self.issues[i as usize]) = true;
            }
        }
    }

    /// For dumps read from files (the CLI): when `/worklog/list` answers were loaded, takes the
    /// files to hold every worklog the user may see (a whole `/worklog/updated` fetch), and
    /// declares complete every issue whose worklogs have no known total (read only from lists,
    /// or not at all). An issue whose `worklog` field says it has more than the files hold stays
    /// partial. Returns how many issues were marked.
    pub fn assume_worklog_lists_complete(&mut self) -> usize {
        if self.worklog_lists == 0 {
            return 0;
        }
        let mut marked = 0;
        for issue in &mut self.issues {
            let log = &mut issue.worklog_log;
            let no_total = log.embedded.as_deref().is_none_or(|e| e.2.is_none())
                && log.paged.as_deref().is_none_or(|p| p.total.is_none());
            if no_total && !log.marked_complete {
                log.marked_complete = true;
                marked += 1;
            }
        }
        marked
    }

    /// The members of a Jira group (account ids on Cloud, user names on Data Center), as the
    /// browser resolved them: a timesheet filtered on the group counts their worklogs.
    pub fn set_group_members<S: AsRef<str>>(&mut self, group: &str, members: &[S]) {
        self.group_members.insert(
            group.to_owned(),
            members.iter().map(|m| m.as_ref().to_owned()).collect(),
        );
    }

    /// Every status seen (in `/status` lists, issue fields or histories), with its current
    /// name and category: what a column picker offers.
    pub fn statuses(&self) -> Vec<Status> {
        self.statuses
            .list
            .iter()
            .map(|s| Status {
                id: s.jira_id().map(str::to_owned),
                name: s.name.to_string(),
                category: match s.category {
                    Category::ToDo => StatusCategory::ToDo,
                    Category::InProgress => StatusCategory::InProgress,
                    Category::Done => StatusCategory::Done,
                    Category::Unknown => StatusCategory::Unknown,
                },
            })
            .collect()
    }

    /// A field's display name, from a `/field` list or a search page's `names`.
    pub fn field_name(&self, id: &str) -> Option<&str> {
        self.field_names.get(id).map(String::as_str)
    }

    pub(crate) fn find(&self, issue: &str) -> Option<u32> {
        self.slot_of_key(issue).or_else(|| self.slot_of_id(issue))
    }

    fn slot_of_id(&self, id: &str) -> Option<u32> {
        let issues = &self.issues;
        self.by_id
            .find(fnv(id), |&s| issues[s as usize].id.as_deref() == Some(id))
            .copied()
    }

    fn slot_of_key(&self, key: &str) -> Option<u32> {
        let issues = &self.issues;
        self.by_key
            .find(fnv(key), |&s| {
                issues[s as usize].key.as_deref() == Some(key)
            })
            .copied()
            .or_else(|| self.old_keys.get(key).copied())
    }

    /// The slot of an issue known by id and/or key, created when new.
    pub(crate) fn slot(&mut self, id: Option<&str>, key: Option<&str>) -> u32 {
        let found = id
            .and_then(|id| self.slot_of_id(id))
            .or_else(|| key.and_then(|k| self.slot_of_key(k)));
        let slot = match found {
            Some(s) => s,
            None => {
                let s = u32::try_from(self.issues.len()).unwrap_or(u32::MAX);
                self.issues.push(Issue::default());
                s
            }
        };
        let issues = &mut self.issues;
        if let Some(id) = id
            && issues[slot as usize].id.is_none()
        {
            issues[slot as usize].id = Some(id.into());
            self.by_id.insert_unique(fnv(id), slot, |&s| {
                issues[s as usize].id.as_deref().map_or(0, fnv)
            });
        }
        if let Some(key) = key
            && issues[slot as usize].key.as_deref() != Some(key)
        {
            if let Some(old) = issues[slot as usize].key.take() {
                if let Ok(entry) = self.by_key.find_entry(fnv(&old), |&s| s == slot) {
                    entry.remove();
                }
                self.old_keys.insert(old, slot);
            }
            // Another issue seen under this key before gives it up: the key is this one's now.
            if let Ok(entry) = self.by_key.find_entry(fnv(key), |&s| {
                issues[s as usize].key.as_deref() == Some(key)
            }) {
                entry.remove();
            }
            issues[slot as usize].key = Some(key.into());
            self.by_key.insert_unique(fnv(key), slot, |&s| {
                issues[s as usize].key.as_deref().map_or(0, fnv)
            });
        }
        slot
    }
}

/// The hash of an issue id or key in [`Dataset`]'s tables.
fn fnv(text: &str) -> u64 {
    let mut h = Fnv::default();
    h.write(text.as_bytes());
    h.finish()
}

/// An issue as named by Jira.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueRef {
    pub id: Option<String>,
    pub key: Option<String>,
}

impl IssueRef {
    /// The key, else the id, for messages.
    pub fn label(&self) -> &str {
        self.key
            .as_deref()
            .or(self.id.as_deref())
            .unwrap_or("(unnamed)")
    }
}

/// A status as a data set knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// The Jira id; `None` for a status known only by name from an old change item.
    pub id: Option<String>,
    /// The current name.
    pub name: String,
    pub category: StatusCategory,
}

/// Jira's status categories (`statusCategory.key`: `new`, `indeterminate`, `done`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StatusCategory {
    ToDo,
    InProgress,
    Done,
    Unknown,
}

/// How much of an issue's changelog has been seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Completeness {
    /// Every history is known.
    Complete,
    /// Some histories are known, not all (a search page's at most 40, or missing pages).
    Truncated { have: u32, total: Option<u32> },
    /// No changelog was loaded for this issue.
    Missing,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Issue {
    pub id: Option<Box<str>>,
    pub key: Option<Box<str>>,
    pub created: Option<Millis>,
    pub updated: Option<Millis>,
    pub resolved: Option<Millis>,
    /// The current status.
    pub status: Option<Sym>,
    /// The current assignee: `None` when the field was not fetched, `Some(NONE)` unassigned.
    pub assignee: Option<Sym>,
    pub fields: Vec<(Box<str>, FieldValue)>,
    /// Status and assignee changes, sorted by time, history id and item order, without
    /// duplicates.
    pub changes: Vec<Change>,
    pub log: LogState,
    /// Worklogs the user may see, sorted by start and id, without duplicates.
    pub worklogs: Vec<Worklog>,
    pub worklog_log: WorklogLog,
}

impl Issue {
    pub(crate) fn reference(&self) -> IssueRef {
        IssueRef {
            id: self.id.as_deref().map(str::to_owned),
            key: self.key.as_deref().map(str::to_owned),
        }
    }

    pub(crate) fn label(&self) -> &str {
        self.key.as_deref().or(self.id.as_deref()).unwrap_or("?")
    }

    pub(crate) fn field(&self, id: &str) -> Option<&FieldValue> {
        self.fields
            .iter()
            .find(|(k, _)| k.as_ref() == id)
            .map(|(_, v)| v)
    }

    pub(crate) fn set_field(&mut self, id: Box<str>, value: Option<FieldValue>) {
        self.fields.retain(|(k, _)| *k != id);
        if let Some(v) = value {
            self.fields.push((id, v));
        }
    }

    /// Sorts worklogs by start and id, and drops repeats of one seen twice (in the issue's
    /// `worklog` field and on a page).
    pub(crate) fn normalise_worklogs(&mut self) {
        self.worklogs
            .sort_unstable_by_key(|w| (w.started, w.id, w.author, w.spent));
        self.worklogs
            .dedup_by(|a, b| a.id != NO_HISTORY_ID && a.id == b.id);
    }

    /// Sorts changes by time, then numeric history id, then item order, and drops repeats of a
    /// history seen on two pages.
    pub(crate) fn normalise(&mut self) {
        self.changes
            .sort_unstable_by_key(|c| (c.at, c.history, c.seq, c.what as u8));
        self.changes.dedup_by(|a, b| {
            a.history != NO_HISTORY_ID
                && a.history == b.history
                && a.seq == b.seq
                && a.what == b.what
        });
    }
}

/// One worklog: its author, when it started and how long it ran. Nothing else of a worklog
/// (comment, visibility, editors) is kept.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Worklog {
    /// Jira's numeric id; [`NO_HISTORY_ID`] (never deduplicated) when it has none.
    pub id: u64,
    /// Interned in [`People`], like assignees.
    pub author: Sym,
    pub started: Millis,
    /// Milliseconds (`timeSpentSeconds` × 1000).
    pub spent: i64,
}

/// Where an issue's worklogs came from, to tell all of them from some. What is rare is boxed:
/// a million issues that never had a worklog page cost 24 bytes each here, not 80.
#[derive(Debug, Default, Clone)]
pub(crate) struct WorklogLog {
    /// The issue's `worklog` field: (start, worklogs in it, `total`).
    pub embedded: Option<Box<(u64, u64, Option<u64>)>>,
    /// Per-issue worklog pages: worklogs received, the `total` they gave, whether the last
    /// page was seen.
    pub paged: Option<Box<Paged>>,
    pub marked_complete: bool,
}

impl WorklogLog {
    pub(crate) fn completeness(&self, have: usize) -> Completeness {
        let (embedded, paged) = (self.embedded.as_deref(), self.paged.as_deref());
        if self.marked_complete || paged.is_some_and(Paged::whole) {
            return Completeness::Complete;
        }
        if let Some(&(start, got, total)) = embedded
            && start == 0
            && got >= total.unwrap_or(0)
        {
            return Completeness::Complete;
        }
        let total = paged.and_then(|p| p.total).or(embedded.and_then(|e| e.2));
        // Worklogs are kept once per id, so holding as many as Jira's total is holding all,
        // however they came (a field, pages, lists).
        if total.is_some_and(|t| have as u64 >= t) {
            return Completeness::Complete;
        }
        if embedded.is_some() || paged.is_some() || have > 0 {
            Completeness::Truncated {
                have: u32::try_from(have).unwrap_or(u32::MAX),
                total: total.map(|t| u32::try_from(t).unwrap_or(u32::MAX)),
            }
        } else {
            Completeness::Missing
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum What {
    Status = 0,
    Assignee = 1,
}

/// One status or assignee change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Change {
    pub at: Millis,
    pub history: u64,
    pub seq: u16,
    pub what: What,
    pub from: Sym,
    pub to: Sym,
}

/// Where an issue's histories came from, to tell a complete changelog from a partial one.
/// Embedded and paged histories are boxed: most issues of a large data set come from bulk
/// pages and have neither, and a million issues then cost 24 bytes each here, not 96.
#[derive(Debug, Default, Clone)]
pub(crate) struct LogState {
    /// From a search or issue response with `expand=changelog`.
    pub embedded: Option<Box<Embedded>>,
    /// From per-issue changelog pages.
    pub paged: Option<Box<Paged>>,
    /// Seen in at least one bulk changelog page.
    pub bulk: bool,
    pub marked_complete: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Embedded {
    pub start_at: u64,
    pub got: u64,
    pub total: Option<u64>,
    pub max_results: Option<u64>,
}

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Paged {
    pub received: u64,
    pub total: Option<u64>,
    pub last_seen: bool,
}

impl Paged {
    /// Whether the pages hold it all: the last was seen, with as many as the total said.
    fn whole(&self) -> bool {
        self.last_seen && self.received >= self.total.unwrap_or(0)
    }
}

impl LogState {
    pub(crate) fn completeness(&self) -> Completeness {
        let (embedded, paged) = (self.embedded.as_deref(), self.paged.as_deref());
        if self.marked_complete || paged.is_some_and(Paged::whole) {
            return Completeness::Complete;
        }
        if let Some(e) = embedded {
            let whole = match (e.total, e.max_results) {
                (Some(total), _) => e.got >= total,
                (None, Some(max)) => e.got < max,
                (None, None) => true,
            };
            if e.start_at == 0 && whole {
                return Completeness::Complete;
            }
        }
        let have = embedded.map_or(0, |e| e.got) + paged.map_or(0, |p| p.received);
        let total = paged
            .and_then(|p| p.total)
            .or(embedded.and_then(|e| e.total));
        if embedded.is_some() || paged.is_some() || self.bulk {
            Completeness::Truncated {
                have: u32::try_from(have).unwrap_or(u32::MAX),
                total: total.map(|t| u32::try_from(t).unwrap_or(u32::MAX)),
            }
        } else {
            Completeness::Missing
        }
    }
}

/// An issue field's value, summarised for display, filtering and grouping.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldValue {
    Text(Box<str>),
    Number(f64),
    List(Box<[Box<str>]>),
}

/// Status category, for ordering columns the way a workflow runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) enum Category {
    ToDo,
    InProgress,
    #[default]
    Unknown,
    Done,
}

impl Category {
    /// Position in a workflow. A status of unknown category sits with the in-progress ones,
    /// where first appearance orders it.
    pub(crate) fn rank(self) -> u8 {
        match self {
            Category::ToDo => 0,
            Category::InProgress | Category::Unknown => 1,
            Category::Done => 2,
        }
    }

    pub(crate) fn from_key(key: &str) -> Category {
        match key {
            "new" => Category::ToDo,
            "indeterminate" => Category::InProgress,
            "done" => Category::Done,
            _ => Category::Unknown,
        }
    }
}

/// How trustworthy a status name is: the `/status` list beats an issue's current status field,
/// which beats the names written into histories at the time of each change.
pub(crate) const RANK_HISTORY: u8 = 1;
pub(crate) const RANK_CURRENT: u8 = 2;
pub(crate) const RANK_LIST: u8 = 3;

#[derive(Debug, Clone)]
pub(crate) struct StatusInfo {
    /// The Jira status id, or `name:<name>` for an old change item that has only a name.
    pub key: Box<str>,
    pub name: Box<str>,
    pub name_rank: u8,
    pub name_at: Millis,
    pub category: Category,
    pub listed: bool,
}

impl StatusInfo {
    /// The Jira id, when the status has one.
    pub(crate) fn jira_id(&self) -> Option<&str> {
        (!self.key.starts_with("name:")).then_some(&*self.key)
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Statuses {
    pub list: Vec<StatusInfo>,
    index: FastMap<Box<str>, Sym>,
}

impl Statuses {
    /// Interns a status by id (or by name when there is no id) and records its name if it is
    /// better than the one known.
    pub(crate) fn intern(
        &mut self,
        id: Option<&str>,
        name: Option<&str>,
        rank: u8,
        at: Millis,
    ) -> Option<Sym> {
        let id = id.map(str::trim_ascii).filter(|s| !s.is_empty());
        let name = name.map(str::trim_ascii).filter(|s| !s.is_empty());
        let synthetic;
        let key: &str = match (id, name) {
            (Some(id), _) => id,
            (None, Some(name)) => {
                synthetic = format!("name:{name}");
                &synthetic
            }
            (None, None) => return None,
        };
        let sym = match self.index.get(key) {
            Some(&s) => s,
            None => {
                let s = Sym::try_from(self.list.len()).unwrap_or(NONE - 1);
                self.list.push(StatusInfo {
                    key: key.into(),
                    name: name.unwrap_or(key).into(),
                    name_rank: 0,
                    name_at: Millis::MIN,
                    category: Category::Unknown,
                    listed: false,
                });
                self.index.insert(key.into(), s);
                s
            }
        };
        if let Some(name) = name {
            let info = &mut self.list[sym as usize];
            if (rank, at) >= (info.name_rank, info.name_at) {
                if *info.name != *name {
                    info.name = name.into();
                }
                info.name_rank = rank;
                info.name_at = at;
            }
        }
        Some(sym)
    }

    pub(crate) fn get(&self, id: &str) -> Option<Sym> {
        self.index.get(id).copied()
    }

    pub(crate) fn name(&self, sym: Sym) -> &str {
        self.list.get(sym as usize).map_or("?", |s| &*s.name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Person {
    /// The account id (Cloud) or user name (Data Center), or the name when Jira gave no id.
    pub id: Box<str>,
    pub name: Box<str>,
    pub name_at: Millis,
}

/// People seen as assignees, by account id (Cloud) or user name (Data Center).
#[derive(Debug, Default, Clone)]
pub(crate) struct People {
    pub list: Vec<Person>,
    index: FastMap<Box<str>, Sym>,
}

impl People {
    pub(crate) fn intern(&mut self, id: Option<&str>, name: Option<&str>, at: Millis) -> Sym {
        let id = id.map(str::trim_ascii).filter(|s| !s.is_empty());
        let name = name.map(str::trim_ascii).filter(|s| !s.is_empty());
        let Some(key) = id.or(name) else {
            return NONE;
        };
        let sym = match self.index.get(key) {
            Some(&s) => s,
            None => {
                let s = Sym::try_from(self.list.len()).unwrap_or(NONE - 1);
                self.list.push(Person {
                    id: key.into(),
                    name: name.unwrap_or(key).into(),
                    name_at: Millis::MIN,
                });
                self.index.insert(key.into(), s);
                s
            }
        };
        if let Some(name) = name {
            let p = &mut self.list[sym as usize];
            if at >= p.name_at {
                if *p.name != *name {
                    p.name = name.into();
                }
                p.name_at = at;
            }
        }
        sym
    }

    /// A person by account id (or Data Center user name).
    pub(crate) fn get(&self, id: &str) -> Option<Sym> {
        self.index.get(id).copied()
    }
}
