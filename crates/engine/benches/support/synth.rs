//! A synthetic Jira Cloud dump for benchmarks and the interim demo: search pages with fields,
//! bulk changelog pages (one issue's histories split across pages, `created` as text or epoch
//! millis, an author on every history, as Jira sends) and a `/status` list.
//!
//! Deterministic from a seed. Lives with the benches, not in the engine library: nothing a
//! browser downloads carries it.

use std::fmt::Write as _;

/// Statuses of the synthetic workflow: (id, name, category key).
pub const STATUSES: [(&str, &str, &str); 6] = [
    ("10000", "To Do", "new"),
    ("3", "In Progress", "indeterminate"),
    ("10001", "Review", "indeterminate"),
    ("10002", "QA", "indeterminate"),
    ("10003", "Blocked", "indeterminate"),
    ("10004", "Done", "done"),
];

const PEOPLE: [(&str, &str); 6] = [
    ("acc-001", "Ada Lovelace"),
    ("acc-002", "Grace Hopper"),
    ("acc-003", "Edsger Dijkstra"),
    ("acc-004", "Barbara Liskov"),
    ("acc-005", "Donald Knuth"),
    ("acc-006", "Frances Allen"),
];

const TYPES: [&str; 3] = ["Story", "Bug", "Task"];
const PRIORITIES: [&str; 4] = ["Highest", "High", "Medium", "Low"];

/// 2025-01-01T00:00:00Z.
const START: i64 = 1_735_689_600;

/// A small deterministic generator (PCG-style LCG); no dependency needed for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One generated file: its name and its bytes.
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The instant all generated data is before, for reports over it: 2026-06-01T00:00:00Z.
pub const NOW: &str = "2026-06-01T00:00:00Z";

fn stamp(seconds: i64) -> String {
    // Days to civil date (Howard Hinnant), enough for generated data.
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000+0000",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Generates `issues` issues with about `changes` status changes each.
pub fn dataset(issues: usize, changes: usize, seed: u64) -> Vec<File> {
    let mut rng = Rng::new(seed);
    let mut files = Vec::new();
    let mut status_list = String::from("[");
    for (i, (id, name, cat)) in STATUSES.iter().enumerate() {
        if i > 0 {
            status_list.push(',');
        }
        let _ = write!(
            status_list,
            r#"{{"id":"{id}","name":"{name}","description":"","statusCategory":{{"key":"{cat}","name":"{cat}"}}}}"#
        );
    }
    status_list.push(']');
    files.push(File {
        name: "status.json".into(),
        bytes: status_list.into_bytes(),
    });

    const SEARCH_PAGE: usize = 1000;
    const HISTORIES_PER_BULK_PAGE: usize = 10_000;
    let mut search = String::new();
    let mut search_count = 0;
    let mut search_pages = 0;
    let mut bulk = String::new();
    let mut bulk_histories = 0;
    let mut bulk_pages = 0;
    let mut bulk_open_issue = false;
    let mut history_id: u64 = 100_000;

    let flush_search =
        |search: &mut String, pages: &mut usize, last: bool, files: &mut Vec<File>| {
            *pages += 1;
            let token = if last {
                r#""isLast":true"#.to_owned()
            } else {
                format!(r#""isLast":false,"nextPageToken":"page-{}""#, *pages + 1)
            };
            files.push(File {
                name: format!("search-{:05}.json", *pages),
                bytes: format!(r#"{{"issues":[{search}],{token}}}"#).into_bytes(),
            });
            search.clear();
        };

    for n in 0..issues {
        let id = 10_000 + n;
        let key = format!("DW-{}", n + 1);
        let created = START + rng.below(480 * 86_400) as i64;
        let k = if changes == 0 {
            0
        } else {
            changes / 2 + rng.below(changes as u64 + 1) as usize
        };
        // Walk the workflow: mostly forward, sometimes blocked or sent back.
        let mut t = created;
        let mut status = 0usize;
        let mut assignee = rng.below(PEOPLE.len() as u64) as usize;
        let mut histories = Vec::with_capacity(k);
        for _ in 0..k {
            t += 600 + rng.below(3 * 86_400) as i64;
            // 0 To Do -> 1 In Progress -> 2 Review -> 3 QA -> 5 Done; 4 Blocked; Done reopens.
            let next = match (status, rng.below(10)) {
                (5, _) | (4, _) => 1,
                (_, 0) => 4,
                (s, 1) if s > 1 => s - 1,
                (3, _) => 5,
                (s, _) => s + 1,
            };
            let reassign = rng.below(5) == 0;
            histories.push((
                t,
                status,
                next,
                reassign.then(|| (assignee, (assignee + 1) % PEOPLE.len())),
            ));
            if reassign {
                assignee = (assignee + 1) % PEOPLE.len();
            }
            status = next;
        }
        let (sid, sname, scat) = STATUSES[status];
        let (aid, aname) = PEOPLE[assignee];
        if search_count > 0 {
            search.push(',');
        }
        let _ = write!(
            search,
            r#"{{"expand":"","id":"{id}","self":"https://sim.example/rest/api/3/issue/{id}","key":"{key}","fields":{{"created":"{}","updated":"{}","status":{{"id":"{sid}","name":"{sname}","statusCategory":{{"key":"{scat}"}}}},"issuetype":{{"id":"1","name":"{}"}},"priority":{{"id":"2","name":"{}"}},"assignee":{{"accountId":"{aid}","displayName":"{aname}","active":true}},"summary":"Generated issue {}"}}}}"#,
            stamp(created),
            stamp(t),
            TYPES[rng.below(3) as usize],
            PRIORITIES[rng.below(4) as usize],
            n + 1
        );
        search_count += 1;
        if search_count == SEARCH_PAGE {
            flush_search(&mut search, &mut search_pages, n + 1 == issues, &mut files);
            search_count = 0;
        }

        for (h, (at, from, to, reassign)) in histories.into_iter().enumerate() {
            if !bulk_open_issue {
                if bulk.is_empty() {
                    bulk.push_str(r#"{"issueChangeLogs":["#);
                } else {
                    bulk.push(',');
                }
                let _ = write!(bulk, r#"{{"issueId":"{id}","changeHistories":["#);
                bulk_open_issue = true;
            } else {
                bulk.push(',');
            }
            history_id += 1;
            let created = if h % 2 == 0 {
                format!("\"{}\"", stamp(at))
            } else {
                format!("{}", at * 1000)
            };
            let (fid, fname, _) = STATUSES[from];
            let (tid, tname, _) = STATUSES[to];
            let (auth_id, auth_name) = PEOPLE[(at as usize) % PEOPLE.len()];
            let _ = write!(
                bulk,
                r#"{{"id":"{history_id}","author":{{"accountId":"{auth_id}","displayName":"{auth_name}","active":true}},"created":{created},"items":[{{"field":"status","fieldtype":"jira","fieldId":"status","from":"{fid}","fromString":"{fname}","to":"{tid}","toString":"{tname}"}}"#
            );
            if let Some((a, b)) = reassign {
                let _ = write!(
                    bulk,
                    r#",{{"field":"assignee","fieldtype":"jira","fieldId":"assignee","from":"{}","fromString":"{}","to":"{}","toString":"{}"}}"#,
                    PEOPLE[a].0, PEOPLE[a].1, PEOPLE[b].0, PEOPLE[b].1
                );
            }
            bulk.push_str("]}");
            bulk_histories += 1;
            if bulk_histories == HISTORIES_PER_BULK_PAGE {
                bulk_pages += 1;
                let _ = write!(bulk, r#"]}}],"nextPageToken":"bulk-{}"}}"#, bulk_pages + 1);
                files.push(File {
                    name: format!("changelog-{bulk_pages:05}.json"),
                    bytes: std::mem::take(&mut bulk).into_bytes(),
                });
                bulk_histories = 0;
                bulk_open_issue = false;
            }
        }
        if bulk_open_issue {
            bulk.push_str("]}");
            bulk_open_issue = false;
        }
    }
    if search_count > 0 || search_pages == 0 {
        flush_search(&mut search, &mut search_pages, true, &mut files);
    }
    bulk_pages += 1;
    if bulk.is_empty() {
        bulk.push_str(r#"{"issueChangeLogs":["#);
    }
    bulk.push_str("]}");
    files.push(File {
        name: format!("changelog-{bulk_pages:05}.json"),
        bytes: bulk.into_bytes(),
    });
    files
}

/// Generates `issues` issues with `worklogs` worklogs in all, spread unevenly (0 to twice the
/// mean per issue), as a timesheet run reads them: search pages whose `worklog` field holds the
/// first 20 of each issue with its `total`, and one full `/issue/{id}/worklog` page for each
/// issue with more (repeating those 20, which count once). Worklogs start between 2025-01-01
/// and 2026-05-31 at any minute, in +05:45 for a third of them, and last 5 minutes to 8 hours.
pub fn worklog_dataset(issues: usize, worklogs: usize, seed: u64) -> Vec<File> {
    const SEARCH_PAGE: usize = 100;
    const EMBEDDED: usize = 20;
    let mut rng = Rng::new(seed);
    let mean = worklogs / issues.max(1);
    let mut left = worklogs;
    let mut files = Vec::new();
    let mut search = String::new();
    let mut on_page = 0;
    let mut pages = 0;
    let mut worklog_id: u64 = 1_000_000;
    for n in 0..issues {
        let id = 10_000 + n;
        let count = if n + 1 == issues {
            left
        } else {
            (rng.below(2 * mean as u64 + 1) as usize).min(left)
        };
        left -= count;
        let mut all = Vec::with_capacity(count);
        for _ in 0..count {
            worklog_id += 1;
            let (aid, aname) = PEOPLE[rng.below(PEOPLE.len() as u64) as usize];
            let at = START + 60 * rng.below(516 * 24 * 60) as i64;
            let started = if worklog_id.is_multiple_of(3) {
                // The same instant written in +05:45.
                stamp(at + 5 * 3600 + 45 * 60).replace("+0000", "+0545")
            } else {
                stamp(at)
            };
            let spent = 300 * (1 + rng.below(96));
            all.push(format!(
                r#"{{"self":"https://sim.example/rest/api/3/issue/{id}/worklog/{worklog_id}","author":{{"accountId":"{aid}","displayName":"{aname}","active":true}},"updateAuthor":{{"accountId":"{aid}","displayName":"{aname}","active":true}},"comment":{{"type":"doc","version":1,"content":[{{"type":"paragraph","content":[{{"type":"text","text":"Worked on DW-{}"}}]}}]}},"created":"{started}","updated":"{started}","started":"{started}","timeSpent":"{}m","timeSpentSeconds":{spent},"id":"{worklog_id}","issueId":"{id}"}}"#,
                n + 1,
                spent / 60
            ));
        }
        if on_page > 0 {
            search.push(',');
        }
        let _ = write!(
            search,
            r#"{{"id":"{id}","key":"DW-{}","fields":{{"created":"{}","status":{{"id":"3","name":"In Progress","statusCategory":{{"key":"indeterminate"}}}},"project":{{"key":"DW","name":"Dwell"}},"worklog":{{"startAt":0,"maxResults":{EMBEDDED},"total":{count},"worklogs":[{}]}}}}}}"#,
            n + 1,
            stamp(START - 86_400),
            all[..count.min(EMBEDDED)].join(",")
        );
        on_page += 1;
        if count > EMBEDDED {
            files.push(File {
                name: format!("worklog-{id}.json"),
                bytes: format!(
                    r#"{{"startAt":0,"maxResults":5000,"total":{count},"worklogs":[{}]}}"#,
                    all.join(",")
                )
                .into_bytes(),
            });
        }
        if on_page == SEARCH_PAGE || n + 1 == issues {
            pages += 1;
            files.push(File {
                name: format!("search-{pages:05}.json"),
                bytes: format!(r#"{{"issues":[{search}],"isLast":{}}}"#, n + 1 == issues)
                    .into_bytes(),
            });
            search.clear();
            on_page = 0;
        }
    }
    files
}
