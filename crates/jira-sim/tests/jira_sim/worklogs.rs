//! Worklogs over real HTTP: the per-issue pages with their paging and started window, the
//! updated feed and the bulk list with Jira's limits, the `worklog` field of search and bulk
//! fetch, visibility by the documented memberships, both flavours, and the generated data's
//! promises (several authors, hundreds on some issues, offsets, midnight, DST).

use std::collections::{BTreeSet, HashSet};

use jira_sim::data::worklog::{Restriction, Role, Worklog};
use jira_sim::{DataSpec, Dataset, Flavor, RunningSim, SimConfig};
use serde_json::{Value, json};

use crate::support::*;

const N: usize = 300;

/// Who may see `w`, as the documentation of `Restriction` says, written again here.
fn may_see(data: &Dataset, w: &Worklog, login: &str) -> bool {
    let u = data.site.user_by_login(login).unwrap() as u8;
    let user = &data.site.users[usize::from(u)];
    let project = &data.site.projects[usize::from(data.issues[w.issue as usize].project)];
    match w.restriction {
        None => true,
        Some(Restriction::Group(g)) => user.groups.contains(&jira_sim::site::GROUPS[g as usize]),
        Some(Restriction::Role(Role::Developers)) => project.team.contains(&u),
        Some(Restriction::Role(Role::Administrators)) => {
            project.lead == u || user.groups.contains(&"jira-administrators")
        }
    }
}

fn auth(sim: &RunningSim, login: &str) -> String {
    sim.basic_auth(login)
}

fn post_as(sim: &RunningSim, path: &str, login: &str, body: &Value) -> Res {
    post_with(sim, path, &auth(sim, login), body)
}

/// The issue with the most worklogs.
fn heaviest(data: &Dataset) -> usize {
    (0..data.issues.len())
        .max_by_key(|&i| data.worklogs.of(i).len())
        .unwrap()
}

fn parse_time(s: &str) -> jiff::Zoned {
    let ts = jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", s)
        .and_then(|t| t.to_timestamp())
        .unwrap_or_else(|e| panic!("{s}: {e}"));
    let offset = &s[s.len() - 5..];
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let h: i32 = offset[1..3].parse().unwrap();
    let m: i32 = offset[3..5].parse().unwrap();
    let tz = jiff::tz::TimeZone::fixed(
        jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).unwrap(),
    );
    ts.to_zoned(tz)
}

/// Every worklog `login` may see, through the feed and the bulk list.
fn all_through_feed(sim: &RunningSim, api: u8, login: &str) -> Vec<Value> {
    let mut ids = Vec::new();
    let mut since = 0i64;
    let mut last_time = i64::MIN;
    for page in 0.. {
        let r = get_as(
            sim,
            &format!("/rest/api/{api}/worklog/updated?since={since}"),
            &auth(sim, login),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        if api == 3 {
            assert_conforms(
                "worklog/updated",
                &response_schema("get", "/rest/api/3/worklog/updated"),
                &r.json,
            );
        }
        let values = r.json["values"].as_array().unwrap();
        assert!(values.len() <= 1000, "at most 1000 a page");
        for v in values {
            let t = v["updatedTime"].as_i64().unwrap();
            assert!(t > last_time, "oldest first, each once");
            last_time = t;
            ids.push(v["worklogId"].as_i64().unwrap());
        }
        let last = r.json["lastPage"].as_bool().unwrap();
        assert_eq!(last, r.json.get("nextPage").is_none());
        if last {
            break;
        }
        assert_eq!(values.len(), 1000, "a page before the last is full");
        let next = r.json["nextPage"].as_str().unwrap();
        let until = r.json["until"].as_i64().unwrap();
        assert!(
            next.ends_with(&format!("worklog/updated?since={until}")),
            "{next}"
        );
        since = until;
        assert!(page < 10_000, "the feed ends");
    }
    let mut out = Vec::new();
    for chunk in ids.chunks(1000) {
        let r = post_as(
            sim,
            &format!("/rest/api/{api}/worklog/list"),
            login,
            &json!({ "ids": chunk }),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let got = r.json.as_array().unwrap();
        assert_eq!(
            got.len(),
            chunk.len(),
            "the list returns every id asked for"
        );
        out.extend(got.iter().cloned());
    }
    out
}

#[test]
fn the_data_has_what_timesheets_need() {
    let sim = sim(N, Flavor::Cloud);
    let data = &sim.data;
    let wl = &data.worklogs;
    assert!(wl.all.len() > 3 * N, "{} worklogs", wl.all.len());
    assert!(
        wl.of(heaviest(data)).len() >= 150,
        "some issue has hundreds"
    );
    let multi_author = (0..data.issues.len())
        .filter(|&i| {
            let authors: HashSet<u8> = wl.of(i).iter().map(|w| w.author).collect();
            authors.len() >= 3
        })
        .count();
    assert!(
        multi_author > 20,
        "several authors per issue: {multi_author}"
    );
    assert!(
        wl.all
            .iter()
            .any(|w| matches!(w.restriction, Some(Restriction::Group(_))))
    );
    assert!(
        wl.all
            .iter()
            .any(|w| matches!(w.restriction, Some(Restriction::Role(_))))
    );
    assert!(wl.all.iter().any(|w| w.comment.is_none()));
    // Same seed, same worklogs.
    let again = Dataset::generate(spec(N));
    assert_eq!(again.worklogs.all.len(), wl.all.len());
    assert!(again.worklogs.all.iter().zip(&wl.all).all(|(a, b)| (
        a.id,
        a.started_ms,
        a.seconds,
        a.author
    ) == (
        b.id,
        b.started_ms,
        b.seconds,
        b.author
    )));
    // The scale multiplies the ordinary issues' worklogs and leaves the buckets' as they are.
    let scaled = Dataset::generate(DataSpec {
        worklog_scale: 3,
        ..spec(N)
    });
    let ordinary = |d: &Dataset| -> (usize, usize) {
        let counts: Vec<usize> = (0..d.issues.len())
            .map(|i| d.worklogs.of(i).len())
            .collect();
        (
            counts.iter().filter(|&&c| c < 100).sum(),
            counts.iter().filter(|&&c| c >= 100).count(),
        )
    };
    let ((base, buckets), (more, buckets_scaled)) = (ordinary(data), ordinary(&scaled));
    assert!(more > 2 * base && more < 4 * base, "{base} -> {more}");
    assert_eq!(buckets, buckets_scaled);
}

#[test]
fn started_times_carry_the_authors_offsets_midnight_and_dst() {
    let sim = sim(N, Flavor::Cloud);
    let all = all_through_feed(&sim, 3, "ada");
    let mut offsets = BTreeSet::new();
    let (mut over_midnight, mut over_dst) = (0, 0);
    for w in &all {
        let started = w["started"].as_str().unwrap();
        offsets.insert(started[started.len() - 5..].to_string());
        let zone = w["author"]["timeZone"].as_str().unwrap();
        let tz = jiff::tz::TimeZone::get(zone).unwrap();
        let start = parse_time(started);
        // Written in the author's own zone.
        assert_eq!(
            start.offset(),
            tz.to_offset(start.timestamp()),
            "{started} in {zone}"
        );
        let end = start.timestamp()
            + jiff::SignedDuration::from_secs(w["timeSpentSeconds"].as_i64().unwrap());
        let (a, b) = (
            start.timestamp().to_zoned(tz.clone()),
            end.to_zoned(tz.clone()),
        );
        if a.date() != b.date() {
            over_midnight += 1;
        }
        if a.offset() != b.offset() {
            over_dst += 1;
        }
    }
    assert!(offsets.len() >= 6, "offsets seen: {offsets:?}");
    assert!(
        offsets.contains("+0545") && offsets.contains("+0530"),
        "{offsets:?}"
    );
    assert!(over_midnight > 0, "a worklog runs past midnight");
    assert!(over_dst > 0, "a worklog spans a daylight-saving change");
}

#[test]
fn an_issue_pages_its_worklogs_oldest_first_within_the_started_window() {
    let sim = sim(N, Flavor::Cloud);
    let data = &sim.data;
    let i = heaviest(data);
    let issue = &data.issues[i];
    let key = data.key(issue);
    let visible: Vec<&Worklog> = data
        .worklogs
        .of(i)
        .iter()
        .filter(|w| may_see(data, w, "ada"))
        .collect();
    assert!(visible.len() > 100);
    // Paged by 37: every visible worklog once, in id (creation) order.
    let mut ids = Vec::new();
    let mut start = 0;
    loop {
        let r = get(
            &sim,
            &format!("/rest/api/3/issue/{key}/worklog?startAt={start}&maxResults=37"),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_conforms(
            "worklog page",
            &response_schema("get", "/rest/api/3/issue/{issueIdOrKey}/worklog"),
            &r.json,
        );
        assert_eq!(r.json["total"], visible.len());
        assert_eq!(r.json["startAt"], start);
        let page = r.json["worklogs"].as_array().unwrap();
        ids.extend(page.iter().map(|w| w["id"].as_str().unwrap().to_string()));
        start += 37;
        if start >= visible.len() {
            assert!(page.len() <= 37);
            break;
        }
        assert_eq!(page.len(), 37);
    }
    let want: Vec<String> = visible.iter().map(|w| w.id.to_string()).collect();
    assert_eq!(ids, want);
    // The default page holds them all; more than 5000 is cut to 5000.
    let r = get(&sim, &format!("/rest/api/3/issue/{}/worklog", issue.id));
    assert_eq!(r.json["worklogs"].as_array().unwrap().len(), visible.len());
    assert_eq!(r.json["maxResults"], 5000);
    let r = get(
        &sim,
        &format!("/rest/api/3/issue/{key}/worklog?maxResults=99999"),
    );
    assert_eq!(r.json["maxResults"], 5000);
    // The started window: on or after startedAfter, strictly before startedBefore.
    let mid = visible[visible.len() / 2].started_ms;
    let late = visible.iter().map(|w| w.started_ms).max().unwrap();
    let r = get(
        &sim,
        &format!("/rest/api/3/issue/{key}/worklog?startedAfter={mid}&startedBefore={late}"),
    );
    let want = visible
        .iter()
        .filter(|w| w.started_ms >= mid && w.started_ms < late)
        .count();
    assert_eq!(r.json["total"], want);
    assert!(want > 0 && want < visible.len());
    for w in r.json["worklogs"].as_array().unwrap() {
        let t = parse_time(w["started"].as_str().unwrap())
            .timestamp()
            .as_millisecond();
        assert!(t >= mid && t < late);
    }
    // Bad numbers and unknown issues get Jira's errors.
    let r = get(
        &sim,
        &format!("/rest/api/3/issue/{key}/worklog?startedAfter=soon"),
    );
    assert_eq!(r.status, 400);
    assert!(r.errors()[0].contains("startedAfter"));
    let r = get(&sim, "/rest/api/3/issue/NOPE-1/worklog");
    assert_eq!(r.status, 404);
    assert_eq!(
        sim.stats().by_route["GET /rest/api/3/issue/{key}/worklog"],
        (visible.len().div_ceil(37) + 5) as u64
    );
}

#[test]
fn cloud_v3_writes_adf_comments_and_account_ids_v2_writes_text() {
    let sim = sim(N, Flavor::Cloud);
    let data = &sim.data;
    let i = heaviest(data);
    let w3 = get(
        &sim,
        &format!("/rest/api/3/issue/{}/worklog", data.issues[i].id),
    );
    let w2 = get(
        &sim,
        &format!("/rest/api/2/issue/{}/worklog", data.issues[i].id),
    );
    let (a, b) = (
        w3.json["worklogs"].as_array().unwrap(),
        w2.json["worklogs"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len());
    let mut comments = 0;
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x["id"], y["id"]);
        assert_conforms("worklog", &component("Worklog"), x);
        assert!(x["author"]["accountId"].is_string());
        assert!(x["author"].get("name").is_none());
        assert_eq!(x["issueId"], data.issues[i].id.to_string());
        let seconds = x["timeSpentSeconds"].as_u64().unwrap();
        assert!(seconds > 0 && seconds % 60 == 0);
        if let Some(c) = x.get("comment") {
            comments += 1;
            assert_eq!(c["type"], "doc");
            let text = c["content"][0]["content"][0]["text"].as_str().unwrap();
            assert_eq!(y["comment"], text, "v2 has the same text, plain");
        } else {
            assert!(y.get("comment").is_none());
        }
    }
    assert!(comments > 0 && comments < a.len());
    // Each worklog's `self` answers with that worklog.
    for x in a.iter().take(3) {
        let path = x["self"]
            .as_str()
            .unwrap()
            .strip_prefix(&sim.base_url)
            .unwrap();
        assert_eq!(get(&sim, path).json, *x);
    }
    let r = get(
        &sim,
        &format!("/rest/api/3/issue/{}/worklog/1", data.issues[i].id),
    );
    assert_eq!(r.status, 404);
    assert!(r.errors()[0].contains("Cannot find worklog"));
}

#[test]
fn data_center_writes_text_comments_and_usernames() {
    let sim = sim(N, Flavor::Dc);
    let data = &sim.data;
    let i = heaviest(data);
    let r = get(
        &sim,
        &format!("/rest/api/2/issue/{}/worklog", data.key(&data.issues[i])),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let ws = r.json["worklogs"].as_array().unwrap();
    assert!(!ws.is_empty());
    for w in ws {
        assert!(w["author"]["name"].is_string() && w["author"]["key"].is_string());
        assert!(w["author"].get("accountId").is_none());
        assert!(w.get("comment").is_none_or(Value::is_string));
        if let Some(v) = w.get("visibility") {
            assert!(v.get("identifier").is_none(), "Data Center names only");
        }
    }
    // Cloud's v3 does not exist on Data Center.
    assert_eq!(get(&sim, "/rest/api/3/worklog/updated").status, 404);
    let all = all_through_feed(&sim, 2, "ada");
    let want = data
        .worklogs
        .all
        .iter()
        .filter(|w| may_see(data, w, "ada"))
        .count();
    assert_eq!(all.len(), want);
}

#[test]
fn each_user_sees_the_worklogs_of_their_groups_and_roles() {
    let sim = sim(N, Flavor::Cloud);
    let data = &sim.data;
    let mut totals = Vec::new();
    for login in ["ada", "ben", "jo"] {
        let all = all_through_feed(&sim, 3, login);
        let want: BTreeSet<String> = data
            .worklogs
            .all
            .iter()
            .filter(|w| may_see(data, w, login))
            .map(|w| w.id.to_string())
            .collect();
        let got: BTreeSet<String> = all
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want, "{login}");
        assert_eq!(got.len(), all.len(), "{login}: each once");
        for w in &all {
            if let Some(v) = w.get("visibility") {
                assert!(["group", "role"].contains(&v["type"].as_str().unwrap()));
                assert!(v["identifier"].is_string());
            }
        }
        totals.push(want.len());
    }
    assert!(totals[0] < data.worklogs.all.len(), "ada misses some");
    assert!(totals[0] != totals[1] && totals[1] != totals[2]);
    // A restricted worklog asked for by id is left out for who may not see it.
    let hidden = data
        .worklogs
        .all
        .iter()
        .find(|w| !may_see(data, w, "ada"))
        .unwrap();
    let r = post_as(
        &sim,
        "/rest/api/3/worklog/list",
        "ada",
        &json!({"ids": [hidden.id]}),
    );
    assert_eq!(r.json, json!([]));
    let issue = &data.issues[hidden.issue as usize];
    let hidden_id = hidden.id.to_string();
    let path = format!("/rest/api/3/issue/{}/worklog/{hidden_id}", issue.id);
    assert_eq!(get(&sim, &path).status, 404, "hidden from ada");
    let seer = [
        "ben", "chloe", "dev", "eve", "femi", "gus", "hana", "ivan", "jo",
    ]
    .into_iter()
    .find(|u| may_see(data, hidden, u))
    .unwrap();
    assert_eq!(
        get_as(&sim, &path, &auth(&sim, seer)).status,
        200,
        "shown to {seer}"
    );
    let r = get(&sim, &format!("/rest/api/3/issue/{}/worklog", issue.id));
    assert!(
        r.json["worklogs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["id"] != hidden_id.as_str())
    );
}

#[test]
fn the_bulk_list_takes_at_most_1000_ids() {
    let sim = sim(N, Flavor::Cloud);
    // Through the REST gate: no credentials, no worklogs.
    for path in [
        "/rest/api/3/worklog/updated",
        "/rest/api/3/issue/10000/worklog",
    ] {
        assert_eq!(get_as(&sim, path, "Basic bm9ib2R5Om5vcGU=").status, 401);
    }
    let ids: Vec<u32> = (10_000..11_001).collect();
    let r = post(&sim, "/rest/api/3/worklog/list", &json!({ "ids": ids }));
    assert_eq!(r.status, 400);
    assert_eq!(r.json["errors"], json!({}));
    assert!(r.errors()[0].contains("1000"), "{:?}", r.errors());
    let r = post(&sim, "/rest/api/3/worklog/list", &json!({}));
    assert_eq!(r.status, 400);
    let r = post(&sim, "/rest/api/3/worklog/list", &json!({"ids": ["x"]}));
    assert_eq!(r.status, 400);
    // Unknown ids are left out, duplicates come once.
    let r = post(
        &sim,
        "/rest/api/3/worklog/list",
        &json!({"ids": [1, 10_000, 10_000, 99_999_999]}),
    );
    assert_eq!(r.status, 200);
    let got = r.json.as_array().unwrap();
    assert!(got.len() <= 1);
    assert!(got.iter().all(|w| w["id"] == "10000"));
}

#[test]
fn the_updated_feed_starts_after_since_and_leaves_out_the_last_minute() {
    let now = jiff::Timestamp::now();
    // Data ending a month from now: some worklogs were updated within the last minute or later.
    let data = std::sync::Arc::new(Dataset::generate(DataSpec {
        issues: 80,
        seed: 3,
        end: now + jiff::SignedDuration::from_hours(30 * 24),
        ..DataSpec::default()
    }));
    let sim = RunningSim::start_with(SimConfig::default(), data.clone()).unwrap();
    let cutoff = now.as_millisecond() - 60_000;
    let fresh = data
        .worklogs
        .all
        .iter()
        .filter(|w| w.updated_ms > cutoff)
        .count();
    let mut times: Vec<i64> = data
        .worklogs
        .all
        .iter()
        .filter(|w| w.restriction.is_none() && w.updated_ms <= cutoff)
        .map(|w| w.updated_ms)
        .collect();
    times.sort_unstable();
    let since = times[times.len() / 2];
    let r = get(&sim, &format!("/rest/api/3/worklog/updated?since={since}"));
    let got: Vec<i64> = r.json["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["updatedTime"].as_i64().unwrap())
        .collect();
    // As Jira's spec says: the update times of the first and the last worklog listed.
    assert_eq!(r.json["since"], got[0]);
    assert_eq!(r.json["until"], *got.last().unwrap());
    assert!(got.iter().all(|&t| t > since && t <= cutoff));
    let want = data
        .worklogs
        .all
        .iter()
        .filter(|w| may_see(&data, w, "ada") && w.updated_ms > since && w.updated_ms <= cutoff)
        .count();
    assert_eq!(got.len(), want);
    assert!(fresh > 0, "the data has worklogs the feed must leave out");
    assert_eq!(r.json["lastPage"], true);
}

#[test]
fn the_worklog_field_holds_twenty_with_the_total_and_only_when_asked_for() {
    let sim = sim(N, Flavor::Cloud);
    let data = &sim.data;
    let i = heaviest(data);
    let key = data.key(&data.issues[i]);
    let visible = data
        .worklogs
        .of(i)
        .iter()
        .filter(|w| may_see(data, w, "ada"))
        .count();
    let r = post(
        &sim,
        "/rest/api/3/search/jql",
        &json!({"jql": format!("key = {key}"), "fields": ["worklog"]}),
    );
    let field = &r.json["issues"][0]["fields"]["worklog"];
    assert_eq!(field["total"], visible);
    assert_eq!(field["maxResults"], 20);
    assert_eq!(field["startAt"], 0);
    assert_eq!(field["worklogs"].as_array().unwrap().len(), 20);
    let first_page = get(
        &sim,
        &format!("/rest/api/3/issue/{key}/worklog?maxResults=20"),
    );
    assert_eq!(
        field["worklogs"], first_page.json["worklogs"],
        "the oldest 20"
    );
    let r = post(
        &sim,
        "/rest/api/3/issue/bulkfetch",
        &json!({"issueIdsOrKeys": [key], "fields": ["summary", "worklog"]}),
    );
    assert_eq!(r.json["issues"][0]["fields"]["worklog"], *field);
    // Not in *all or *navigable, nor by default.
    for fields in ["*all", "*navigable", "summary"] {
        let r = post(
            &sim,
            "/rest/api/3/issue/bulkfetch",
            &json!({"issueIdsOrKeys": [key], "fields": [fields]}),
        );
        assert!(r.json["issues"][0]["fields"].get("worklog").is_none());
    }
    assert!(
        get(&sim, &format!("/rest/api/3/issue/{key}")).json["fields"]
            .get("worklog")
            .is_none()
    );
    // Data Center's search caps it the same way.
    let dc = crate::support::sim(N, Flavor::Dc);
    let r = get(
        &dc,
        &format!(
            "/rest/api/2/search?jql=key%20%3D%20{}&fields=worklog,summary",
            data.key(&data.issues[i])
        ),
    );
    let field = &r.json["issues"][0]["fields"]["worklog"];
    assert_eq!(field["total"], visible);
    assert_eq!(field["worklogs"].as_array().unwrap().len(), 20);
    assert!(field["worklogs"][0]["author"]["name"].is_string());
}

#[test]
fn canary_mode_marks_every_worklog_comment_and_author() {
    let data = std::sync::Arc::new(Dataset::generate(DataSpec {
        issues: 60,
        seed: 42,
        canary: true,
        ..DataSpec::default()
    }));
    let sim = RunningSim::start_with(SimConfig::default(), data).unwrap();
    let all = all_through_feed(&sim, 2, "ben");
    let with_comment: Vec<&Value> = all.iter().filter(|w| w.get("comment").is_some()).collect();
    assert!(!with_comment.is_empty());
    for w in &all {
        assert!(
            w["author"]["displayName"]
                .as_str()
                .unwrap()
                .ends_with(" ZZCANARYPERSON"),
            "a worklog's author is a person, marked as one: {}",
            w["author"]
        );
    }
    for w in with_comment {
        let id = w["id"].as_str().unwrap();
        assert!(
            w["comment"]
                .as_str()
                .unwrap()
                .ends_with(&format!(" ZZCANARYWORKLOG-w{id}")),
            "{}",
            w["comment"]
        );
    }
}

/// The issue ids `jql` finds for `login` (one page of ids).
fn search_ids(sim: &RunningSim, login: &str, jql: &str) -> BTreeSet<String> {
    let r = post_as(
        sim,
        "/rest/api/3/search/jql",
        login,
        &json!({"jql": jql, "fields": ["id"], "maxResults": 5000}),
    );
    assert_eq!(r.status, 200, "{jql}: {}", r.text);
    assert_eq!(r.json["isLast"], true);
    r.json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// The issues with a worklog (of those given) that `keep` accepts.
fn issues_where(all: &[Value], keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    all.iter()
        .filter(|w| keep(w))
        .map(|w| w["issueId"].as_str().unwrap().to_string())
        .collect()
}

fn utc_day(w: &Value) -> jiff::civil::Date {
    parse_time(w["started"].as_str().unwrap())
        .timestamp()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

#[test]
fn jql_finds_issues_by_the_worklogs_the_searcher_may_see() {
    let sim = sim(N, Flavor::Cloud);
    for login in ["ada", "ben"] {
        // The worklogs as the API gives them (v2: text comments), filtered here.
        let all = all_through_feed(&sim, 2, login);
        let mut days: Vec<jiff::civil::Date> = all.iter().map(utc_day).collect();
        days.sort();
        let day = days[days.len() / 2];
        use std::cmp::Ordering::{Equal, Greater, Less};
        let cases: [(&str, &[std::cmp::Ordering]); 5] = [
            ("=", &[Equal]),
            (">", &[Greater]),
            (">=", &[Greater, Equal]),
            ("<", &[Less]),
            ("<=", &[Less, Equal]),
        ];
        for (op, keep) in cases {
            let jql = format!("worklogDate {op} \"{day}\"");
            let want = issues_where(&all, |w| keep.contains(&utc_day(w).cmp(&day)));
            assert!(!want.is_empty(), "{jql}");
            assert_eq!(search_ids(&sim, login, &jql), want, "{login}: {jql}");
        }
        let chloe = &sim.data.site.users[2].account_id;
        let by = |who: &[&str]| {
            issues_where(&all, |w| {
                who.contains(&w["author"]["accountId"].as_str().unwrap())
            })
        };
        let me = &sim.data.site.users[sim.data.site.user_by_login(login).unwrap()].account_id;
        assert_eq!(
            search_ids(&sim, login, &format!("worklogAuthor = {chloe}")),
            by(&[chloe])
        );
        assert_eq!(
            search_ids(&sim, login, "worklogAuthor in (chloe, \"Dev Patel\")"),
            by(&[chloe, &sim.data.site.users[3].account_id])
        );
        assert_eq!(
            search_ids(&sim, login, "worklogAuthor = currentUser()"),
            by(&[me])
        );
        let want = issues_where(&all, |w| {
            w["comment"].as_str().is_some_and(|c| {
                let c = c.to_lowercase();
                c.contains("edge") && c.contains("cases")
            })
        });
        assert!(!want.is_empty());
        assert_eq!(
            search_ids(&sim, login, "worklogComment ~ \"Cases EDGE\""),
            want
        );
        // Clauses combine with the rest.
        let both = search_ids(
            &sim,
            login,
            &format!("project = PLAT AND worklogDate >= \"{day}\""),
        );
        assert!(!both.is_empty());
        assert!(both.is_subset(&search_ids(
            &sim,
            login,
            &format!("worklogDate >= \"{day}\"")
        )));
    }
    // What ada may not see does not find issues for her.
    let ben = search_ids(&sim, "ben", "worklogAuthor = ben");
    let ada = search_ids(&sim, "ada", "worklogAuthor = ben");
    assert!(ada.is_subset(&ben) && ada.len() < ben.len());
}

#[test]
fn worklog_jql_refuses_what_jira_refuses() {
    let sim = sim(N, Flavor::Cloud);
    for (jql, message) in [
        ("worklogDate != 2026-01-01", "operator '!='"),
        ("worklogDate = \"soon\"", "Date value 'soon'"),
        ("worklogAuthor = nobody", "'nobody' does not exist"),
        ("worklogAuthor != ben", "operator '!='"),
        ("worklogComment = fix", "operator '='"),
        ("worklogFoo = 1", "'worklogFoo' does not exist"),
    ] {
        let r = post(
            &sim,
            "/rest/api/3/search/jql",
            &json!({"jql": jql, "fields": ["id"]}),
        );
        assert_eq!(r.status, 400, "{jql}");
        assert!(
            r.errors().iter().any(|e| e.contains(message)),
            "{jql}: {:?}",
            r.errors()
        );
    }
}
