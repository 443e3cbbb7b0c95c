//! Paging invariants: every issue exactly once at any page size, page tokens bound to their
//! query, Data Center's window, and changelogs that reassemble exactly however they are paged.

use std::collections::{BTreeMap, HashSet};

use jira_sim::{Flavor, RunningSim};
use serde_json::{Value, json};

use crate::support::*;

const N: usize = 700;

/// Pages through `search/jql`, asking for `sizes[i % len]` on page i; returns the issue ids.
fn search_all(sim: &RunningSim, jql: &str, fields: &[&str], sizes: &[usize]) -> Vec<String> {
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    for page in 0.. {
        let mut body =
            json!({"jql": jql, "fields": fields, "maxResults": sizes[page % sizes.len()]});
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let r = post(sim, "/rest/api/3/search/jql", &body);
        assert_eq!(r.status, 200, "{}", r.text);
        let issues = r.json["issues"].as_array().unwrap();
        ids.extend(issues.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        let is_last = r.json["isLast"].as_bool().unwrap();
        assert_eq!(
            is_last,
            r.json.get("nextPageToken").is_none(),
            "isLast and nextPageToken agree"
        );
        if is_last {
            return ids;
        }
        assert!(!issues.is_empty(), "a page before the last is not empty");
        token = Some(r.json["nextPageToken"].as_str().unwrap().to_string());
        assert!(page < 10_000, "paging does not end");
    }
    unreachable!()
}

fn assert_each_once(ids: &[String], n: usize, what: &str) {
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{what}: an issue came twice");
    assert_eq!(ids.len(), n, "{what}: every issue once");
}

#[test]
fn enhanced_search_returns_every_issue_once_at_any_page_size() {
    let sim = sim(N, Flavor::Cloud);
    for sizes in [&[1usize][..], &[7], &[50, 3, 99], &[100], &[5000]] {
        let ids = search_all(
            &sim,
            "created <= now() ORDER BY updated DESC",
            &["id"],
            sizes,
        );
        assert_each_once(&ids, N, &format!("ids, sizes {sizes:?}"));
    }
    let ids = search_all(
        &sim,
        "project != MOB OR project = MOB",
        &["summary", "status"],
        &[5000],
    );
    assert_each_once(&ids, N, "with fields, asking for 5000 a page");
}

#[test]
fn page_size_shrinks_with_fields_as_on_cloud() {
    let sim = sim(N, Flavor::Cloud);
    let count = |fields: Value, expand: &str| {
        let r = post(
            &sim,
            "/rest/api/3/search/jql",
            &json!({"jql": "created <= now()", "fields": fields, "expand": expand, "maxResults": 5000}),
        );
        r.json["issues"].as_array().unwrap().len()
    };
    assert_eq!(count(json!(["id"]), ""), N);
    assert_eq!(count(json!(["key"]), ""), N);
    assert_eq!(count(json!(["summary"]), ""), 100);
    assert_eq!(count(json!(["*all"]), ""), 50);
    assert_eq!(count(json!(["id"]), "changelog"), 50);
    let r = post(
        &sim,
        "/rest/api/3/search/jql",
        &json!({"jql": "created <= now()", "maxResults": 5001}),
    );
    assert_eq!(r.status, 400);
    // Default fields: ids only.
    let r = get(
        &sim,
        "/rest/api/3/search/jql?jql=project%3DPLAT&maxResults=1",
    );
    assert_eq!(
        r.json["issues"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["id"]
    );
}

#[test]
fn page_tokens_are_bound_to_their_query() {
    let sim = sim(N, Flavor::Cloud);
    let r = get(
        &sim,
        "/rest/api/3/search/jql?jql=project%3DPLAT&maxResults=2",
    );
    let token = r.json["nextPageToken"].as_str().unwrap().to_string();
    let other = get(
        &sim,
        &format!("/rest/api/3/search/jql?jql=project%3DWEB&nextPageToken={token}"),
    );
    assert_eq!(other.status, 400, "{}", other.text);
    let forged = get(
        &sim,
        "/rest/api/3/search/jql?jql=project%3DPLAT&nextPageToken=bm9wZQ",
    );
    assert_eq!(forged.status, 400);
    assert!(
        forged.errors()[0].contains("next page token"),
        "{:?}",
        forged.errors()
    );
    let same = get(
        &sim,
        &format!("/rest/api/3/search/jql?jql=project%3DPLAT&nextPageToken={token}&maxResults=2"),
    );
    assert_eq!(same.status, 200);
}

#[test]
fn data_center_search_pages_by_start_at_with_a_stable_total() {
    let sim = sim(N, Flavor::Dc);
    for size in [1usize, 33, 1000, 5000] {
        let mut ids = Vec::new();
        let mut start = 0;
        loop {
            let r = get(
                &sim,
                &format!(
                    "/rest/api/2/search?jql={}&startAt={start}&maxResults={size}&fields=key",
                    enc("ORDER BY created DESC")
                ),
            );
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.json["total"], N);
            assert_eq!(r.json["startAt"], start);
            assert!(
                r.json["maxResults"].as_u64().unwrap() <= 1000,
                "Data Center caps pages at 1000"
            );
            let issues = r.json["issues"].as_array().unwrap();
            ids.extend(issues.iter().map(|i| i["id"].as_str().unwrap().to_string()));
            start += issues.len();
            if issues.is_empty() || start >= N {
                break;
            }
        }
        assert_each_once(&ids, N, &format!("Data Center, {size} a page"));
    }
    let r = get(&sim, "/rest/api/2/search?startAt=10000");
    assert_eq!(r.status, 400);
    assert!(r.errors()[0].contains("10000"), "{:?}", r.errors());
    // Cloud-only resources do not exist on Data Center.
    assert_eq!(
        get(&sim, "/rest/api/2/search/jql?jql=project%3DPLAT").status,
        404
    );
    assert_eq!(get(&sim, "/rest/api/3/myself").status, 404);
}

#[test]
fn cloud_refuses_the_removed_search() {
    let sim = sim(20, Flavor::Cloud);
    let r = get(&sim, "/rest/api/3/search?jql=project%3DPLAT");
    assert_eq!(r.status, 410);
    assert!(r.errors()[0].contains("/rest/api/3/search/jql"));
}

/// Every history of one issue through its changelog pages, oldest first.
fn issue_changelog(sim: &RunningSim, id: &str, page: usize) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let r = get(
            sim,
            &format!(
                "/rest/api/3/issue/{id}/changelog?startAt={}&maxResults={page}",
                out.len()
            ),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let values = r.json["values"].as_array().unwrap();
        out.extend(values.iter().cloned());
        if r.json["isLast"].as_bool().unwrap() {
            assert_eq!(r.json["total"].as_u64().unwrap() as usize, out.len());
            return out;
        }
        assert!(!values.is_empty());
    }
}

fn created(h: &Value) -> &str {
    h["created"].as_str().unwrap()
}

#[test]
fn bulk_changelogs_reassemble_exactly() {
    let sim = sim(N, Flavor::Cloud);
    let ids: Vec<String> = sim.data.issues.iter().map(|i| i.id.to_string()).collect();
    for (batch, page) in [(1000usize, 37usize), (300, 1000), (1, 2)] {
        let mut by_issue: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut spanning = 0;
        for chunk in ids
            .chunks(batch)
            .take(if batch == 1 { 25 } else { usize::MAX })
        {
            let mut token: Option<String> = None;
            let mut last_page_issues: HashSet<String> = HashSet::new();
            loop {
                let mut body = json!({"issueIdsOrKeys": chunk, "maxResults": page});
                if let Some(t) = &token {
                    body["nextPageToken"] = json!(t);
                }
                let r = post(&sim, "/rest/api/3/changelog/bulkfetch", &body);
                assert_eq!(r.status, 200, "{}", r.text);
                let (ids, count) = read_bulk_changelog_page(&r.json, &mut by_issue);
                spanning += ids
                    .iter()
                    .filter(|id| last_page_issues.contains(*id))
                    .count();
                assert!(count <= page, "a page holds at most maxResults histories");
                last_page_issues = ids.into_iter().collect();
                match r.json["nextPageToken"].as_str() {
                    Some(t) => token = Some(t.to_string()),
                    None => break,
                }
            }
        }
        if batch == 1000 {
            assert!(
                spanning > 0,
                "some issue's histories continue on the next page"
            );
        }
        // Each issue's histories, in the order they came, equal its own changelog exactly.
        let checked: Vec<&String> = by_issue.keys().take(60).collect();
        for id in checked {
            let expected = issue_changelog(&sim, id, 17);
            let got = &by_issue[id];
            assert_eq!(got, &expected, "issue {id} (batch {batch}, page {page})");
            assert!(
                got.windows(2).all(|w| created(&w[0]) <= created(&w[1])),
                "oldest first"
            );
        }
        if batch != 1 {
            let total: usize = by_issue.values().map(Vec::len).sum();
            assert_eq!(total, sim.data.histories.len(), "every history once");
        }
    }
}

#[test]
fn bulk_changelog_field_filter_keeps_only_those_items() {
    let sim = sim(N, Flavor::Cloud);
    let ids: Vec<String> = sim
        .data
        .issues
        .iter()
        .take(200)
        .map(|i| i.id.to_string())
        .collect();
    let r = post(
        &sim,
        "/rest/api/3/changelog/bulkfetch",
        &json!({"issueIdsOrKeys": ids, "fieldIds": ["status"], "maxResults": 10000}),
    );
    assert_eq!(r.status, 200);
    let mut n = 0;
    for log in r.json["issueChangeLogs"].as_array().unwrap() {
        let full = issue_changelog(&sim, log["issueId"].as_str().unwrap(), 100);
        let expected: Vec<&Value> = full
            .iter()
            .filter(|h| {
                h["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["field"] == "status")
            })
            .collect();
        let got = log["changeHistories"].as_array().unwrap();
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(expected) {
            assert_eq!(g["id"], e["id"]);
            assert!(
                g["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|i| i["field"] == "status")
            );
            n += 1;
        }
    }
    assert!(n > 200);
    for bad in [
        json!({"issueIdsOrKeys": []}),
        json!({"issueIdsOrKeys": ["1"], "maxResults": 10001}),
        json!({"issueIdsOrKeys": ["1"], "fieldIds": ["a","b","c","d","e","f","g","h","i","j","k"]}),
        json!({"issueIdsOrKeys": vec!["1"; 1001]}),
    ] {
        assert_eq!(
            post(&sim, "/rest/api/3/changelog/bulkfetch", &bad).status,
            400,
            "{bad}"
        );
    }
}

#[test]
fn embedded_changelogs_are_the_newest_forty_newest_first() {
    let sim = sim(N, Flavor::Cloud);
    let heavy = sim.data.issues.iter().max_by_key(|i| i.histories).unwrap();
    assert!(
        heavy.histories > 40,
        "the data set has an issue with more than 40 histories"
    );
    let r = post(
        &sim,
        "/rest/api/3/search/jql",
        &json!({"jql": format!("key = {}", sim.data.key(heavy)), "fields": ["status"], "expand": "changelog"}),
    );
    let cl = &r.json["issues"][0]["changelog"];
    let full = issue_changelog(&sim, &heavy.id.to_string(), 100);
    assert_eq!(cl["total"].as_u64().unwrap() as usize, full.len());
    let embedded = cl["histories"].as_array().unwrap();
    assert_eq!(embedded.len(), 40);
    let newest: Vec<Value> = full.iter().rev().take(40).cloned().collect();
    assert_eq!(embedded, &newest);
    // Data Center's search gives every history, oldest first.
    let dc = sim_with(
        N,
        jira_sim::SimConfig {
            flavor: Flavor::Dc,
            ..Default::default()
        },
    );
    let r = get(
        &dc,
        &format!(
            "/rest/api/2/search?jql=key%3D{}&expand=changelog",
            sim.data.key(heavy)
        ),
    );
    let hs = r.json["issues"][0]["changelog"]["histories"]
        .as_array()
        .unwrap();
    assert_eq!(hs.len(), full.len());
    let ids: Vec<&Value> = hs.iter().map(|h| &h["id"]).collect();
    let expected: Vec<&Value> = full.iter().map(|h| &h["id"]).collect();
    assert_eq!(ids, expected);
}

#[test]
fn issue_bulk_fetch_keeps_request_order_and_skips_unknown_issues() {
    let sim = sim(N, Flavor::Cloud);
    let keys = [
        sim.data.key(&sim.data.issues[5]),
        "10002".to_string(),
        "NOPE-9".to_string(),
        sim.data.key(&sim.data.issues[5]),
    ];
    let r = post(
        &sim,
        "/rest/api/3/issue/bulkfetch",
        &json!({"issueIdsOrKeys": keys, "fields": ["status"]}),
    );
    assert_eq!(r.status, 200);
    let got: Vec<&str> = r.json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        vec![sim.data.issues[5].id.to_string().as_str(), "10002"]
    );
    let too_many: Vec<String> = (0..101).map(|i| (10_000 + i).to_string()).collect();
    assert_eq!(
        post(
            &sim,
            "/rest/api/3/issue/bulkfetch",
            &json!({"issueIdsOrKeys": too_many})
        )
        .status,
        400
    );
}

/// Past Data Center's result window a client pages by keyset: `id > last ORDER BY id`. Every
/// issue comes once, in numeric id order across projects (key order differs there), and
/// `issuekey` comparisons stay inside the key's project as in Jira.
#[test]
fn data_center_keyset_paging_reads_past_the_result_window() {
    let n = 12_000;
    let sim = sim(n, Flavor::Dc);
    let mut ids: Vec<String> = Vec::new();
    let mut last: Option<u64> = None;
    loop {
        let jql = match last {
            Some(id) => format!("id > {id} ORDER BY id"),
            None => "ORDER BY id".to_string(),
        };
        let r = post(
            &sim,
            "/rest/api/2/search",
            &serde_json::json!({"jql": jql, "maxResults": 1000, "fields": ["key"]}),
        );
        assert_eq!(r.status, 200, "{jql}: {}", r.text);
        let page: Vec<u64> = r.json["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(
            page.windows(2).all(|w| w[0] < w[1]),
            "ORDER BY id is numeric"
        );
        let Some(&tail) = page.last() else { break };
        if let Some(before) = last {
            assert!(page[0] > before, "the keyset bound holds");
        }
        ids.extend(page.iter().map(u64::to_string));
        last = Some(tail);
    }
    assert_each_once(&ids, n, "keyset pages");

    // Ranges: `id >= a AND id <= b` holds exactly the ids in between.
    let lo: u64 = ids[100].parse().unwrap();
    let hi: u64 = ids[199].parse().unwrap();
    let r = post(
        &sim,
        "/rest/api/2/search",
        &serde_json::json!({"jql": format!("id >= {lo} AND id <= {hi}"), "maxResults": 1, "fields": ["key"]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["total"], 100);

    // `issuekey < KEY-3` is the key's project's issues numbered 1 and 2.
    let first = get(
        &sim,
        "/rest/api/2/search?jql=ORDER%20BY%20key&maxResults=1&fields=key",
    );
    let key = first.json["issues"][0]["key"].as_str().unwrap().to_string();
    let project = key.rsplit_once('-').unwrap().0.to_string();
    let r = get(
        &sim,
        &format!(
            "/rest/api/2/search?jql={}&maxResults=50&fields=key",
            enc(&format!("issuekey < {project}-3"))
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let keys: Vec<&str> = r.json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, [format!("{project}-1"), format!("{project}-2")]);
    let r = get(
        &sim,
        &format!("/rest/api/2/search?jql={}", enc("id > BOGUS-1")),
    );
    assert_eq!(r.status, 400);
}
