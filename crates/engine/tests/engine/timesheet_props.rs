//! Timesheet properties: however worklogs are attributed (start day or split at midnights), in
//! whichever zone, each person's total is exactly the time they logged, a row's cells add up
//! to its total, and the order and paging of the worklogs change nothing.

use engine::{Context, Dataset, Report};
use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};

/// 2026-03-01T00:00:00Z; worklogs start within 60 days of it, around both DST changes of
/// Berlin and New York, and last up to 30 hours.
const BASE: i64 = 1_772_323_200;
const ZONES: [&str; 4] = ["UTC", "Europe/Berlin", "Asia/Kathmandu", "America/New_York"];
const PEOPLE: [&str; 3] = ["acc-1", "acc-2", "acc-3"];

#[derive(Debug, Clone)]
struct Log {
    issue: usize,
    person: usize,
    started: i64,
    seconds: i64,
    /// Written in +05:45 instead of UTC.
    offset: bool,
}

fn logs() -> impl Strategy<Value = Vec<Log>> {
    prop::collection::vec(
        (
            0..4usize,
            0..3usize,
            0..60 * 86_400i64,
            0..30 * 3600i64,
            any::<bool>(),
        )
            .prop_map(|(issue, person, at, seconds, offset)| Log {
                issue,
                person,
                started: BASE + at,
                seconds,
                offset,
            }),
        1..40,
    )
}

fn stamp(seconds: i64, offset: bool) -> String {
    let t = Timestamp::from_second(seconds).unwrap();
    if offset {
        // The same instant as Kathmandu's clock shows it: 5 hours 45 minutes ahead.
        let z = t.to_zoned(jiff::tz::TimeZone::fixed(
            jiff::tz::Offset::from_seconds(5 * 3600 + 45 * 60).unwrap(),
        ));
        z.strftime("%Y-%m-%dT%H:%M:%S.000%z").to_string()
    } else {
        t.strftime("%Y-%m-%dT%H:%M:%S.000+0000").to_string()
    }
}

fn worklog(n: usize, l: &Log) -> Value {
    json!({"id": (n + 1).to_string(), "issueId": (100 + l.issue).to_string(),
           "author": {"accountId": PEOPLE[l.person], "displayName": PEOPLE[l.person]},
           "started": stamp(l.started, l.offset), "timeSpentSeconds": l.seconds})
}

/// A search page with each issue's worklogs in its field, complete.
fn dataset(logs: &[Log], order: &[usize]) -> Dataset {
    let issues: Vec<Value> = (0..4)
        .map(|i| {
            let mine: Vec<Value> = order
                .iter()
                .filter(|&&n| logs[n].issue == i)
                .map(|&n| worklog(n, &logs[n]))
                .collect();
            json!({"id": (100 + i).to_string(), "key": format!("DW-{}", i + 1),
                   "fields": {"created": "2026-01-01T00:00:00.000+0000",
                     "worklog": {"startAt": 0, "maxResults": 5000, "total": mine.len(), "worklogs": mine}}})
        })
        .collect();
    let mut data = Dataset::new();
    data.add_search_page(
        json!({"isLast": true, "issues": issues})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    data
}

fn timesheet(data: &Dataset, zone: &str, attribution: &str) -> Report {
    let config = config::parse_report(
        &json!({"schemaVersion": 1, "name": "p", "kind": {"type": "timesheet", "rows": "person",
            "columns": "day", "timeZone": zone, "attribution": attribution,
            "dates": {"type": "fixed", "from": "2026-02-25", "to": "2026-05-05"}},
            "aggregation": {"functions": []}})
        .to_string(),
    )
    .unwrap();
    let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    engine::compute(data, &config, &Context::new(now)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn every_person_gets_exactly_their_time_and_cells_add_up(
        logs in logs(), zone in 0..4usize, reversed in any::<bool>()
    ) {
        let order: Vec<usize> = (0..logs.len()).collect();
        let data = dataset(&logs, &order);
        for attribution in ["startDay", "splitByDay"] {
            let report = timesheet(&data, ZONES[zone], attribution);
            for row in &report.rows {
                let person = PEOPLE.iter().position(|p| *p == row.label).unwrap();
                let logged: i64 = logs.iter().filter(|l| l.person == person).map(|l| l.seconds).sum();
                let (cells, total) = row.values.split_at(row.values.len() - 1);
                let total = total[0].unwrap().as_f64();
                prop_assert_eq!(total, logged as f64, "{} {}", attribution, row.label);
                let sum: f64 = cells.iter().flatten().map(|v| v.as_f64()).sum();
                prop_assert_eq!(sum, total);
            }
            let people = logs.iter().map(|l| l.person).collect::<std::collections::HashSet<_>>();
            prop_assert_eq!(report.rows.len(), people.len());
        }
        // Another order of the worklogs in the issues' fields: the same report.
        let mut other: Vec<usize> = (0..logs.len()).collect();
        if reversed {
            other.reverse();
        } else {
            other.rotate_left(logs.len() / 2);
        }
        let again = dataset(&logs, &other);
        for attribution in ["startDay", "splitByDay"] {
            prop_assert_eq!(
                timesheet(&data, ZONES[zone], attribution),
                timesheet(&again, ZONES[zone], attribution)
            );
        }
    }
}
