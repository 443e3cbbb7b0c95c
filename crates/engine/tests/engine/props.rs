//! Properties from the issue: on a 24/7 calendar a row adds up to the issue's life; business
//! time never exceeds wall-clock time; shuffling histories or splitting them across pages
//! changes nothing.

use engine::{Context, Dataset, Report, RowKind};
use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};

const BASE: i64 = 1_780_272_000; // 2026-06-01T00:00:00Z
const STATUSES: [(&str, &str); 4] = [
    ("1", "To Do"),
    ("2", "In Progress"),
    ("3", "Done"),
    ("10001", "To Do"),
];

#[derive(Debug, Clone)]
struct Issue {
    created: i64,
    /// (seconds after created, may be negative; status index)
    changes: Vec<(i64, usize)>,
}

fn issues() -> impl Strategy<Value = Vec<Issue>> {
    let issue = (
        0i64..30 * 86_400,
        prop::collection::vec((-7_200i64..5 * 86_400, 0usize..4), 0..12),
    )
        .prop_map(|(created, mut changes)| {
            changes.sort_by_key(|c| c.0);
            Issue {
                created: BASE + created,
                changes,
            }
        });
    prop::collection::vec(issue, 1..6)
}

fn now() -> Timestamp {
    Timestamp::from_second(BASE + 40 * 86_400).unwrap()
}

fn history(issue: usize, k: usize, from: usize, to: usize, at: i64, millis: bool) -> Value {
    let created = if millis {
        json!(at * 1000)
    } else {
        json!(
            Timestamp::from_second(at)
                .unwrap()
                .strftime("%Y-%m-%dT%H:%M:%S.000+0000")
                .to_string()
        )
    };
    json!({
        "id": format!("{}", issue * 100 + k + 1),
        "created": created,
        "items": [{"field": "status", "fieldId": "status",
                   "from": STATUSES[from].0, "fromString": STATUSES[from].1,
                   "to": STATUSES[to].0, "toString": STATUSES[to].1}]
    })
}

/// The search page and one bulk changelog entry per issue (histories oldest first).
fn pages(issues: &[Issue]) -> (Value, Vec<(String, Vec<Value>)>) {
    let mut search = Vec::new();
    let mut logs = Vec::new();
    for (i, issue) in issues.iter().enumerate() {
        let mut status = 0;
        let mut histories = Vec::new();
        for (k, &(offset, to)) in issue.changes.iter().enumerate() {
            histories.push(history(
                i,
                k,
                status,
                to,
                issue.created + offset,
                k % 2 == 0,
            ));
            status = to;
        }
        search.push(
            json!({"id": format!("{}", 5000 + i), "key": format!("P-{}", i + 1),
            "fields": {"created": Timestamp::from_second(issue.created).unwrap().to_string(),
                       "status": {"id": STATUSES[status].0, "name": STATUSES[status].1}}}),
        );
        logs.push((format!("{}", 5000 + i), histories));
    }
    (json!({"isLast": true, "issues": search}), logs)
}

fn load(search: &Value, bulk: &[Value]) -> Dataset {
    let mut data = Dataset::new();
    data.add_json(&serde_json::to_vec(search).unwrap()).unwrap();
    for page in bulk {
        data.add_json(&serde_json::to_vec(page).unwrap()).unwrap();
    }
    data.assume_bulk_changelogs_complete();
    data
}

fn report(data: &Dataset, calendar: Option<config::WorkCalendar>) -> Report {
    let mut config = config::ReportConfig::time_in_status("p", config::Jql::default());
    if let Some(c) = calendar {
        config.calendar = config::CalendarRef::Inline {
            calendar: Box::new(c),
        };
    }
    engine::compute(data, &config, &Context::new(now())).unwrap()
}

/// A tiny deterministic generator for shuffles and cut points.
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn rows_add_up_to_life_on_a_24_7_calendar(issues in issues()) {
        let (search, logs) = pages(&issues);
        let bulk = json!({"issueChangeLogs": logs.iter().map(|(id, h)| json!({"issueId": id, "changeHistories": h})).collect::<Vec<_>>()});
        let data = load(&search, &[bulk]);
        let r = report(&data, None);
        let rows: Vec<_> = r.rows.iter().filter(|r| r.kind == RowKind::Issue).collect();
        prop_assert_eq!(rows.len(), issues.len());
        for row in rows {
            let i: usize = row.label.trim_start_matches("P-").parse::<usize>().unwrap() - 1;
            let life = now().as_second() - issues[i].created;
            let sum: i64 = row.values.iter().flatten().map(|v| v.as_f64() as i64).sum();
            prop_assert_eq!(sum, life, "row {}", row.label);
            prop_assert!(row.values.iter().flatten().all(|v| v.as_f64() >= 0.0));
        }
    }

    #[test]
    fn business_time_never_exceeds_wall_clock(issues in issues()) {
        let (search, logs) = pages(&issues);
        let bulk = json!({"issueChangeLogs": logs.iter().map(|(id, h)| json!({"issueId": id, "changeHistories": h})).collect::<Vec<_>>()});
        let data = load(&search, &[bulk]);
        let wall = report(&data, None);
        let office = report(&data, Some(config::WorkCalendar::office_hours("o", "America/New_York")));
        prop_assert_eq!(&wall.columns, &office.columns);
        for (w, b) in wall.rows.iter().zip(&office.rows) {
            for (x, y) in w.values.iter().zip(&b.values) {
                prop_assert_eq!(x.is_some(), y.is_some());
                if let (Some(x), Some(y)) = (x, y) {
                    prop_assert!(y.as_f64() <= x.as_f64(), "{} business {:?} > wall {:?}", w.label, y, x);
                }
            }
        }
    }

    #[test]
    fn shuffled_and_split_histories_give_the_same_report(issues in issues(), seed in any::<u64>()) {
        let (search, logs) = pages(&issues);
        let whole = json!({"issueChangeLogs": logs.iter().map(|(id, h)| json!({"issueId": id, "changeHistories": h})).collect::<Vec<_>>()});
        let expected = report(&load(&search, &[whole]), None);

        // Every history as (issue, history), shuffled, then cut into pages at random points;
        // one issue's histories land on several pages, in any order.
        let mut seed = seed;
        let mut flat: Vec<(String, Value)> = logs
            .iter()
            .flat_map(|(id, hs)| hs.iter().map(move |h| (id.clone(), h.clone())))
            .collect();
        for i in (1..flat.len()).rev() {
            let j = (next(&mut seed) % (i as u64 + 1)) as usize;
            flat.swap(i, j);
        }
        let mut bulk = Vec::new();
        let mut rest = flat.as_slice();
        while !rest.is_empty() {
            let take = 1 + (next(&mut seed) % 4) as usize;
            let (page, tail) = rest.split_at(take.min(rest.len()));
            rest = tail;
            let entries: Vec<Value> = page
                .iter()
                .map(|(id, h)| json!({"issueId": id, "changeHistories": [h]}))
                .collect();
            let mut p = json!({"issueChangeLogs": entries});
            if !rest.is_empty() {
                p["nextPageToken"] = json!("more");
            }
            bulk.push(p);
        }
        if bulk.is_empty() {
            bulk.push(json!({"issueChangeLogs": []}));
        }
        // The same history seen twice (a page fetched again) counts once.
        if let Some(first) = bulk.first().cloned() {
            bulk.push(first);
        }
        let got = report(&load(&search, &bulk), None);
        prop_assert_eq!(got, expected);
    }
}
