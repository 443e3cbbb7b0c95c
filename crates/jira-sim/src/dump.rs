//! `jira-sim dump`: the generated data written as the API's own response pages, for the `dwell`
//! CLI and benchmarks. Every file is exactly one response body the simulator would serve.
//!
//! Cloud (`--flavor cloud`, the default):
//! - `status.json`: `GET /rest/api/3/status` (a list of `StatusDetails`);
//! - `field.json`: `GET /rest/api/3/field` (a list of `FieldDetails`);
//! - `search-00001.json`, ...: `GET /rest/api/3/search/jql?jql=created <= now() ORDER BY key
//!   ASC&fields=*navigable`, pages of `--page-size` issues (`SearchAndReconcileResults`: `issues`
//!   with fields and no changelog, `nextPageToken` on all but the last, `isLast`);
//! - `changelog-00001.json`, ...: `POST /rest/api/3/changelog/bulkfetch` pages
//!   (`BulkChangelogResponseBean`) for the issues in batches of 1000 (in key order), no field
//!   filter, `--changelog-page-size` histories a page, ordered by date then issue id, so an
//!   issue's histories may continue on the next page. Pages are numbered across batches; every
//!   page of a batch but its last carries `nextPageToken`.
//!
//! Data Center (`--flavor dc`):
//! - `status.json`, `field.json`: the `/rest/api/2/` lists;
//! - `search-00001.json`, ...: `GET /rest/api/2/search?jql=ORDER BY key ASC&fields=*navigable&
//!   expand=changelog` pages (`SearchResults`: `startAt`, `maxResults`, `total`, `issues` with
//!   every history, oldest first). The dump ignores Data Center's 10,000-result window.
//!
//! With `--worklogs` (both flavours), the dump holds the worklogs the user may see the way a
//! client fetches them, so a reader knows each issue's are complete:
//! - the search pages ask for `fields=*navigable,worklog`: every issue carries its `worklog`
//!   field (`startAt`, `maxResults`, `total` and the oldest 20 or fewer `worklogs`);
//! - `worklog-00001.json`, ...: for each issue whose `total` is over 20 (in key order), its
//!   `GET /rest/api/{3,2}/issue/{id}/worklog?startAt=N&maxResults=5000` pages
//!   (`PageOfWorklogs`: `startAt`, `maxResults`, `total`, `worklogs`, each with `issueId`).
//!
//! Comments are ADF on Cloud and text on Data Center; `started` is in the author's zone. Off
//! by default, so the pages are those of earlier releases byte for byte.
//!
//! Numbers are zero-padded to five digits so a sorted directory listing is page order. `self`
//! links point at `--base-url`. The pages are written as `--user` (ada by default) would get
//! them: timestamps in that user's time zone.

use std::path::Path;

use anyhow::Context;
use serde_json::Value;

use crate::data::{DataSpec, Dataset, Issue};
use crate::jql::{Compiled, DefaultOrder, Env};
use crate::pages;
use crate::render::{ChangelogLimit, Expand, FieldSel, Renderer};
use crate::site::Flavor;

/// What to write.
#[derive(Debug, Clone)]
pub struct DumpSpec {
    pub data: DataSpec,
    pub flavor: Flavor,
    pub page_size: usize,
    pub changelog_page_size: usize,
    pub base_url: String,
    /// The user (login) the pages are fetched as: timestamps are written in their time zone.
    pub user: String,
    /// Also write the worklogs the user may see: the `worklog` field in the search pages, and
    /// per-issue pages (`worklog-*.json`) where it holds fewer than `total`.
    pub worklogs: bool,
}

/// Issues per bulk changelog request, Cloud's maximum.
pub const CHANGELOG_BATCH: usize = 1000;

/// What a dump wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DumpSummary {
    pub issues: usize,
    pub histories: usize,
    pub search_pages: usize,
    pub changelog_pages: usize,
    pub worklogs: usize,
    pub worklog_pages: usize,
}

fn write(dir: &Path, name: &str, v: &Value) -> anyhow::Result<()> {
    let path = dir.join(name);
    let bytes = serde_json::to_vec(v)?;
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Generates the data and writes it to `dir` (created if missing).
pub fn dump(spec: &DumpSpec, dir: &Path) -> anyhow::Result<DumpSummary> {
    let data = Dataset::generate(spec.data.clone());
    dump_data(&data, spec, dir)
}

/// Writes `data` to `dir`.
pub fn dump_data(data: &Dataset, spec: &DumpSpec, dir: &Path) -> anyhow::Result<DumpSummary> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let api = match spec.flavor {
        Flavor::Cloud => 3,
        Flavor::Dc => 2,
    };
    let user = data
        .site
        .user_by_login(&spec.user)
        .with_context(|| format!("no demo user {:?}", spec.user))?;
    let r = Renderer {
        data,
        base: spec.base_url.trim_end_matches('/'),
        api,
        flavor: spec.flavor,
        tz: &data.site.users[user].tz,
        viewer: crate::data::worklog::Viewer::User(user as u8),
    };
    write(dir, "status.json", &Value::Array(r.statuses()))?;
    write(dir, "field.json", &r.fields())?;
    let env = Env {
        now_ms: jiff::Timestamp::now().as_millisecond(),
        flavor: spec.flavor,
        current_user: None,
    };
    let jql = match spec.flavor {
        Flavor::Cloud => "created <= now() ORDER BY key ASC",
        Flavor::Dc => "ORDER BY key ASC",
    };
    let compiled = Compiled::new(jql, data, env)
        .map_err(|e| anyhow::anyhow!("dump query: {}", e.0.join("; ")))?;
    let hits = compiled.run(data, DefaultOrder::KeyAsc);
    let fields = if spec.worklogs {
        "*navigable,worklog"
    } else {
        "*navigable"
    };
    let sel = FieldSel::parse(data, &[fields.to_string()], "*navigable");
    let page = spec.page_size.max(1);
    let mut summary = DumpSummary {
        issues: hits.len(),
        histories: data.histories.len(),
        ..DumpSummary::default()
    };
    match spec.flavor {
        Flavor::Cloud => {
            let fp = crate::http::token::fingerprint(&["search/jql", jql]);
            let no_expand = Expand::default();
            for (n, offset) in (0..hits.len().max(1)).step_by(page).enumerate() {
                let v = pages::search_jql(&r, &hits, offset, page, &sel, &no_expand, &fp);
                write(dir, &format!("search-{:05}.json", n + 1), &v)?;
                summary.search_pages += 1;
            }
            let max = spec.changelog_page_size.max(1);
            for batch in hits.chunks(CHANGELOG_BATCH) {
                let issues: Vec<&Issue> = batch.iter().map(|&i| &data.issues[i as usize]).collect();
                let entries = pages::bulk_changelog_entries(&r, &issues, None);
                let fp = pages::bulk_changelog_fingerprint(&issues, &[]);
                let mut offset = 0;
                loop {
                    let v = pages::bulk_changelog(&r, &issues, &entries, None, offset, max, &fp);
                    summary.changelog_pages += 1;
                    write(
                        dir,
                        &format!("changelog-{:05}.json", summary.changelog_pages),
                        &v,
                    )?;
                    offset += max;
                    if offset >= entries.len() {
                        break;
                    }
                }
            }
        }
        Flavor::Dc => {
            let expand = Expand::parse(&["changelog".to_string()], ChangelogLimit::All);
            for (n, start) in (0..hits.len().max(1)).step_by(page).enumerate() {
                let v = pages::dc_search(&r, &hits, start, page, &sel, &expand);
                write(dir, &format!("search-{:05}.json", n + 1), &v)?;
                summary.search_pages += 1;
            }
        }
    }
    if spec.worklogs {
        let max = crate::api::worklog::ISSUE_WORKLOGS_MAX as usize;
        for &i in &hits {
            let issue = &data.issues[i as usize];
            let total = r.visible_worklogs(issue).count();
            summary.worklogs += total;
            if total <= crate::render::EMBEDDED_WORKLOG_MAX {
                continue;
            }
            for start in (0..total).step_by(max) {
                summary.worklog_pages += 1;
                write(
                    dir,
                    &format!("worklog-{:05}.json", summary.worklog_pages),
                    &pages::issue_worklogs(&r, issue, start, max, None, None),
                )?;
            }
        }
    }
    Ok(summary)
}
