//! Data-driven fixtures: every `tests/fixtures/*.json` holds Jira JSON inputs, a `now`, and
//! cases, each a configuration and the report it must give, worked out by hand (see each
//! fixture's `why`). One `check` runs them all.

use std::collections::HashMap;
use std::path::Path;

use engine::{Context, Dataset, Report, RowKind};
use jiff::Timestamp;
use serde_json::{Value, json};

fn fixtures_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture() {
    let mut names: Vec<_> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "fixtures missing: {names:?}");
    let mut failures = Vec::new();
    let mut cases = 0;
    for path in &names {
        let fixture: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for case in fixture["cases"].as_array().unwrap() {
            cases += 1;
            let name = format!(
                "{} / {}",
                path.file_name().unwrap().to_string_lossy(),
                case["name"].as_str().unwrap()
            );
            if let Err(e) = check(&fixture, case) {
                failures.push(format!("{name}: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} fixture cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs one case of a fixture and compares the parts of the report its `expect` names.
fn check(fixture: &Value, case: &Value) -> Result<(), String> {
    let mut data = Dataset::new();
    for input in fixture["inputs"].as_array().unwrap() {
        data.add_json(&serde_json::to_vec(input).unwrap())
            .map_err(|e| format!("input does not load: {e}"))?;
    }
    data.assume_bulk_changelogs_complete();
    if let Some(groups) = fixture.get("groups").and_then(Value::as_object) {
        for (group, members) in groups {
            let members: Vec<&str> = members
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect();
            data.set_group_members(group, &members);
        }
    }
    let report = run(fixture, case, &data)?;
    compare(&report, &case["expect"])
}

/// The case's configuration: a time-in-status report in seconds without statistics, with the
/// case's `config` keys laid over it.
pub(crate) fn config_of(case: &Value) -> config::ReportConfig {
    let mut base = json!({
        "schemaVersion": 1,
        "name": "fixture",
        "kind": {"type": "timeInStatus"},
        "durationFormat": {"type": "seconds"},
        "aggregation": {"functions": []}
    });
    if let Some(over) = case.get("config").and_then(Value::as_object) {
        for (k, v) in over {
            base[k] = v.clone();
        }
    }
    config::parse_report(&base.to_string()).unwrap()
}

fn run(fixture: &Value, case: &Value, data: &Dataset) -> Result<Report, String> {
    let now: Timestamp = fixture["now"].as_str().unwrap().parse().unwrap();
    let mut ctx = Context::new(now);
    if let Some(cal) = fixture.get("calendar") {
        let cal = config::parse_calendar(&cal.to_string()).unwrap();
        ctx = ctx.with_calendar(config::CalendarId::parse("berlin").unwrap(), cal);
    }
    if let Some(groups) = fixture.get("statusGroups").and_then(Value::as_object) {
        for (id, group) in groups {
            let group = config::parse_status_group(&group.to_string()).unwrap();
            ctx = ctx.with_status_group(config::StatusGroupId::parse(id).unwrap(), group);
        }
    }
    let report =
        engine::compute(data, &config_of(case), &ctx).map_err(|e| format!("compute: {e}"))?;
    // The report crosses a worker boundary as JSON: it must come back identical.
    let back: Report = serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    if back != report {
        return Err("the report does not survive a JSON round trip".into());
    }
    Ok(report)
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Null => None,
        Value::Number(n) => n.as_f64(),
        Value::String(s) => Some(s.parse::<Timestamp>().unwrap().as_second() as f64),
        other => panic!("unexpected expected value {other}"),
    }
}

fn same_values(got: &[Option<engine::Num>], want: &Value) -> bool {
    let want = want.as_array().unwrap();
    got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| match (g, number(w)) {
            (None, None) => true,
            (Some(g), Some(w)) => (g.as_f64() - w).abs() < 1e-6,
            _ => false,
        })
}

fn compare(report: &Report, expect: &Value) -> Result<(), String> {
    let mut problems = Vec::new();
    if let Some(cols) = expect.get("columns") {
        let got: Vec<&str> = report.columns.iter().map(|c| c.name.as_str()).collect();
        let want: Vec<&str> = cols
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        if got != want {
            problems.push(format!("columns: got {got:?}, want {want:?}"));
        }
    }
    if let Some(rows) = expect.get("rows") {
        let want = rows.as_array().unwrap();
        let got: Vec<String> = report
            .rows
            .iter()
            .map(|r| format!("{} {:?}", r.label, r.values))
            .collect();
        let ok =
            report.rows.len() == want.len()
                && report.rows.iter().zip(want).all(|(r, w)| {
                    r.label == w[0].as_str().unwrap() && same_values(&r.values, &w[1])
                });
        if !ok {
            problems.push(format!("rows: got {got:?}, want {rows}"));
        }
    }
    if let Some(stats) = expect.get("stats").and_then(Value::as_object) {
        for (label, fns) in stats {
            let Some(row) = report
                .rows
                .iter()
                .find(|r| r.kind == RowKind::Group && &r.label == label)
            else {
                problems.push(format!("no group row {label}"));
                continue;
            };
            for (f, want) in fns.as_object().unwrap() {
                match row.stats.iter().find(|s| &s.label == f) {
                    Some(s) if same_values(&s.values, want) => {}
                    other => {
                        problems.push(format!("group {label} {f}: got {other:?}, want {want}"))
                    }
                }
            }
        }
    }
    if let Some(totals) = expect.get("groupTotals").and_then(Value::as_object) {
        for (label, want) in totals {
            match report
                .rows
                .iter()
                .find(|r| r.kind == RowKind::Group && &r.label == label)
            {
                Some(row) if same_values(&[row.total], &json!([want])) => {}
                other => problems.push(format!(
                    "total of group {label}: got {:?}, want {want}",
                    other.map(|r| r.total)
                )),
            }
        }
    }
    if let Some(totals) = expect.get("totals").and_then(Value::as_object) {
        for (f, want) in totals {
            match report.totals.iter().find(|s| &s.label == f) {
                Some(s) if same_values(&s.values, want) => {}
                other => problems.push(format!("total {f}: got {other:?}, want {want}")),
            }
        }
    }
    // Flags: exactly those listed; none when the case lists none.
    let want_flags: HashMap<String, Value> = expect
        .get("flags")
        .and_then(Value::as_object)
        .map(|m| m.clone().into_iter().collect())
        .unwrap_or_default();
    for row in report.rows.iter().filter(|r| r.kind == RowKind::Issue) {
        let got = serde_json::to_value(&row.flags).unwrap();
        let want = want_flags.get(&row.label).cloned().unwrap_or(json!([]));
        if got != want {
            problems.push(format!("flags of {}: got {got}, want {want}", row.label));
        }
    }
    let mut got_codes: Vec<String> = report
        .warnings
        .iter()
        .map(|w| {
            serde_json::to_value(w.code)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut want_codes: Vec<String> = expect
        .get("warnings")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|c| c.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    got_codes.sort();
    want_codes.sort();
    if got_codes != want_codes {
        problems.push(format!(
            "warnings: got {:?}, want {want_codes:?}",
            report.warnings
        ));
    }
    if let Some(clock) = expect.get("clock").and_then(Value::as_object) {
        for (key, want) in clock {
            let got = report
                .rows
                .iter()
                .find(|r| &r.label == key)
                .and_then(|r| r.clock)
                .map(|c| serde_json::to_value(c).unwrap());
            if got.as_ref() != Some(want) {
                problems.push(format!("clock of {key}: got {got:?}, want {want}"));
            }
        }
    }
    if let Some(details) = expect.get("details") {
        let got = serde_json::to_value(&report.details).unwrap();
        if &got != details {
            problems.push(format!("details: got {got}, want {details}"));
        }
    }
    if let Some(csv) = expect.get("csv") {
        let got = engine::export::to_csv(report).unwrap();
        if got != csv.as_str().unwrap() {
            problems.push(format!("csv: got\n{got}want\n{}", csv.as_str().unwrap()));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n  "))
    }
}

#[cfg(feature = "xlsx")]
#[test]
fn xlsx_is_a_zip_with_the_report_sheet() {
    let fixture: Value = serde_json::from_slice(
        &std::fs::read(fixtures_dir().join("grouping-filters.json")).unwrap(),
    )
    .unwrap();
    let case = &fixture["cases"][0];
    let mut data = Dataset::new();
    for input in fixture["inputs"].as_array().unwrap() {
        data.add_json(&serde_json::to_vec(input).unwrap()).unwrap();
    }
    let report = run(&fixture, case, &data).unwrap();
    let bytes = engine::export::to_xlsx(&report).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx file is a zip archive");
    // Same report, same bytes: no clock is read for the document's metadata.
    assert_eq!(bytes, engine::export::to_xlsx(&report).unwrap());
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("xl/worksheets/sheet1.xml"));
}
