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
//!
//! Reading is defensive: unknown fields are ignored, ids may be strings or numbers, `fieldId`
//! may be missing from old change items, timestamps may carry `+0000`, `+05:30` or `Z`, or be
//! epoch milliseconds. Malformed values are refused with the issue and history they sit in.
//!
//! Speed: a million histories must load in well under a second, and histories are most of the
//! bytes. serde_json parses and validates every document; each list of histories is taken from
//! it as a raw slice and read by a small scanner (`scan_histories`) that keeps only status
//! and assignee changes, interning ids as it goes (the data set's interners are lent to the
//! reader through a thread-local for the duration of one document). Whatever the scanner does
//! not recognise (escaped strings, numbers where Jira writes text, unusual key order) goes
//! through the ordinary serde visitor instead, so the scanner only ever speeds things up.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use std::cell::RefCell;
use std::collections::HashSet;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::dataset::{
    Category, Change, Dataset, Embedded, FieldValue, IssueRef, NO_HISTORY_ID, NONE, Paged, People,
    RANK_CURRENT, RANK_HISTORY, RANK_LIST, Statuses, What,
};
use crate::time::{Millis, in_range, parse_millis};

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

/// What [`Dataset::add_json`] recognised and loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "camelCase")]
pub enum Loaded {
    SearchPage(SearchPageInfo),
    BulkChangelog(BulkChangelogInfo),
    IssueChangelog(ChangelogPageInfo),
    Issue(IssueRef),
    Statuses { count: usize },
    Fields { count: usize },
}

impl Dataset {
    /// Loads a search page: Cloud `search/jql`, Data Center `search`, or an issue bulk fetch.
    pub fn add_search_page(&mut self, json: &[u8]) -> Result<SearchPageInfo, WireError> {
        let page: Page = parse_into(self, json)?;
        self.search_page(page).ok_or_else(|| {
            WireError::Shape("expected a search page with an `issues` list".into())
        })?
    }

    /// Loads a bulk changelog page (`POST /rest/api/3/changelog/bulkfetch`). One issue's
    /// histories may continue on the next page; they are put back together here.
    pub fn add_bulk_changelog_page(&mut self, json: &[u8]) -> Result<BulkChangelogInfo, WireError> {
        let page: Page = parse_into(self, json)?;
        self.bulk_page(page).ok_or_else(|| {
            WireError::Shape("expected a bulk changelog page with `issueChangeLogs`".into())
        })?
    }

    /// Loads one page of `GET /rest/api/3/issue/{issue}/changelog` for `issue` (id or key).
    pub fn add_issue_changelog_page(
        &mut self,
        issue: &str,
        json: &[u8],
    ) -> Result<ChangelogPageInfo, WireError> {
        let page: Page = parse_into(self, json)?;
        self.changelog_page(Some(issue), page)
    }

    /// Loads the `/status` list: current names and categories of statuses.
    pub fn add_statuses(&mut self, json: &[u8]) -> Result<usize, WireError> {
        let list: Vec<WireStatus> = parse(json)?;
        Ok(self.status_list(list))
    }

    /// Loads the `/field` list: display names of field ids.
    pub fn add_fields(&mut self, json: &[u8]) -> Result<usize, WireError> {
        let list: Vec<WireField> = parse(json)?;
        Ok(self.field_list(list))
    }

    /// Loads any of the shapes above, recognised by their keys (for the CLI, which reads files
    /// of unknown origin). A per-issue changelog page must name its issue in its `self` URL.
    pub fn add_json(&mut self, json: &[u8]) -> Result<Loaded, WireError> {
        let first = json.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'[') {
            let list: Vec<ListItem> = parse(json)?;
            if list.iter().any(ListItem::looks_like_field) {
                let fields = list.into_iter().map(ListItem::into_field).collect();
                return Ok(Loaded::Fields {
                    count: self.field_list(fields),
                });
            }
            let statuses = list.into_iter().map(ListItem::into_status).collect();
            return Ok(Loaded::Statuses {
                count: self.status_list(statuses),
            });
        }
        let page: Page = parse_into(self, json)?;
        if page.issue_change_logs.is_some() {
            return self.bulk_page(page).map_or_else(
                || Err(WireError::Shape("unreachable".into())),
                |r| r.map(Loaded::BulkChangelog),
            );
        }
        if page.issues.is_some() {
            return self.search_page(page).map_or_else(
                || Err(WireError::Shape("unreachable".into())),
                |r| r.map(Loaded::SearchPage),
            );
        }
        if page.values.is_some() {
            return self.changelog_page(None, page).map(Loaded::IssueChangelog);
        }
        if page.fields.is_some() || (page.key.is_some() && page.changelog.is_some()) {
            let issue = WireIssue {
                id: page.id,
                key: page.key,
                fields: page.fields,
                changelog: page.changelog,
            };
            return self.issue(issue).map(Loaded::Issue);
        }
        Err(WireError::Shape(
            "not a Jira shape dwell reads: expected a search page (`issues`), a bulk changelog \
             page (`issueChangeLogs`), a changelog page (`values`), an issue (`fields`), or a \
             status or field list"
                .into(),
        ))
    }

    fn search_page(&mut self, page: Page<'_>) -> Option<Result<SearchPageInfo, WireError>> {
        let issues = page.issues?;
        if let Some(names) = page.names {
            for (id, name) in names {
                self.field_names.entry(id).or_insert(name);
            }
        }
        let count = issues.len() as u64;
        let mut refs = Vec::with_capacity(issues.len());
        for issue in issues {
            match self.issue(issue) {
                Ok(r) => refs.push(r),
                Err(e) => return Some(Err(e)),
            }
        }
        let is_last = match (page.is_last, &page.next_page_token, page.total) {
            (Some(last), _, _) => last,
            (None, Some(_), _) => false,
            (None, None, Some(total)) => count == 0 || page.start_at.unwrap_or(0) + count >= total,
            (None, None, None) => true,
        };
        Some(Ok(SearchPageInfo {
            issues: refs,
            next_page_token: page.next_page_token,
            is_last,
            start_at: page.start_at,
            max_results: page.max_results,
            total: page.total,
        }))
    }

    fn bulk_page(&mut self, page: Page<'_>) -> Option<Result<BulkChangelogInfo, WireError>> {
        let logs = page.issue_change_logs?;
        let mut ids = Vec::with_capacity(logs.len());
        for log in logs {
            let Some(id) = log.issue_id else {
                return Some(Err(WireError::Shape(
                    "a bulk changelog entry has no `issueId`".into(),
                )));
            };
            let slot = self.slot(Some(&id.0), None);
            self.issues[slot as usize].log.bulk = true;
            self.histories(slot, log.change_histories);
            ids.push(id.0.into_owned());
        }
        self.bulk_pages += 1;
        let is_last = page.next_page_token.is_none();
        if is_last {
            self.bulk_last_pages += 1;
        }
        Some(Ok(BulkChangelogInfo {
            issue_ids: ids,
            next_page_token: page.next_page_token,
            is_last,
        }))
    }

    fn changelog_page(
        &mut self,
        issue: Option<&str>,
        page: Page<'_>,
    ) -> Result<ChangelogPageInfo, WireError> {
        let histories = page.values.or(page.histories).ok_or_else(|| {
            WireError::Shape("expected a changelog page with a `values` list".into())
        })?;
        let named = match issue {
            Some(i) => i.to_owned(),
            None => page
                .self_url
                .as_deref()
                .and_then(issue_in_changelog_url)
                .ok_or_else(|| {
                    WireError::Shape(
                        "a changelog page whose `self` URL does not name its issue \
                         (.../issue/KEY/changelog); load it with add_issue_changelog_page"
                            .into(),
                    )
                })?,
        };
        let slot = match self.find(&named) {
            Some(s) => s,
            None if named.bytes().all(|b| b.is_ascii_digit()) => self.slot(Some(&named), None),
            None => self.slot(None, Some(&named)),
        };
        let n = histories.count;
        self.histories(slot, histories);
        let start_at = page.start_at.unwrap_or(0);
        let is_last = page
            .is_last
            .unwrap_or_else(|| page.total.is_none_or(|t| start_at + n >= t));
        let log = &mut self.issues[slot as usize].log;
        let paged = log.paged.get_or_insert_with(Paged::default);
        paged.received += n;
        if page.total.is_some() {
            paged.total = page.total;
        }
        paged.last_seen |= is_last;
        Ok(ChangelogPageInfo {
            issue: self.issues[slot as usize].reference(),
            start_at: page.start_at,
            max_results: page.max_results,
            total: page.total,
            histories: n,
            is_last,
        })
    }

    fn issue(&mut self, wire: WireIssue<'_>) -> Result<IssueRef, WireError> {
        let id = wire.id.map(|s| s.0);
        let slot = self.slot(id.as_deref(), wire.key.as_deref());
        if let Some(fields) = wire.fields {
            self.fields(slot, fields);
        }
        if let Some(log) = wire.changelog {
            let got = log.histories.count;
            self.histories(slot, log.histories);
            self.issues[slot as usize].log.embedded = Some(Embedded {
                start_at: log.start_at.unwrap_or(0),
                got,
                total: log.total,
                max_results: log.max_results,
            });
        }
        Ok(self.issues[slot as usize].reference())
    }

    fn fields(&mut self, slot: u32, f: WireFields<'_>) {
        let status = f.status.and_then(|st| {
            let sym = self
                .statuses
                .intern(s(&st.id), s(&st.name), RANK_CURRENT, Millis::MAX)?;
            if let Some(key) = st.category.as_ref().and_then(|c| c.key.as_ref()) {
                let info = &mut self.statuses.list[sym as usize];
                if !info.listed {
                    info.category = Category::from_key(&key.0);
                }
            }
            Some(sym)
        });
        let assignee = f.assignee.map(|a| match a {
            Some(u) => self.people.intern(
                s(&u.account_id).or(s(&u.name)).or(s(&u.key)),
                s(&u.display_name),
                Millis::MAX,
            ),
            None => crate::dataset::NONE,
        });
        let issue = &mut self.issues[slot as usize];
        if let Some(s) = status {
            issue.status = Some(s);
        }
        if assignee.is_some() {
            issue.assignee = assignee;
        }
        if let Some(t) = f.created {
            issue.created = t;
        }
        if let Some(t) = f.updated {
            issue.updated = t;
        }
        if let Some(t) = f.resolved {
            issue.resolved = t;
        }
        for (id, value) in f.other {
            issue.set_field(id, value);
        }
    }

    /// Merges changes read from histories into the issue's.
    fn histories(&mut self, slot: u32, histories: Histories) {
        if histories.changes.is_empty() {
            return;
        }
        let issue = &mut self.issues[slot as usize];
        if issue.changes.is_empty() {
            issue.changes = histories.changes;
        } else {
            issue.changes.extend(histories.changes);
        }
        issue.normalise();
    }

    fn status_list(&mut self, list: Vec<WireStatus>) -> usize {
        let mut count = 0;
        for s in list {
            let Some(sym) =
                self.statuses
                    .intern(s.id.as_deref(), s.name.as_deref(), RANK_LIST, Millis::MAX)
            else {
                continue;
            };
            let info = &mut self.statuses.list[sym as usize];
            info.listed = true;
            if let Some(key) = s.category {
                info.category = Category::from_key(&key);
            }
            count += 1;
        }
        self.status_list_loaded = true;
        count
    }

    fn field_list(&mut self, list: Vec<WireField>) -> usize {
        let mut count = 0;
        for f in list {
            if let (Some(id), Some(name)) = (f.id, f.name) {
                self.field_names.insert(id, name);
                count += 1;
            }
        }
        count
    }
}

/// `https://x/rest/api/3/issue/DW-1/changelog?startAt=0` → `DW-1`.
fn issue_in_changelog_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let mut parts = path.rsplit('/');
    if parts.next()? != "changelog" {
        return None;
    }
    let issue = parts.next()?;
    (parts.next()? == "issue" && !issue.is_empty()).then(|| issue.to_owned())
}

fn s<'a>(v: &'a Option<Str<'_>>) -> Option<&'a str> {
    v.as_ref().map(|s| &*s.0)
}

/// Jira history ids are decimal numbers; anything else is kept apart from deduplication.
fn history_number(id: &str) -> u64 {
    id.trim().parse::<u64>().unwrap_or(NO_HISTORY_ID)
}

/// While one response is parsed, the data set's interners and its field filter live here, so
/// histories are reduced to changes as they stream past instead of being built as trees.
struct Sink {
    statuses: Statuses,
    people: People,
    keep: Option<HashSet<String>>,
}

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

/// [`parse`], with the data set's interners lent to the history reader.
fn parse_into<'a, T: Deserialize<'a>>(ds: &mut Dataset, json: &'a [u8]) -> Result<T, WireError> {
    let sink = Sink {
        statuses: std::mem::take(&mut ds.statuses),
        people: std::mem::take(&mut ds.people),
        keep: ds.keep_fields.take(),
    };
    SINK.with(|s| *s.borrow_mut() = Some(sink));
    let result = serde_json::from_slice(json);
    if let Some(sink) = SINK.with(|s| s.borrow_mut().take()) {
        ds.statuses = sink.statuses;
        ds.people = sink.people;
        ds.keep_fields = sink.keep;
    }
    result.map_err(|e| locate(json, &e))
}

/// Whether the data set keeps issue field `id` (always, outside a [`parse_into`]).
fn kept(id: &str) -> bool {
    SINK.with(|s| {
        s.borrow()
            .as_ref()
            .and_then(|s| s.keep.as_ref())
            .is_none_or(|k| k.contains(id))
    })
}

/// A list of histories, reduced while it is read to the status and assignee changes it holds.
#[derive(Default)]
struct Histories {
    changes: Vec<Change>,
    /// Histories read, whatever they changed.
    count: u64,
}

/// The serde path for histories: a visitor that streams each history into changes.
struct HistoriesVisitor;

impl<'de> Visitor<'de> for HistoriesVisitor {
    type Value = Histories;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of changelog histories")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Histories, A::Error> {
        let mut out = Histories::default();
        while seq
            .next_element_seed(HistorySeed(&mut out.changes))?
            .is_some()
        {
            out.count += 1;
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for Histories {
    /// Histories are most of a changelog's bytes. While loading, the list is taken as a raw
    /// slice (serde_json has validated it) and read by [`scan_histories`]; any history shape
    /// the scanner does not know sends the whole list through the serde visitor instead.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !streaming() {
            return d.deserialize_seq(HistoriesVisitor);
        }
        let raw: &'de RawValue = Deserialize::deserialize(d)?;
        let mut out = Histories::default();
        if scan_histories(raw.get(), &mut out).is_some() {
            return Ok(out);
        }
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let out = de
            .deserialize_seq(HistoriesVisitor)
            .and_then(|h| de.end().map(|()| h))
            .map_err(de::Error::custom)?;
        Ok(out)
    }
}

/// Reads one history into `changes`.
struct HistorySeed<'o>(&'o mut Vec<Change>);

impl<'de> DeserializeSeed<'de> for HistorySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HistorySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a changelog history")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let out = self.0;
        let start = out.len();
        let mut id: Option<Str<'de>> = None;
        let mut at: Option<Millis> = None;
        // Items seen before `created` wait for it (key order is not guaranteed).
        let mut pending: Vec<WireItem<'de>> = Vec::new();
        let mut raw_items: Option<&'de RawValue> = None;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            match &*key.0 {
                "id" => id = map.next_value()?,
                "created" => at = map.next_value::<Option<WireTime>>()?.map(|t| t.0),
                "items" if streaming() => {
                    let raw: &'de RawValue = map.next_value()?;
                    match at {
                        Some(at) => items(raw.get(), at, out).map_err(de::Error::custom)?,
                        None => raw_items = Some(raw),
                    }
                }
                "items" => match at {
                    Some(at) => map.next_value_seed(ItemsSeed { at, out: &mut *out })?,
                    None => pending = map.next_value()?,
                },
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(raw) = raw_items {
            pending = serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
        }
        match at {
            Some(at) => {
                for (seq, item) in pending.iter().enumerate() {
                    push_change(out, at, seq, item);
                }
            }
            None if pending.iter().any(|i| i.what().is_some()) => {
                let id = id.as_ref().map_or("(no id)", |i| &*i.0);
                return Err(de::Error::custom(format!(
                    "history {id} has no `created` time"
                )));
            }
            None => {}
        }
        let history = id.map_or(NO_HISTORY_ID, |i| history_number(&i.0));
        for c in &mut out[start..] {
            c.history = history;
        }
        Ok(())
    }
}

/// Whether histories are being read into a data set (not re-read for an error message).
fn streaming() -> bool {
    SINK.with(|s| s.borrow().is_some())
}

/// Reads a history's `items` (a raw JSON slice) into changes. Items are the bulk of a
/// changelog, and nearly all are flat objects of plain strings and nulls, so a small scanner
/// reads those, several times faster than a general parser; anything else (escapes, numbers,
/// nesting, bad syntax) goes to serde_json, which reads it or says what is wrong.
fn items(raw: &str, at: Millis, out: &mut Vec<Change>) -> Result<(), serde_json::Error> {
    let start = out.len();
    if scan_items(raw, at, out).is_some() {
        return Ok(());
    }
    out.truncate(start);
    let list: Vec<WireItem<'_>> = serde_json::from_str(raw)?;
    for (seq, item) in list.iter().enumerate() {
        push_change(out, at, seq, item);
    }
    Ok(())
}

/// The fast path of [`items`]: `None` as soon as the input is anything but a list of flat
/// objects whose values are strings without escapes, or null.
fn scan_items(raw: &str, at: Millis, out: &mut Vec<Change>) -> Option<()> {
    let mut c = Cursor::new(raw);
    c.items(at, out)?;
    c.ws();
    c.done().then_some(())
}

/// The fast path of [`Histories`]: a list of histories whose `created` comes before their
/// `items` (as Jira writes them), items as [`scan_items`] reads them, and anything else under
/// other keys (authors, metadata) skipped. `None` means "use serde", never "bad input": the
/// slice was already validated as JSON by serde_json, which also reports real errors.
fn scan_histories(raw: &str, out: &mut Histories) -> Option<()> {
    let mut c = Cursor::new(raw);
    c.expect(b'[')?;
    if c.peek()? == b']' {
        c.i += 1;
    } else {
        loop {
            c.expect(b'{')?;
            let start = out.changes.len();
            let mut history = NO_HISTORY_ID;
            let mut at: Option<Millis> = None;
            if c.peek()? == b'}' {
                c.i += 1;
            } else {
                loop {
                    c.ws();
                    let key = c.string()?;
                    c.expect(b':')?;
                    c.ws();
                    match key {
                        "id" => history = history_number(c.scalar()?),
                        "created" => {
                            at = match c.peek()? {
                                b'"' => Some(parse_millis(c.string()?).ok()?),
                                b'n' => {
                                    c.skip_value()?;
                                    None
                                }
                                _ => {
                                    Some(c.scalar()?.parse::<i64>().ok().filter(|&m| in_range(m))?)
                                }
                            }
                        }
                        "items" => c.items(at?, &mut out.changes)?,
                        _ => c.skip_value()?,
                    }
                    match c.peek()? {
                        b',' => c.i += 1,
                        b'}' => {
                            c.i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            for change in &mut out.changes[start..] {
                change.history = history;
            }
            out.count += 1;
            match c.peek()? {
                b',' => c.i += 1,
                b']' => {
                    c.i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    c.ws();
    c.done().then_some(())
}

/// A position in a JSON text already validated by serde_json, for the scanners above. Every
/// method returns `None` on a shape it does not read; none can panic.
struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor {
            s,
            b: s.as_bytes(),
            i: 0,
        }
    }

    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\n' | b'\r' | b'\t') {
            self.i += 1;
        }
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }

    /// The next byte after whitespace.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string without escapes, at the cursor.
    fn string(&mut self) -> Option<&'a str> {
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        let from = self.i + 1;
        let end = quote_or_backslash(self.b, from)?;
        if self.b[end] != b'"' {
            return None;
        }
        self.i = end + 1;
        self.s.get(from..end)
    }

    /// A string without escapes or a bare number, as text.
    fn scalar(&mut self) -> Option<&'a str> {
        if self.b.get(self.i) == Some(&b'"') {
            return self.string();
        }
        let from = self.i;
        while self.i < self.b.len() && matches!(self.b[self.i], b'0'..=b'9' | b'-') {
            self.i += 1;
        }
        (self.i > from).then(|| self.s.get(from..self.i)).flatten()
    }

    /// Skips any value: strings (with escapes), numbers, literals, objects and arrays.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.b.get(self.i)? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let from = self.i;
                while self.i < self.b.len()
                    && !matches!(
                        self.b[self.i],
                        b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'
                    )
                {
                    self.i += 1;
                }
                (self.i > from).then_some(())
            }
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        let mut at = self.i + 1;
        loop {
            let end = quote_or_backslash(self.b, at)?;
            if self.b[end] == b'"' {
                self.i = end + 1;
                return Some(());
            }
            at = end + 2;
        }
    }

    /// A list of change items, each pushed as a change at `at`.
    fn items(&mut self, at: Millis, out: &mut Vec<Change>) -> Option<()> {
        self.expect(b'[')?;
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        let mut seq = 0usize;
        loop {
            self.expect(b'{')?;
            let mut item = WireItem::default();
            if self.peek()? == b'}' {
                self.i += 1;
            } else {
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.expect(b':')?;
                    let value = match self.peek()? {
                        b'"' => Some(self.string()?),
                        b'n' if self.b.get(self.i..self.i + 4) == Some(b"null") => {
                            self.i += 4;
                            None
                        }
                        _ => return None,
                    };
                    let mut ignored = None;
                    let slot = match key {
                        "field" => &mut item.field,
                        "fieldId" => &mut item.field_id,
                        "from" => &mut item.from,
                        "to" => &mut item.to,
                        "fromString" => &mut item.from_string,
                        "toString" => &mut item.to_string,
                        _ => &mut ignored,
                    };
                    *slot = value.map(|v| Str(Cow::Borrowed(v)));
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            push_change(out, at, seq, &item);
            seq += 1;
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// The index of the first `"` or `\\` at or after `from`, eight bytes at a time (the classic
/// "has a zero byte" word trick), as string scanning is most of the scanner's work.
fn quote_or_backslash(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= b.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let q = w ^ (ONES * u64::from(b'"'));
        let s = w ^ (ONES * u64::from(b'\\'));
        let hit = (q.wrapping_sub(ONES) & !q | s.wrapping_sub(ONES) & !s) & HIGHS;
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|p| i + p)
}

/// Reads a history's items, keeping status and assignee changes.
struct ItemsSeed<'o> {
    at: Millis,
    out: &'o mut Vec<Change>,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of change items")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut k = 0;
        while let Some(item) = seq.next_element::<WireItem<'de>>()? {
            push_change(self.out, self.at, k, &item);
            k += 1;
        }
        Ok(())
    }
}

/// Interns a status or assignee item's values and records the change.
fn push_change(out: &mut Vec<Change>, at: Millis, seq: usize, item: &WireItem<'_>) {
    let Some(what) = item.what() else { return };
    let (from, to) = SINK.with(|sink| {
        let mut sink = sink.borrow_mut();
        let Some(sink) = sink.as_mut() else {
            return (NONE, NONE);
        };
        match what {
            What::Status => (
                sink.statuses
                    .intern(s(&item.from), s(&item.from_string), RANK_HISTORY, at)
                    .unwrap_or(NONE),
                sink.statuses
                    .intern(s(&item.to), s(&item.to_string), RANK_HISTORY, at)
                    .unwrap_or(NONE),
            ),
            What::Assignee => (
                sink.people.intern(s(&item.from), s(&item.from_string), at),
                sink.people.intern(s(&item.to), s(&item.to_string), at),
            ),
        }
    });
    out.push(Change {
        at,
        history: NO_HISTORY_ID,
        seq: u16::try_from(seq).unwrap_or(u16::MAX),
        what,
        from,
        to,
    });
}

/// Parses `json` as `T`; on failure, finds the issue (and history) at fault for the message.
fn parse<'a, T: Deserialize<'a>>(json: &'a [u8]) -> Result<T, WireError> {
    serde_json::from_slice(json).map_err(|e| locate(json, &e))
}

fn json_error(e: &serde_json::Error) -> WireError {
    WireError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    }
}

/// The slow path of an error: re-reads the document loosely and retries each issue alone, so
/// the message can say which issue (and history) holds the bad value.
fn locate(json: &[u8], err: &serde_json::Error) -> WireError {
    use serde_json::Value;
    let Ok(doc) = serde_json::from_slice::<Value>(json) else {
        return json_error(err);
    };
    let label = |v: &Value, keys: &[&str]| -> String {
        keys.iter()
            .find_map(|k| match v.get(*k) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "(unnamed)".into())
    };
    let in_histories = |histories: Option<&Value>| -> Option<String> {
        histories?.as_array()?.iter().find_map(|h| {
            WireHistory::deserialize(h)
                .err()
                .map(|e| format!("history {}: {e}", label(h, &["id"])))
        })
    };
    if let Some(issues) = doc.get("issues").and_then(Value::as_array) {
        for issue in issues {
            if let Err(e) = WireIssue::deserialize(issue) {
                let message = in_histories(issue.pointer("/changelog/histories"))
                    .unwrap_or_else(|| e.to_string());
                return WireError::Issue {
                    issue: label(issue, &["key", "id"]),
                    message,
                };
            }
        }
    }
    if let Some(logs) = doc.get("issueChangeLogs").and_then(Value::as_array) {
        for log in logs {
            if let Err(e) = WireIssueChangeLog::deserialize(log) {
                let message =
                    in_histories(log.get("changeHistories")).unwrap_or_else(|| e.to_string());
                return WireError::Issue {
                    issue: label(log, &["issueId"]),
                    message,
                };
            }
        }
    }
    if doc.get("fields").is_some() || doc.get("changelog").is_some() {
        let message = in_histories(doc.pointer("/changelog/histories"));
        if let Some(message) = message {
            return WireError::Issue {
                issue: label(&doc, &["key", "id"]),
                message,
            };
        }
    }
    if let Some(message) = in_histories(doc.get("values")) {
        return WireError::Shape(format!("changelog page: {message}"));
    }
    match doc {
        Value::Object(_) | Value::Array(_) => json_error(err),
        _ => WireError::Shape("expected a JSON object or list".into()),
    }
}

/// Every top-level key any supported response has; which ones are present tells the shape.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<'a> {
    #[serde(borrow, default)]
    issues: Option<Vec<WireIssue<'a>>>,
    #[serde(borrow, default)]
    issue_change_logs: Option<Vec<WireIssueChangeLog<'a>>>,
    #[serde(default)]
    values: Option<Histories>,
    #[serde(default)]
    histories: Option<Histories>,
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    is_last: Option<bool>,
    #[serde(default)]
    start_at: Option<u64>,
    #[serde(default)]
    max_results: Option<u64>,
    #[serde(default)]
    total: Option<u64>,
    #[serde(default)]
    names: Option<HashMap<String, String>>,
    #[serde(rename = "self", borrow, default)]
    self_url: Option<Cow<'a, str>>,
    // A single issue (`GET /issue/{key}`).
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(borrow, default)]
    key: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    fields: Option<WireFields<'a>>,
    #[serde(default)]
    changelog: Option<WireChangelog>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireIssue<'a> {
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(borrow, default)]
    key: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    fields: Option<WireFields<'a>>,
    #[serde(default)]
    changelog: Option<WireChangelog>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireChangelog {
    #[serde(default)]
    start_at: Option<u64>,
    #[serde(default)]
    max_results: Option<u64>,
    #[serde(default)]
    total: Option<u64>,
    #[serde(default)]
    histories: Histories,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireIssueChangeLog<'a> {
    #[serde(borrow, default)]
    issue_id: Option<Str<'a>>,
    #[serde(default)]
    change_histories: Histories,
}

/// A history as a tree: only for finding the history at fault in an error message, so its
/// fields are read (and checked) but never used.
#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialised only to find the history at fault")]
struct WireHistory<'a> {
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(default)]
    created: Option<WireTime>,
    #[serde(borrow, default)]
    items: Vec<WireItem<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireItem<'a> {
    #[serde(borrow, default)]
    field: Option<Str<'a>>,
    #[serde(borrow, default)]
    field_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    from: Option<Str<'a>>,
    #[serde(borrow, default)]
    to: Option<Str<'a>>,
    #[serde(borrow, default)]
    from_string: Option<Str<'a>>,
    #[serde(borrow, default)]
    to_string: Option<Str<'a>>,
}

impl WireItem<'_> {
    /// Status and assignee items, recognised by `fieldId`, or by `field` when old entries lack
    /// the id.
    fn what(&self) -> Option<What> {
        let name = self.field_id.as_ref().or(self.field.as_ref())?;
        if name.0.eq_ignore_ascii_case("status") {
            Some(What::Status)
        } else if name.0.eq_ignore_ascii_case("assignee") {
            Some(What::Assignee)
        } else {
            None
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireStatus {
    #[serde(default)]
    id: Option<StrOwned>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "statusCategory", deserialize_with = "category_key")]
    category: Option<String>,
}

#[derive(Deserialize)]
struct WireField {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// An element of a top-level list: a status or a field, told apart by field-only keys.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListItem {
    #[serde(default)]
    id: Option<StrOwned>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, deserialize_with = "category_key")]
    status_category: Option<String>,
    #[serde(default)]
    custom: Option<bool>,
    #[serde(default)]
    clause_names: Option<IgnoredAny>,
    #[serde(default)]
    schema: Option<IgnoredAny>,
}

impl ListItem {
    fn looks_like_field(&self) -> bool {
        self.status_category.is_none()
            && (self.custom.is_some() || self.clause_names.is_some() || self.schema.is_some())
    }

    fn into_field(self) -> WireField {
        WireField {
            id: self.id.map(|s| s.0),
            name: self.name,
        }
    }

    fn into_status(self) -> WireStatus {
        WireStatus {
            id: self.id,
            name: self.name,
            category: self.status_category,
        }
    }
}

fn category_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Cat {
        #[serde(default)]
        key: Option<String>,
    }
    Ok(Option::<Cat>::deserialize(d)?.and_then(|c| c.key))
}

/// `fields` of an issue: the ones the engine models, and a display summary of every other.
#[derive(Default)]
struct WireFields<'a> {
    created: Option<Option<Millis>>,
    updated: Option<Option<Millis>>,
    resolved: Option<Option<Millis>>,
    status: Option<CurrentStatus<'a>>,
    /// `Some(None)` when the field is present and null: unassigned.
    assignee: Option<Option<WireUser<'a>>>,
    other: Vec<(Box<str>, Option<FieldValue>)>,
}

/// An issue's `status` field.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CurrentStatus<'a> {
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
    #[serde(borrow, default, rename = "statusCategory")]
    category: Option<CategoryRef<'a>>,
}

#[derive(Deserialize)]
struct CategoryRef<'a> {
    #[serde(borrow, default)]
    key: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUser<'a> {
    #[serde(borrow, default)]
    account_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
    #[serde(borrow, default)]
    key: Option<Str<'a>>,
    #[serde(borrow, default)]
    display_name: Option<Str<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for WireFields<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = WireFields<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an issue's `fields` object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireFields<'a>, A::Error> {
                let mut out = WireFields::default();
                while let Some(key) = map.next_key::<Str<'de>>()? {
                    let time = |t: Option<WireTime>| t.map(|t| t.0);
                    // created, updated, resolution date and status are served from the issue's
                    // own fields (see `filter::value`), so they are not kept twice.
                    match &*key.0 {
                        "created" => out.created = Some(time(map.next_value()?)),
                        "updated" => out.updated = Some(time(map.next_value()?)),
                        "resolutiondate" => out.resolved = Some(time(map.next_value()?)),
                        "status" => out.status = map.next_value()?,
                        "assignee" => {
                            let u: Option<WireUser<'a>> = map.next_value()?;
                            if kept("assignee") {
                                let name =
                                    u.as_ref().and_then(|u| s(&u.display_name).or(s(&u.name)));
                                out.other.push((
                                    "assignee".into(),
                                    name.map(|n| FieldValue::Text(n.into())),
                                ));
                            }
                            out.assignee = Some(u);
                        }
                        k if kept(k) => {
                            let Summary(v) = map.next_value()?;
                            out.other.push((k.into(), v));
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A field value of any shape, summarised: users by display name, options by value, objects by
/// name or key, lists as lists, Atlassian Document Format as its text.
struct Summary(Option<FieldValue>);

impl Summary {
    fn text(self) -> Option<String> {
        match self.0? {
            FieldValue::Text(t) => Some(t.into()),
            FieldValue::Number(n) => Some(n.to_string()),
            FieldValue::List(l) => Some(l.join(" ")),
        }
    }
}

impl<'de> Deserialize<'de> for Summary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SummaryVisitor)
    }
}

struct SummaryVisitor;

impl<'de> Visitor<'de> for SummaryVisitor {
    type Value = Summary;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Summary, E> {
        Ok(Summary(None))
    }
    fn visit_none<E>(self) -> Result<Summary, E> {
        Ok(Summary(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Summary, D::Error> {
        Summary::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Summary, E> {
        Ok(Summary(Some(FieldValue::Text(v.to_string().into()))))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Summary, E> {
        Ok(Summary(Some(FieldValue::Number(v as f64))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Summary, E> {
        Ok(Summary(Some(FieldValue::Number(v as f64))))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Summary, E> {
        Ok(Summary(Some(FieldValue::Number(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Summary, E> {
        Ok(Summary((!v.is_empty()).then(|| FieldValue::Text(v.into()))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Summary, A::Error> {
        let mut items: Vec<Box<str>> = Vec::new();
        while let Some(Summary(v)) = seq.next_element()? {
            match v {
                Some(FieldValue::List(l)) => items.extend(l.into_vec()),
                Some(other) => {
                    if let Some(t) = Summary(Some(other)).text() {
                        items.push(t.into());
                    }
                }
                None => {}
            }
        }
        Ok(Summary(
            (!items.is_empty()).then(|| FieldValue::List(items.into_boxed_slice())),
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Summary, A::Error> {
        let (mut display, mut name, mut value, mut key, mut text, mut content) =
            (None, None, None, None, None, None);
        while let Some(k) = map.next_key::<Str<'de>>()? {
            let slot = match &*k.0 {
                "displayName" => &mut display,
                "name" => &mut name,
                "value" => &mut value,
                "key" => &mut key,
                "text" => &mut text,
                "content" => &mut content,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let Summary(v) = map.next_value()?;
            *slot = v;
        }
        let best = display.or(name).or(value).or(key).or(text);
        let best = best.or_else(|| Summary(content).text().map(|t| FieldValue::Text(t.into())));
        Ok(Summary(best))
    }
}

/// A timestamp as Jira writes it: a string in one of its formats, or epoch milliseconds.
#[derive(Clone, Copy)]
struct WireTime(Millis);

impl<'de> Deserialize<'de> for WireTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = WireTime;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a timestamp (ISO 8601 text or epoch milliseconds)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WireTime, E> {
                parse_millis(v).map(WireTime).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<WireTime, E> {
                if in_range(v) {
                    Ok(WireTime(v))
                } else {
                    Err(E::custom(format!("invalid timestamp {v}")))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<WireTime, E> {
                match i64::try_from(v) {
                    Ok(v) => self.visit_i64(v),
                    Err(_) => Err(E::custom(format!("invalid timestamp {v}"))),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<WireTime, E> {
                if v.is_finite() && v.abs() < 1e17 {
                    self.visit_i64(v as i64)
                } else {
                    Err(E::custom(format!("invalid timestamp {v}")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A scalar read as text: Jira writes ids as strings or numbers depending on the endpoint.
/// Borrows from the input when it can.
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// [`Str`] without the borrow, for small lists.
struct StrOwned(String);

impl std::ops::Deref for StrOwned {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for StrOwned {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Str::deserialize(d).map(|s| StrOwned(s.0.into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_quotes_and_backslashes_in_every_position() {
        for len in 0..20 {
            for at in 0..len {
                for c in [b'"', b'\\'] {
                    let mut b = vec![b'a'; len];
                    b[at] = c;
                    assert_eq!(quote_or_backslash(&b, 0), Some(at), "{len} {at}");
                    assert_eq!(quote_or_backslash(&b, at), Some(at));
                }
            }
            assert_eq!(quote_or_backslash(&vec![b'x'; len], 0), None);
        }
        assert_eq!(quote_or_backslash("é\"".as_bytes(), 0), Some(2));
    }

    /// The scanner and serde_json agree, and the scanner steps aside for what it does not read.
    #[test]
    fn item_scanner_matches_serde() {
        let cases = [
            r#"[]"#,
            r#" [ { } ] "#,
            r#"[{"field":"status","fieldtype":"jira","fieldId":"status","from":"1","fromString":"To Do","to":"3","toString":"Done"}]"#,
            r#"[{"field":"resolution","from":null,"to":"1"},{"field":"assignee","from":null,"to":"a","toString":"Ann"}]"#,
            r#"[{"field":"status","from":"1","to":"2","toString":"In \"Dev\""}]"#,
            r#"[{"field":"status","from":1,"to":2}]"#,
            r#"[{"field":"Status","from":"1","to":"2","extra":{"nested":[1,2]}}]"#,
        ];
        for raw in cases {
            let mut sink = Some(Sink {
                statuses: Statuses::default(),
                people: People::default(),
                keep: None,
            });
            SINK.with(|s| std::mem::swap(&mut *s.borrow_mut(), &mut sink));
            let mut fast = Vec::new();
            items(raw, 0, &mut fast).unwrap();
            let mut slow = Vec::new();
            let list: Vec<WireItem<'_>> = serde_json::from_str(raw).unwrap();
            for (seq, item) in list.iter().enumerate() {
                push_change(&mut slow, 0, seq, item);
            }
            SINK.with(|s| s.borrow_mut().take());
            let key = |c: &Change| (c.seq, c.what as u8, c.from, c.to);
            assert_eq!(
                fast.iter().map(key).collect::<Vec<_>>(),
                slow.iter().map(key).collect::<Vec<_>>(),
                "{raw}"
            );
        }
        let mut out = Vec::new();
        assert!(items("[{\"field\":", 0, &mut out).is_err());
    }

    /// The history scanner and the serde visitor read the same changes, and the scanner steps
    /// aside for shapes it does not read.
    #[test]
    fn history_scanner_matches_serde() {
        let cases = [
            (r#"[]"#, true),
            (r#"[{}]"#, true),
            (
                r#"[{"id":"10","author":{"accountId":"a","avatarUrls":{"16x16":"u"},"active":true,"n":[1,{"x":"}"}]},"created":"2026-06-01T01:00:00.000+0000","items":[{"field":"status","fieldtype":"jira","fieldId":"status","from":"1","fromString":"To Do","to":"3","toString":"Done"}]}]"#,
                true,
            ),
            (
                r#"[ { "created" : 1780272000000 , "items" : [ { "field" : "assignee" , "from" : null , "to" : "b" } ] , "id" : 7 } ]"#,
                true,
            ),
            (
                r#"[{"id":"11","created":"2026-06-01T01:00:00.000+0000","historyMetadata":{"type":"x","description":"a \"quoted\" \\ text"},"items":[]}]"#,
                true,
            ),
            (
                r#"[{"items":[{"field":"status","from":"1","to":"2"}],"created":"2026-06-01T01:00:00.000+0000","id":"12"}]"#,
                false,
            ),
            (
                r#"[{"id":"13","created":"2026-06-01T01:00:00.000+0000","items":[{"field":"status","from":"1","to":"2","toString":"In \"Dev\""}]}]"#,
                false,
            ),
            (r#"[{"id":"14","created":1.78e12,"items":[]}]"#, false),
        ];
        for (raw, fast_path) in cases {
            let mut sink = Some(Sink {
                statuses: Statuses::default(),
                people: People::default(),
                keep: None,
            });
            SINK.with(|s| std::mem::swap(&mut *s.borrow_mut(), &mut sink));
            let mut fast = Histories::default();
            let scanned = scan_histories(raw, &mut fast).is_some();
            let slow = serde_json::Deserializer::from_str(raw)
                .deserialize_seq(HistoriesVisitor)
                .unwrap();
            let through_serde: Histories = serde_json::from_str(raw).unwrap();
            SINK.with(|s| s.borrow_mut().take());
            assert_eq!(scanned, fast_path, "{raw}");
            let key = |c: &Change| (c.at, c.history, c.seq, c.what as u8, c.from, c.to);
            let keys = |h: &Histories| (h.count, h.changes.iter().map(key).collect::<Vec<_>>());
            if scanned {
                assert_eq!(keys(&fast), keys(&slow), "{raw}");
            }
            assert_eq!(keys(&through_serde), keys(&slow), "{raw}");
        }
    }

    #[test]
    fn changelog_urls_name_their_issue() {
        let url = "https://x.atlassian.net/rest/api/3/issue/TT-1/changelog?&startAt=4";
        assert_eq!(issue_in_changelog_url(url).as_deref(), Some("TT-1"));
        assert_eq!(
            issue_in_changelog_url("https://x/rest/api/3/issue/TT-1"),
            None
        );
    }
}
