//! What the flows share: the reports they seed, the CLI as the independent second path, and
//! reading the run page's state.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use e2e::browser::Browser;
use e2e::table::{self, Table};
use e2e::{Result, World};
use serde_json::{Value, json};

/// The instant every compared report is computed for: the end of the simulated data. Runs in
/// the browser carry it as the link's `asOf`, the CLI as `--now`.
pub const AS_OF: &str = "2026-11-01T00:00:00Z";

/// Every issue of the simulated site, naming projects by id (in canary mode their keys and
/// names carry the marker, and a configuration holding it would carry it to the server).
pub const ALL_ISSUES: &str = "project in (10000, 10001, 10002, 10003) ORDER BY key";

/// A time-in-status report over every issue, with statistics, durations in `format`.
pub fn time_in_status(name: &str, format: Value) -> Value {
    json!({
        "schemaVersion": 1,
        "name": name,
        "description": "Every issue's time in each status.",
        "jql": ALL_ISSUES,
        "kind": {"type": "timeInStatus", "multiVisit": "total"},
        "aggregation": {"functions": [{"type": "count"}, {"type": "mean"}, {"type": "median"}]},
        "durationFormat": format,
    })
}

/// The report every comparison starts from: seconds, so that the browser and the CLI must
/// agree to the second.
pub fn default_report() -> Value {
    time_in_status("Time in status", json!({"type": "seconds"}))
}

/// Saves a report as `user` through the server's API, the way the page does; returns its id.
pub fn create_report(w: &World, user: &str, config: &Value) -> Result<String> {
    let record = w.api(user, "POST", "/reports", Some(&json!({ "config": config })))?;
    Ok(record["id"]
        .as_str()
        .context("the new report has no id")?
        .to_string())
}

/// The same report computed by `dwell report` on `jira-sim dump` of the same data: an
/// independent path (no browser, no worker, no server, no HTTP). Returns the CSV's rows,
/// header first. `calendars` are `(id, calendar JSON)` the configuration names.
pub fn cli_report(
    w: &World,
    config: &Value,
    calendars: &[(String, Value)],
) -> Result<Vec<Vec<String>>> {
    cli_report_with_groups(w, config, calendars, &[])
}

/// [`cli_report`] with saved status groups too: `(id, status group JSON)`.
pub fn cli_report_with_groups(
    w: &World,
    config: &Value,
    calendars: &[(String, Value)],
    status_groups: &[(String, Value)],
) -> Result<Vec<Vec<String>>> {
    cli_report_in(w, config, calendars, status_groups, "UTC")
}

/// [`cli_report_with_groups`] for a user whose time zone is `zone` (the CLI's `--tz`).
pub fn cli_report_in(
    w: &World,
    config: &Value,
    calendars: &[(String, Value)],
    status_groups: &[(String, Value)],
    zone: &str,
) -> Result<Vec<Vec<String>>> {
    let dump = w.dump()?;
    let dir = w.dir.path();
    let config_path = dir.join("cli-config.json");
    std::fs::write(&config_path, config.to_string())?;
    let mut cmd = Command::new(&w.bins.dwell);
    cmd.args(["report", "--config", &config_path.display().to_string()])
        .args(["--input", &dump.display().to_string()])
        .args(["--now", AS_OF, "--tz", zone, "--format", "csv"]);
    for (id, calendar) in calendars {
        let path = dir.join(format!("{id}.json"));
        std::fs::write(&path, calendar.to_string())?;
        cmd.args(["--calendar", &format!("{id}={}", path.display())]);
    }
    for (id, group) in status_groups {
        let path = dir.join(format!("{id}.json"));
        std::fs::write(&path, group.to_string())?;
        cmd.args(["--status-group", &format!("{id}={}", path.display())]);
    }
    let csv_text = e2e::proc::run("dwell report", &mut cmd)?;
    read_csv(csv_text.as_bytes())
}

/// A CSV file's rows, header included, read with the `csv` crate.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(record?.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// Opens a saved report at the shared link `#/reports/{id}?asOf=...` and waits until it ran
/// to the end; returns the table and whether the page flagged the result as partial.
pub async fn run_saved(w: &World, b: &Browser, id: &str) -> Result<(Table, bool)> {
    w.go(
        b,
        &format!("#/reports/{id}?asOf={}", AS_OF.replace(':', "%3A")),
    )
    .await?;
    finished(b).await
}

/// Waits for the run on the page to end, and reads its result.
pub async fn finished(b: &Browser) -> Result<(Table, bool)> {
    let state = b
        .wait_for(
            "the report to finish",
            "const err = document.querySelector('.panel-error');
             if (err) return {error: err.innerText};
             const done = document.querySelector('table.results') &&
                 !document.querySelector('.progress') &&
                 [...document.querySelectorAll('[role=status]')].some(e => e.textContent.startsWith('Read ') || e.textContent.includes('Partial result'));
             if (!done) return null;
             return {partial: !!document.querySelector('.panel-warning .panel-title') &&
                 document.querySelector('.panel-warning .panel-title').textContent.includes('Partial result')};",
            vec![],
        )
        .await?;
    if let Some(e) = state["error"].as_str() {
        bail!("the report failed: {e}");
    }
    let t = table::read(b).await?;
    Ok((t, state["partial"].as_bool().unwrap_or(false)))
}

/// Checks that the page's table says what the CLI's CSV says: the same issues in the same
/// order, the same text in every status column, and the same statistics.
pub fn assert_same_as_cli(table: &Table, cli: &[Vec<String>]) {
    let (header, body) = cli.split_first().expect("the CLI wrote no header");
    assert_eq!(header[0], "Key", "the CLI's CSV starts with the key");
    let columns = &header[1..];
    // The table: label, then the same metric columns, then the row total.
    assert_eq!(
        &table.header[1..=columns.len()],
        columns,
        "the table's columns are the CLI's"
    );
    let (issues, stats): (Vec<&Vec<String>>, Vec<&Vec<String>>) =
        body.iter().partition(|r| r[0].contains('-'));
    assert_eq!(table.rows.len(), issues.len(), "as many rows as the CLI");
    assert!(!issues.is_empty(), "the report has issues");
    for (row, line) in table.rows.iter().zip(&issues) {
        assert_eq!(
            &row[..=columns.len()],
            &line[..],
            "the issue's row in the browser and in the CLI"
        );
    }
    assert!(!stats.is_empty(), "the CLI wrote statistics");
    for line in stats {
        let shown = table
            .stat(&line[0])
            .unwrap_or_else(|| panic!("the table has no {:?} row: {:?}", line[0], table.footer));
        assert_eq!(
            &shown[..line.len()],
            &line[..],
            "the {} statistics",
            line[0]
        );
    }
}

/// Text of the first element matching `css` in the page, if any.
pub async fn text_of(b: &Browser, css: &str) -> Result<Option<String>> {
    let v = b
        .js(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            vec![json!(css)],
        )
        .await?;
    Ok(v.as_str().map(str::to_string))
}

/// Waits for the app's notice or status line to include `text`.
pub async fn notice(b: &Browser, text: &str) -> Result<String> {
    let v = b
        .wait_for(
            &format!("a notice saying {text:?}"),
            "return [...document.querySelectorAll('.notice, .notice-line, [role=status]')]
                 .map(e => e.innerText).find(t => t.includes(arguments[0])) || null;",
            vec![json!(text)],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

/// Writes `bytes` under the workspace's `docs/`.
pub fn write_doc(name: &str, bytes: &[u8]) -> Result {
    let path = e2e::bins::root().join("docs").join(name);
    std::fs::write(&path, bytes).with_context(|| format!("writing {}", Path::new(&path).display()))
}

/// A cell of an XLSX sheet as calamine reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum XlsxCell {
    Empty,
    Number(f64),
    Text(String),
}

/// The first sheet of an XLSX file, read with calamine (independent of the writer).
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<XlsxCell>>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))?;
    let range = book
        .worksheet_range_at(0)
        .context("the workbook has no sheet")??;
    if range.start() != Some((0, 0)) {
        bail!("the sheet does not start at A1: {:?}", range.start());
    }
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Empty => XlsxCell::Empty,
                    Data::Int(i) => XlsxCell::Number(*i as f64),
                    Data::Float(f) => XlsxCell::Number(*f),
                    Data::String(s) => XlsxCell::Text(s.clone()),
                    other => XlsxCell::Text(other.to_string()),
                })
                .collect()
        })
        .collect())
}

/// Every page of a `jira-sim dump` directory, in page order: each file's name and body.
pub fn dump_pages(dir: &Path) -> Result<Vec<(String, Value)>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    files.sort_by_key(|f| f.file_name());
    files
        .into_iter()
        .map(|f| {
            let name = f.file_name().to_string_lossy().to_string();
            let page = serde_json::from_slice(&std::fs::read(f.path())?)
                .with_context(|| format!("reading the dump's {name}"))?;
            Ok((name, page))
        })
        .collect()
}

/// A timestamp as Jira writes it (`2026-06-20T15:04:05.000+0100`).
pub fn jira_time(text: &str) -> Result<jiff::Timestamp> {
    jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", text)
        .and_then(|t| t.to_timestamp())
        .with_context(|| format!("{text:?} is not a Jira timestamp"))
}

/// Each issue's milliseconds in each status up to `now`, by the status's current name (ids
/// that share a name summed), read from a Cloud dump without Dwell's code, as Jira's
/// changelogs tell it: an issue's life runs from its `created`; its first status is the `from`
/// of its earliest status change (its current status when it never changed); changes count in
/// the order of their history's `created`, then its id, and one stamped before the issue's
/// `created` counts at `created`. A status the issue was in only for an instant is there with
/// 0. Keyed by issue key.
pub fn dump_status_times(
    dir: &Path,
    now: jiff::Timestamp,
) -> Result<BTreeMap<String, BTreeMap<String, i64>>> {
    struct Change {
        at: i64,
        history: u64,
        from: String,
        to: String,
    }
    struct Issue {
        key: String,
        created: i64,
        current: String,
        changes: Vec<Change>,
    }
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut issues: BTreeMap<String, Issue> = BTreeMap::new();
    let mut changelogs = Vec::new();
    for (file, page) in dump_pages(dir)? {
        if file == "status.json" {
            for s in page.as_array().context("status.json is not a list")? {
                let id = s["id"].as_str().context("a status without id")?;
                let name = s["name"].as_str().context("a status without name")?;
                names.insert(id.into(), name.into());
            }
        } else if file.starts_with("search-") {
            for i in page["issues"]
                .as_array()
                .context("a search page without issues")?
            {
                let fields = &i["fields"];
                let created = fields["created"].as_str().context("no created")?;
                issues.insert(
                    i["id"].as_str().context("an issue without id")?.into(),
                    Issue {
                        key: i["key"].as_str().context("an issue without key")?.into(),
                        created: jira_time(created)?.as_millisecond(),
                        current: fields["status"]["id"]
                            .as_str()
                            .context("an issue without status")?
                            .into(),
                        changes: Vec::new(),
                    },
                );
            }
        } else if file.starts_with("changelog-") {
            changelogs.push(page);
        }
    }
    for page in changelogs {
        for log in page["issueChangeLogs"].as_array().into_iter().flatten() {
            let id = log["issueId"]
                .as_str()
                .context("a changelog without issueId")?;
            let issue = issues
                .get_mut(id)
                .context("a changelog of an unknown issue")?;
            for h in log["changeHistories"].as_array().into_iter().flatten() {
                let at = jira_time(h["created"].as_str().context("no created")?)?;
                let history = h["id"].as_str().context("a history without id")?.parse()?;
                for item in h["items"].as_array().into_iter().flatten() {
                    if item["field"] == "status" {
                        issue.changes.push(Change {
                            at: at.as_millisecond(),
                            history,
                            from: item["from"].as_str().unwrap_or_default().into(),
                            to: item["to"].as_str().unwrap_or_default().into(),
                        });
                    }
                }
            }
        }
    }
    let now = now.as_millisecond();
    let mut out = BTreeMap::new();
    for mut issue in issues.into_values() {
        issue.changes.sort_by_key(|c| (c.at, c.history));
        let mut status = issue
            .changes
            .first()
            .map_or(issue.current.clone(), |c| c.from.clone());
        let mut since = issue.created;
        let mut times: BTreeMap<String, i64> = BTreeMap::new();
        let mut spend = |status: &str, until: i64, since: i64| -> Result {
            let name = names.get(status).context("a status not in status.json")?;
            *times.entry(name.clone()).or_default() += until - since;
            Ok(())
        };
        for c in &issue.changes {
            let at = c.at.clamp(issue.created, now);
            spend(&status, at, since)?;
            (status, since) = (c.to.clone(), at);
        }
        spend(&status, now, since)?;
        out.insert(issue.key, times);
    }
    Ok(out)
}

/// The account id jira-sim gives `login`.
pub fn account_of(w: &World, login: &str) -> Result<String> {
    let info = w.sim_info()?;
    Ok(info["users"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["login"] == login))
        .with_context(|| format!("jira-sim has no {login}"))?["accountId"]
        .as_str()
        .context("no account id")?
        .to_string())
}
