//! Response pages as pure functions of the data, shared by the HTTP handlers and `dump`, so
//! a dump holds exactly what the API would have served.

use serde_json::{Map, Value, json};

use crate::data::Issue;
use crate::http::token;
use crate::render::{Expand, FieldSel, Renderer};

/// A Cloud `search/jql` page (`SearchAndReconcileResults`) over `hits` (issue indices in
/// order) from `offset`: `issues`, `nextPageToken` unless last, `isLast`.
pub fn search_jql(
    r: &Renderer<'_>,
    hits: &[u32],
    offset: usize,
    page: usize,
    sel: &FieldSel,
    expand: &Expand,
    fingerprint: &str,
) -> Value {
    let data = r.data;
    let end = (offset + page).min(hits.len());
    let issues: Vec<Value> = hits
        .get(offset.min(end)..end)
        .unwrap_or_default()
        .iter()
        .map(|&i| {
            let issue = &data.issues[i as usize];
            if sel.fields.is_empty() && !sel.worklog && expand.changelog.is_none() {
                json!({"id": issue.id.to_string()})
            } else {
                r.issue(issue, sel, expand)
            }
        })
        .collect();
    let mut out = Map::new();
    out.insert("issues".into(), Value::Array(issues));
    let is_last = end >= hits.len();
    if !is_last {
        out.insert(
            "nextPageToken".into(),
            json!(token::encode(end, fingerprint)),
        );
    }
    out.insert("isLast".into(), json!(is_last));
    if expand.names {
        out.insert("names".into(), r.names(sel));
    }
    Value::Object(out)
}

/// A Data Center `search` page (`SearchResults`).
pub fn dc_search(
    r: &Renderer<'_>,
    hits: &[u32],
    start: usize,
    max: usize,
    sel: &FieldSel,
    expand: &Expand,
) -> Value {
    let end = (start + max).min(hits.len());
    let issues: Vec<Value> = hits
        .get(start.min(end)..end)
        .unwrap_or_default()
        .iter()
        .map(|&i| r.issue(&r.data.issues[i as usize], sel, expand))
        .collect();
    let mut out = json!({
        "expand": "schema,names",
        "startAt": start,
        "maxResults": max,
        "total": hits.len(),
        "issues": issues,
    });
    if expand.names {
        out["names"] = r.names(sel);
    }
    out
}

/// The histories a bulk changelog request pages over: `(created, issue id, history id, issue
/// index in `issues`, history index)`, sorted by date, then issue id, then history id.
pub fn bulk_changelog_entries(
    r: &Renderer<'_>,
    issues: &[&Issue],
    only: Option<&[String]>,
) -> Vec<(i64, u32, u32, u32, u32)> {
    let data = r.data;
    let mut entries = Vec::new();
    for (n, issue) in issues.iter().enumerate() {
        for (k, h) in data.histories_of(issue).iter().enumerate() {
            let keep = only.is_none_or(|ids| {
                data.items_of(h)
                    .iter()
                    .any(|c| ids.iter().any(|id| id == c.field_id()))
            });
            if keep {
                entries.push((h.created_ms, issue.id, h.id, n as u32, k as u32));
            }
        }
    }
    entries.sort_unstable();
    entries
}

/// A bulk changelog page (`BulkChangelogResponseBean`): the entries `offset..offset+max`,
/// grouped by issue in order of first appearance, each issue's histories in date order.
pub fn bulk_changelog(
    r: &Renderer<'_>,
    issues: &[&Issue],
    entries: &[(i64, u32, u32, u32, u32)],
    only: Option<&[String]>,
    offset: usize,
    max: usize,
    fingerprint: &str,
) -> Value {
    let data = r.data;
    let end = (offset + max).min(entries.len());
    let mut logs: Vec<(u32, Vec<Value>)> = Vec::new();
    for &(_, issue_id, _, n, k) in entries.get(offset.min(end)..end).unwrap_or_default() {
        let h = &data.histories_of(issues[n as usize])[k as usize];
        let Some(v) = r.history_filtered(h, only) else {
            continue;
        };
        match logs.iter_mut().find(|(id, _)| *id == issue_id) {
            Some((_, hs)) => hs.push(v),
            None => logs.push((issue_id, vec![v])),
        }
    }
    let mut out = Map::new();
    out.insert(
        "issueChangeLogs".into(),
        Value::Array(
            logs.into_iter()
                .map(|(id, hs)| json!({"issueId": id.to_string(), "changeHistories": hs}))
                .collect(),
        ),
    );
    if end < entries.len() {
        out.insert(
            "nextPageToken".into(),
            json!(token::encode(end, fingerprint)),
        );
    }
    Value::Object(out)
}

/// The fingerprint a bulk changelog token is bound to: the issues and the field filter.
pub fn bulk_changelog_fingerprint(issues: &[&Issue], field_ids: &[String]) -> String {
    let mut ids: Vec<String> = issues.iter().map(|i| i.id.to_string()).collect();
    ids.sort();
    let mut fields = field_ids.to_vec();
    fields.sort();
    token::fingerprint(&["changelog/bulkfetch", &ids.join(","), &fields.join(",")])
}

/// Worklogs per page of `GET /rest/api/{2,3}/worklog/updated`.
pub const WORKLOGS_UPDATED_PAGE: usize = 1000;

/// A `GET /rest/api/{2,3}/issue/{id}/worklog` page (`PageOfWorklogs`): the worklogs the
/// viewer may see, oldest first, started on or after `after` and before `before` (epoch ms),
/// `start..start+max` of them, with `total` counting every match.
pub fn issue_worklogs(
    r: &Renderer<'_>,
    issue: &Issue,
    start: usize,
    max: usize,
    after: Option<i64>,
    before: Option<i64>,
) -> Value {
    let hits: Vec<_> = r
        .visible_worklogs(issue)
        .filter(|w| after.is_none_or(|a| w.started_ms >= a))
        .filter(|w| before.is_none_or(|b| w.started_ms < b))
        .collect();
    let worklogs: Vec<Value> = hits
        .iter()
        .skip(start)
        .take(max)
        .map(|w| r.worklog(w))
        .collect();
    json!({
        "startAt": start,
        "maxResults": max,
        "total": hits.len(),
        "worklogs": worklogs,
    })
}

/// A `GET /rest/api/{2,3}/worklog/updated?since=` page (`ChangedWorklogs`): the ids of the
/// worklogs the viewer may see updated after `since` and no later than `until_cap` (Jira leaves
/// out the last minute), oldest first, [`WORKLOGS_UPDATED_PAGE`] a page. `nextPage` asks for
/// the ones after this page's `until`; update times are unique, so nothing repeats or is lost.
pub fn worklogs_updated(r: &Renderer<'_>, since: i64, until_cap: i64) -> Value {
    let data = r.data;
    let wl = &data.worklogs;
    let first = wl
        .by_updated
        .partition_point(|&w| wl.all[w as usize].updated_ms <= since);
    let mut values = Vec::new();
    let mut last = None;
    let mut more = false;
    for &w in &wl.by_updated[first..] {
        let w = &wl.all[w as usize];
        if w.updated_ms > until_cap {
            break;
        }
        if !crate::data::worklog::visible(&data.site, &data.issues, w, r.viewer) {
            continue;
        }
        if values.len() == WORKLOGS_UPDATED_PAGE {
            more = true;
            break;
        }
        values.push(json!({"worklogId": w.id, "updatedTime": w.updated_ms, "properties": []}));
        last = Some(w.updated_ms);
    }
    let url = |since: i64| {
        format!(
            "{}/rest/api/{}/worklog/updated?since={since}",
            r.base, r.api
        )
    };
    let until = last.unwrap_or(since);
    // Jira's `since` and `until` are the update times of the page's first and last worklogs.
    let first = values
        .first()
        .and_then(|v| v["updatedTime"].as_i64())
        .unwrap_or(since);
    let mut out = Map::new();
    out.insert("values".into(), Value::Array(values));
    out.insert("since".into(), json!(first));
    out.insert("until".into(), json!(until));
    out.insert("self".into(), json!(url(since)));
    if more {
        out.insert("nextPage".into(), json!(url(until)));
    }
    out.insert("lastPage".into(), json!(!more));
    Value::Object(out)
}

/// A `POST /rest/api/{2,3}/worklog/list` answer: the worklogs of `ids` the viewer may see, in
/// id order, each once; unknown ids are left out.
pub fn worklog_list(r: &Renderer<'_>, ids: &[i64]) -> Value {
    let data = r.data;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Value::Array(
        ids.iter()
            .filter_map(|&id| data.worklogs.find(id))
            .filter(|w| crate::data::worklog::visible(&data.site, &data.issues, w, r.viewer))
            .map(|w| r.worklog(w))
            .collect(),
    )
}
