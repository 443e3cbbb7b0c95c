//! The kinds of issue content the privacy proof tracks, and the flows that bring every kind
//! into the browser, so that its absence at the server means something.
//!
//! jira-sim's `--canary` mode gives each kind a marker of its own, all starting `ZZCANARY`
//! (written out here rather than taken from jira-sim, so the proof does not trust the code it
//! tests). Markers are letters only: a project key holds nothing else, so an issue key is
//! marked through its project key (`PLATZZCANARYKEY-12`), and the project's name carries the
//! project marker. The default report asks Jira for status, dates and issue type only; the
//! flows here ask for everything else: a report with a column per field (exported as CSV and
//! XLSX), reports grouped by labels, assignee and components with a filter each (table and
//! charts), and a timesheet whose rows are the worklogs' authors, with a row's drill-down
//! listing its worklogs' authors and comments. Each flow returns what the user was shown, and
//! [`Shown`] says where each kind was seen. On Data Center (Direct mode, no server session)
//! each report is imported as a configuration instead of saved.

use std::collections::BTreeMap;

use anyhow::Context;
use e2e::table::Table;
use e2e::{Browser, Result, World};
use serde_json::{Value, json};

use crate::support;

/// A kind of issue content and its marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Kind {
    pub name: &'static str,
    pub marker: &'static str,
}

const fn kind(name: &'static str, marker: &'static str) -> Kind {
    Kind { name, marker }
}

/// Every kind jira-sim marks.
pub const KINDS: [Kind; 14] = [
    kind("issue keys", "ZZCANARYKEY"),
    kind("summaries", "ZZCANARYSUMMARY"),
    kind("descriptions", "ZZCANARYDESCRIPTION"),
    kind("labels", "ZZCANARYLABEL"),
    kind("components", "ZZCANARYCOMPONENT"),
    kind("text custom field values", "ZZCANARYTEXTFIELD"),
    kind("select custom field options", "ZZCANARYOPTION"),
    kind(
        "people's display names (assignee, reporter, changelog and worklog authors)",
        "ZZCANARYPERSON",
    ),
    kind("status names", "ZZCANARYSTATUS"),
    kind("issue type names", "ZZCANARYISSUETYPE"),
    kind("priority names", "ZZCANARYPRIORITY"),
    kind("resolution names", "ZZCANARYRESOLUTION"),
    kind("project names", "ZZCANARYPROJECT"),
    kind("worklog comments", "ZZCANARYWORKLOG"),
];

/// The text custom field ("Customer") and the select custom field ("Team") of a canary site.
pub const TEXT_FIELD: &str = "customfield_10030";
pub const SELECT_FIELD: &str = "customfield_10031";

/// What the browser showed, by where it showed it (`"the table of Issue content"`, ...).
#[derive(Debug, Default)]
pub struct Shown {
    pub places: BTreeMap<String, String>,
}

impl Shown {
    fn add(&mut self, place: impl Into<String>, text: impl Into<String>) {
        self.places
            .entry(place.into())
            .or_default()
            .push_str(&text.into());
    }

    /// Where the browser showed `kind`'s marker.
    pub fn places_of(&self, kind: &Kind) -> Vec<&str> {
        self.places
            .iter()
            .filter(|(_, text)| text.contains(kind.marker))
            .map(|(place, _)| place.as_str())
            .collect()
    }
}

/// A time-in-status report over every issue with `extra` settings.
fn report(name: &str, extra: Value) -> Value {
    let mut config = support::time_in_status(name, json!({"type": "seconds"}));
    if let (Some(c), Some(e)) = (config.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    config
}

/// Runs every content flow as ada and returns what the browser showed.
pub async fn bring_every_kind_to_the_browser(w: &World) -> Result<Shown> {
    let mut shown = Shown::default();
    let b = w.open("ada", "#/").await?;

    // A column for every field: the table, then both exports.
    let columns = [
        "summary",
        "description",
        "labels",
        "components",
        "assignee",
        "reporter",
        "priority",
        "resolution",
        "project",
        "issuetype",
        TEXT_FIELD,
        SELECT_FIELD,
    ];
    let (table, partial) = run(
        w,
        &b,
        &report("Issue content", json!({"columns": {"fields": columns}})),
    )
    .await?;
    assert!(!partial, "the content report ran to the end");
    assert_eq!(table.rows.len(), w.spec.issues, "every issue is a row");
    for c in ["Summary", "Labels", "Assignee", "Customer", "Team"] {
        assert!(
            table.header.iter().any(|h| h == c),
            "the table has a {c} column: {:?}",
            table.header
        );
    }
    shown.add("the table of Issue content", table_text(&table));
    b.click("button", "Export CSV").await?;
    let csv = b.downloaded("Issue-content.csv").await?;
    shown.add("the CSV export", String::from_utf8_lossy(&csv));
    b.click("button", "Export XLSX").await?;
    let xlsx = b.downloaded("Issue-content.xlsx").await?;
    let sheet = support::read_xlsx(&xlsx)?;
    assert_eq!(
        sheet.len(),
        support::read_csv(&csv)?.len(),
        "as many lines in XLSX as in CSV"
    );
    let cells: String = sheet
        .iter()
        .flatten()
        .map(|c| match c {
            support::XlsxCell::Text(t) => format!("{t}\n"),
            _ => String::new(),
        })
        .collect();
    shown.add("the XLSX export", cells);

    // Grouped by labels, assignee and components, each with a filter the user typed (values
    // without the marker: a filter value is the user's own text, and the server keeps it).
    for (name, by, filter) in [
        (
            "By label",
            "labels",
            json!({"field": "labels", "op": "contains", "value": "backend"}),
        ),
        (
            "By assignee",
            "assignee",
            json!({"field": "assignee", "op": "isNotEmpty"}),
        ),
        (
            "By component",
            "components",
            json!({"field": SELECT_FIELD, "op": "contains", "value": "red"}),
        ),
    ] {
        let (table, _) = run(
            w,
            &b,
            &report(
                name,
                json!({"rows": {"groupBy": [by]}, "filters": [filter]}),
            ),
        )
        .await?;
        assert!(
            !table.rows.is_empty() && table.rows.len() < w.spec.issues,
            "{name}: a few groups, not every issue: {}",
            table.rows.len()
        );
        shown.add(format!("the table of {name}"), table_text(&table));
        let charts = b
            .wait_for(
                "the charts",
                "const s = [...document.querySelectorAll('svg')];
                 return s.length ? s.map(x => x.textContent).join('\\n') : null;",
                vec![],
            )
            .await?;
        shown.add(
            format!("the charts of {name}"),
            charts.as_str().unwrap_or_default(),
        );
    }

    // A timesheet: one row per worklog author, over the data's last quarter.
    let (table, _) = run(
        w,
        &b,
        &json!({
            "schemaVersion": 1,
            "name": "Who logged time",
            "jql": support::ALL_ISSUES,
            "kind": {
                "type": "timesheet",
                "rows": "person",
                "columns": "month",
                "dates": {"type": "fixed", "from": "2026-08-01", "to": "2026-10-31"},
                "timeZone": "UTC",
            },
        }),
    )
    .await?;
    assert!(
        table.rows.len() >= 2,
        "several people logged time: {:?}",
        table.rows
    );
    shown.add("the timesheet's rows", table_text(&table));
    // A row's Total opens that person's worklogs of the quarter, with their authors and
    // comments: the comments are read from Jira by the page (`worklog/list`) for this dialog
    // only, and it is the one place the page shows them.
    let drill = drill_down_a_row(&b, &table).await?;
    shown.add("the timesheet's drill-down", drill);
    b.close().await;
    Ok(shown)
}

/// Runs `config` as ada would on this site: saved, then opened by its link; on Data Center,
/// where the page has no server session, imported on the Reports page and run from there.
async fn run(w: &World, b: &Browser, config: &Value) -> Result<(Table, bool)> {
    if !w.spec.data_center {
        let id = support::create_report(w, "ada", config)?;
        return support::run_saved(w, b, &id).await;
    }
    w.go(b, "#/").await?;
    b.fill("Report configuration (JSON)", &config.to_string())
        .await?;
    b.click("button", "Check and use").await?;
    support::finished(b).await
}

/// Opens the first row's Total in `table` (the timesheet on the page) and returns what the
/// drill-down lists once Jira's comments have arrived: its text, with at least one comment.
async fn drill_down_a_row(b: &Browser, table: &Table) -> Result<String> {
    let total = table.header.len() - 1;
    anyhow::ensure!(
        table.header.last().is_some_and(|h| h == "Total"),
        "the timesheet ends with a Total column: {:?}",
        table.header
    );
    let person = table.rows.first().context("the timesheet has no rows")?[0].clone();
    // The row by its place in the report (`aria-rowindex` counts the header as 1), not the
    // body's first `tr`, which is the virtual scroll's spacer.
    b.click_xpath(&format!(
        "//table[contains(@class,'results')]/tbody/tr[@aria-rowindex='2']/td[{total}]/button"
    ))
    .await?;
    // The dialog of this cell (by its title), its worklogs listed, and Jira's answer for
    // their comments in: shown, or the reason they are not (which fails here, saying so).
    let title = format!("{person} · Total");
    let drill = b
        .wait_for(
            &format!("the drill-down of {title} with its comments"),
            "const d = document.querySelector('.drill-down');
             const h = d && d.querySelector('h2');
             if (!h || h.textContent !== arguments[0]) return null;
             const failed = d.querySelector('.error');
             if (failed) return {error: failed.textContent};
             const notes = [...d.querySelectorAll('[role=status]')].map(n => n.textContent).join(' ');
             if (notes.includes('comments could not be read')) return {error: notes};
             if (!d.querySelector('table.worklogs') || notes.includes('Reading comments')) return null;
             return {
               text: d.innerText,
               rows: d.querySelectorAll('table.worklogs tbody tr').length,
               comments: [...d.querySelectorAll('table.worklogs td.comment')]
                 .filter(c => c.textContent.trim() !== '').length,
             };",
            vec![json!(title)],
        )
        .await?;
    if let Some(e) = drill["error"].as_str() {
        anyhow::bail!("the drill-down of {title} failed: {e}");
    }
    let (rows, comments) = (drill["rows"].as_u64(), drill["comments"].as_u64());
    anyhow::ensure!(
        rows > Some(0) && comments > Some(0),
        "the drill-down of {title} lists {rows:?} worklogs, {comments:?} with a comment"
    );
    Ok(drill["text"].as_str().unwrap_or_default().to_string())
}

/// Everything a table says: header, rows and footer.
fn table_text(t: &Table) -> String {
    let mut out = t.header.join("\t");
    for r in t.rows.iter().chain(&t.footer) {
        out.push('\n');
        out.push_str(&r.join("\t"));
    }
    out
}
