//! The data set's entry points for Jira documents: each `Dataset::add_*` parses one response
//! with the interners lent to the reader ([`super::sink`]), recognises its shape and merges
//! issues, fields and changes into the data set, recording how complete each changelog is.

use crate::dataset::{
    Category, Dataset, Embedded, IssueRef, NO_HISTORY_ID, NONE, Paged, RANK_CURRENT, RANK_LIST,
    Worklog,
};
use crate::time::Millis;

use super::histories::Histories;
use super::locate::parse;
use super::shapes::{
    ListItem, Page, WireField, WireFields, WireGroupPage, WireIssue, WireStatus, WireWorklog,
    WireWorklogField, s,
};
use super::sink::parse_into;
use super::{
    BulkChangelogInfo, ChangelogPageInfo, GroupMembersInfo, Loaded, SearchPageInfo, WireError,
    WorklogListInfo, WorklogPageInfo,
};

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

    /// Loads one page of `GET /rest/api/{2,3}/issue/{issue}/worklog` for `issue` (id or key).
    /// When the pages of an issue reach its `total`, its worklogs are complete.
    pub fn add_issue_worklog_page(
        &mut self,
        issue: &str,
        json: &[u8],
    ) -> Result<WorklogPageInfo, WireError> {
        let page: Page = parse_into(self, json)?;
        let slot = self.named_slot(issue);
        self.worklog_page(Some(slot), page)
    }

    /// Loads the answer of `POST /rest/api/{2,3}/worklog/list`: worklogs of any issues, each
    /// naming its issue by `issueId`. The list says nothing of completeness: the caller who
    /// fetched every id `/worklog/updated` gave marks the issues with
    /// [`Dataset::mark_worklogs_complete`].
    pub fn add_worklog_list(&mut self, json: &[u8]) -> Result<WorklogListInfo, WireError> {
        let list: Vec<WireWorklog> = parse(json)?;
        self.worklog_list(list)
    }

    /// As [`Dataset::add_worklog_list`], keeping only the worklogs of issues already loaded
    /// with their fields: `/worklog/updated` names every worklog of the site, a report reads
    /// some issues, and an issue known only from its worklogs would be a row without fields.
    pub fn add_worklog_list_of_loaded(
        &mut self,
        json: &[u8],
    ) -> Result<WorklogListInfo, WireError> {
        let list: Vec<WireWorklog> = parse(json)?;
        let list = list
            .into_iter()
            .filter(|w| {
                s(&w.issue_id)
                    .and_then(|id| self.find(id))
                    .is_some_and(|slot| self.issues[slot as usize].created.is_some())
            })
            .collect();
        self.worklog_list(list)
    }

    /// Loads a page of a Jira group's members (`GET /rest/api/{3,2}/group/member`) for a
    /// timesheet that filters on `group`: members are added to the group (account ids on
    /// Cloud, user names on Data Center) and their display names learnt, so a capacity report
    /// names the members who logged nothing. Pages add up; the caller reads them all.
    pub fn add_group_member_page(
        &mut self,
        group: &str,
        json: &[u8],
    ) -> Result<GroupMembersInfo, WireError> {
        let page: WireGroupPage = parse(json)?;
        let n = page.values.len() as u64;
        let mut ids = Vec::with_capacity(page.values.len());
        for u in &page.values {
            let Some(id) = s(&u.account_id).or(s(&u.name)).or(s(&u.key)) else {
                return Err(WireError::Shape(format!(
                    "a member of group {group:?} has no `accountId` or `name`"
                )));
            };
            self.people
                .intern(Some(id), s(&u.display_name), Millis::MAX);
            ids.push(id.to_owned());
        }
        let members = self.group_members.entry(group.to_owned()).or_default();
        for id in ids {
            if !members.contains(&id) {
                members.push(id);
            }
        }
        let start_at = page.start_at.unwrap_or(0);
        let is_last = page
            .is_last
            .unwrap_or_else(|| page.total.is_none_or(|t| start_at + n >= t));
        Ok(GroupMembersInfo {
            members: n,
            is_last,
        })
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
            if list.iter().any(ListItem::looks_like_worklog) {
                let list: Vec<WireWorklog> = parse(json)?;
                return self.worklog_list(list).map(Loaded::WorklogList);
            }
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
        if page.worklogs.is_some() {
            return self.worklog_page(None, page).map(Loaded::WorklogPage);
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
             page (`issueChangeLogs`), a changelog page (`values`), a worklog page \
             (`worklogs`), an issue (`fields`), or a status, field or worklog list"
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
        let paged = log.paged.get_or_insert_with(Box::<Paged>::default);
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
            self.fields(slot, fields)?;
        }
        if let Some(log) = wire.changelog {
            let got = log.histories.count;
            self.histories(slot, log.histories);
            self.issues[slot as usize].log.embedded = Some(Box::new(Embedded {
                start_at: log.start_at.unwrap_or(0),
                got,
                total: log.total,
                max_results: log.max_results,
            }));
        }
        Ok(self.issues[slot as usize].reference())
    }

    fn fields(&mut self, slot: u32, f: WireFields<'_>) -> Result<(), WireError> {
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
            None => NONE,
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
        if let Some(w) = f.worklog {
            self.embedded_worklogs(slot, w)?;
        }
        Ok(())
    }

    /// The slot of an issue named by id or key (digits are an id), created when new.
    fn named_slot(&mut self, named: &str) -> u32 {
        match self.find(named) {
            Some(s) => s,
            None if named.bytes().all(|b| b.is_ascii_digit()) => self.slot(Some(named), None),
            None => self.slot(None, Some(named)),
        }
    }

    /// An issue's `worklog` field.
    fn embedded_worklogs(&mut self, slot: u32, w: WireWorklogField<'_>) -> Result<(), WireError> {
        let got = w.worklogs.len() as u64;
        for wl in w.worklogs {
            self.worklog(Some(slot), wl)?;
        }
        self.issues[slot as usize].normalise_worklogs();
        let log = &mut self.issues[slot as usize].worklog_log;
        log.embedded = Some(Box::new((w.start_at.unwrap_or(0), got, w.total)));
        Ok(())
    }

    /// A page of one issue's worklogs; `slot` is its issue when the caller named it, else the
    /// issue the worklogs name.
    fn worklog_page(
        &mut self,
        slot: Option<u32>,
        page: Page<'_>,
    ) -> Result<WorklogPageInfo, WireError> {
        let worklogs = page.worklogs.ok_or_else(|| {
            WireError::Shape("expected a worklog page with a `worklogs` list".into())
        })?;
        let n = worklogs.len() as u64;
        let mut slot = slot;
        for wl in worklogs {
            slot = Some(self.worklog(slot, wl)?);
        }
        let Some(slot) = slot else {
            // An empty page that names no issue holds nothing to record.
            return Ok(WorklogPageInfo {
                issue: None,
                start_at: page.start_at,
                max_results: page.max_results,
                total: page.total,
                worklogs: 0,
                is_last: true,
            });
        };
        self.issues[slot as usize].normalise_worklogs();
        let start_at = page.start_at.unwrap_or(0);
        let is_last = page.total.is_none_or(|t| start_at + n >= t);
        let paged = self.issues[slot as usize]
            .worklog_log
            .paged
            .get_or_insert_with(Box::<Paged>::default);
        paged.received += n;
        if page.total.is_some() {
            paged.total = page.total;
        }
        paged.last_seen |= is_last;
        Ok(WorklogPageInfo {
            issue: Some(self.issues[slot as usize].reference()),
            start_at: page.start_at,
            max_results: page.max_results,
            total: page.total,
            worklogs: n,
            is_last,
        })
    }

    fn worklog_list(&mut self, list: Vec<WireWorklog<'_>>) -> Result<WorklogListInfo, WireError> {
        let count = list.len();
        let mut touched = Vec::new();
        for wl in list {
            touched.push(self.worklog(None, wl)?);
        }
        touched.sort_unstable();
        touched.dedup();
        self.worklog_lists += 1;
        for &slot in &touched {
            self.issues[slot as usize].normalise_worklogs();
        }
        Ok(WorklogListInfo {
            worklogs: count,
            issues: touched
                .iter()
                .map(|&s| self.issues[s as usize].reference())
                .collect(),
        })
    }

    /// Reads one worklog into its issue (by `issueId`, else `slot`); returns the issue's slot.
    fn worklog(&mut self, slot: Option<u32>, w: WireWorklog<'_>) -> Result<u32, WireError> {
        let slot = match s(&w.issue_id) {
            Some(id) if slot.is_none() => self.slot(Some(id), None),
            _ => slot.ok_or_else(|| {
                WireError::Shape("a worklog names no `issueId` and no issue was given".into())
            })?,
        };
        let label = || self.issues[slot as usize].label().to_owned();
        let id_text = s(&w.id).unwrap_or("?").to_owned();
        let bad = |message: String| WireError::Issue {
            issue: label(),
            message,
        };
        let Some(started) = w.started else {
            return Err(bad(format!("worklog {id_text} has no `started`")));
        };
        let spent = w
            .time_spent_seconds
            .filter(|&t| t >= 0)
            .and_then(|t| t.checked_mul(1000))
            .ok_or_else(|| {
                bad(format!(
                    "worklog {id_text} has no valid `timeSpentSeconds` (a whole number, not \
                     negative)"
                ))
            })?;
        let author = match &w.author {
            Some(u) => self.people.intern(
                s(&u.account_id).or(s(&u.name)).or(s(&u.key)),
                s(&u.display_name),
                started.0,
            ),
            None => NONE,
        };
        let id = s(&w.id)
            .and_then(|i| i.parse::<u64>().ok())
            .unwrap_or(NO_HISTORY_ID);
        self.issues[slot as usize].worklogs.push(Worklog {
            id,
            author,
            started: started.0,
            spent,
        });
        Ok(slot)
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
        // Changes are most of a large data set's memory: keep no spare capacity.
        issue.changes.shrink_to_fit();
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

#[cfg(test)]
mod tests {
    use super::*;

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
