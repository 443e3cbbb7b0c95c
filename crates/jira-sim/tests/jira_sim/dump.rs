//! `jira-sim dump`: the files are the API's own pages, in the documented layout, and they hold
//! exactly what the API serves for the same seed.

use std::collections::BTreeMap;
use std::path::Path;

use jira_sim::{DumpSpec, Flavor, dump_data};
use serde_json::Value;

use crate::support::*;

const N: usize = 260;

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn files(dir: &Path, prefix: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .collect();
    v.sort();
    v
}

#[test]
fn cloud_dump_is_search_pages_and_bulk_changelog_pages() {
    let sim = sim(N, Flavor::Cloud);
    let dir = tempfile::tempdir().unwrap();
    let summary = dump_data(
        &sim.data,
        &DumpSpec {
            data: spec(N),
            flavor: Flavor::Cloud,
            page_size: 100,
            changelog_page_size: 97,
            base_url: sim.base_url.clone(),
            user: "ada".into(),
            worklogs: false,
        },
        dir.path(),
    )
    .unwrap();
    assert_eq!(summary.issues, N);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        &names[..3],
        [
            "changelog-00001.json",
            "changelog-00002.json",
            "changelog-00003.json"
        ]
    );
    assert!(
        names.contains(&"status.json".to_string()) && names.contains(&"field.json".to_string())
    );
    assert_eq!(
        read(&dir.path().join("status.json")),
        get(&sim, "/rest/api/3/status").json
    );
    assert_eq!(
        read(&dir.path().join("field.json")),
        get(&sim, "/rest/api/3/field").json
    );

    let search = files(dir.path(), "search-");
    assert_eq!(search.len(), 3);
    let page_schema = response_schema("get", "/rest/api/3/search/jql");
    let mut ids = Vec::new();
    for (n, f) in search.iter().enumerate() {
        let page = read(f);
        assert_conforms(&f.display().to_string(), &page_schema, &page);
        let last = n + 1 == search.len();
        assert_eq!(page["isLast"], last);
        assert_eq!(page.get("nextPageToken").is_some(), !last);
        for issue in page["issues"].as_array().unwrap() {
            assert!(issue.get("changelog").is_none());
            assert!(issue["fields"]["status"]["id"].is_string());
            assert!(issue["fields"]["created"].is_string());
            // The same issue as the API serves it.
            let api = get(
                &sim,
                &format!(
                    "/rest/api/3/issue/{}?fields=*navigable",
                    issue["id"].as_str().unwrap()
                ),
            )
            .json;
            assert_eq!(issue["fields"], api["fields"]);
            ids.push(issue["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids.len(), N);

    let changelog_schema = response_schema("post", "/rest/api/3/changelog/bulkfetch");
    let mut by_issue: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let pages = files(dir.path(), "changelog-");
    assert_eq!(pages.len(), summary.changelog_pages);
    let mut spans = 0;
    let mut previous: Vec<String> = Vec::new();
    for f in &pages {
        let page = read(f);
        assert_conforms(&f.display().to_string(), &changelog_schema, &page);
        let (here, count) = read_bulk_changelog_page(&page, &mut by_issue);
        spans += here.iter().filter(|id| previous.contains(id)).count();
        assert!(count <= 97);
        previous = here;
    }
    assert!(
        pages
            .iter()
            .take(pages.len() - 1)
            .all(|f| read(f).get("nextPageToken").is_some())
    );
    assert!(read(pages.last().unwrap()).get("nextPageToken").is_none());
    assert!(spans > 0, "an issue's histories span pages");
    let total: usize = by_issue.values().map(Vec::len).sum();
    assert_eq!(total, sim.data.histories.len());
    for (id, hs) in by_issue.iter().take(40) {
        let api = get(
            &sim,
            &format!("/rest/api/3/issue/{id}/changelog?maxResults=100"),
        )
        .json;
        assert_eq!(hs, api["values"].as_array().unwrap(), "issue {id}");
    }
}

#[test]
fn data_center_dump_is_search_pages_with_full_changelogs() {
    let sim = sim(N, Flavor::Dc);
    let dir = tempfile::tempdir().unwrap();
    dump_data(
        &sim.data,
        &DumpSpec {
            data: spec(N),
            flavor: Flavor::Dc,
            page_size: 120,
            changelog_page_size: 1000,
            base_url: sim.base_url.clone(),
            user: "ada".into(),
            worklogs: false,
        },
        dir.path(),
    )
    .unwrap();
    assert!(files(dir.path(), "changelog-").is_empty());
    assert!(
        files(dir.path(), "worklog-").is_empty(),
        "worklogs only when asked"
    );
    let pages = files(dir.path(), "search-");
    assert_eq!(pages.len(), 3);
    let schema = response_schema("get", "/rest/api/3/search");
    let mut seen = 0;
    for (n, f) in pages.iter().enumerate() {
        let page = read(f);
        assert_conforms(&f.display().to_string(), &schema, &page);
        assert_eq!(page["startAt"], n * 120);
        assert_eq!(page["total"], N);
        // Exactly the API's page for the same request.
        let api = get(&sim, &format!("/rest/api/2/search?jql={}&startAt={}&maxResults=120&fields=*navigable&expand=changelog", enc("ORDER BY key ASC"), n * 120)).json;
        assert_eq!(page, api);
        for issue in page["issues"].as_array().unwrap() {
            let cl = &issue["changelog"];
            assert_eq!(
                cl["histories"].as_array().unwrap().len() as u64,
                cl["total"].as_u64().unwrap()
            );
            seen += 1;
        }
    }
    assert_eq!(seen, N);
}

#[test]
fn with_worklogs_the_dump_holds_every_worklog_the_user_may_see_and_says_so() {
    for flavor in [Flavor::Cloud, Flavor::Dc] {
        let sim = sim(N, flavor);
        let dir = tempfile::tempdir().unwrap();
        let summary = dump_data(
            &sim.data,
            &DumpSpec {
                data: spec(N),
                flavor,
                page_size: 100,
                changelog_page_size: 1000,
                base_url: sim.base_url.clone(),
                user: "ben".into(),
                worklogs: true,
            },
            dir.path(),
        )
        .unwrap();
        let data = &sim.data;
        let ben = jira_sim::data::worklog::Viewer::User(1);
        let want: std::collections::BTreeSet<String> = data
            .worklogs
            .all
            .iter()
            .filter(|w| jira_sim::data::worklog::visible(&data.site, &data.issues, w, ben))
            .map(|w| w.id.to_string())
            .collect();
        assert!(want.len() < data.worklogs.all.len(), "ben misses some");
        assert_eq!(summary.worklogs, want.len());
        let api = if flavor == Flavor::Cloud { 3 } else { 2 };
        let as_ben = |path: &str| get_as(&sim, path, &sim.basic_auth("ben")).json;
        // Every issue carries its worklog field; those it holds in full are complete.
        let mut seen = std::collections::BTreeSet::new();
        let mut paged_issues = Vec::new();
        for f in files(dir.path(), "search-") {
            for issue in read(&f)["issues"].as_array().unwrap() {
                let field = &issue["fields"]["worklog"];
                let total = field["total"].as_u64().unwrap() as usize;
                let held = field["worklogs"].as_array().unwrap();
                assert_eq!(held.len(), total.min(20));
                if total > 20 {
                    paged_issues.push((issue["id"].as_str().unwrap().to_string(), total));
                } else {
                    seen.extend(held.iter().map(|w| w["id"].as_str().unwrap().to_string()));
                }
            }
        }
        assert!(!paged_issues.is_empty());
        // The others' pages follow, in key order, each exactly the API's page for ben.
        let pages = files(dir.path(), "worklog-");
        assert_eq!(pages.len(), summary.worklog_pages);
        assert_eq!(
            pages.len(),
            paged_issues.len(),
            "one page of 5000 holds each"
        );
        for (f, (id, total)) in pages.iter().zip(&paged_issues) {
            let page = read(f);
            assert_conforms(
                &f.display().to_string(),
                &response_schema("get", "/rest/api/3/issue/{issueIdOrKey}/worklog"),
                &page,
            );
            assert_eq!(page["total"], *total);
            assert_eq!(
                page,
                as_ben(&format!(
                    "/rest/api/{api}/issue/{id}/worklog?startAt=0&maxResults=5000"
                ))
            );
            for w in page["worklogs"].as_array().unwrap() {
                assert_eq!(w["issueId"], id.as_str());
                assert!(seen.insert(w["id"].as_str().unwrap().to_string()));
                match flavor {
                    Flavor::Cloud => assert!(w["author"]["accountId"].is_string()),
                    Flavor::Dc => assert!(w["author"]["name"].is_string()),
                }
            }
        }
        assert_eq!(seen, want);
    }
}

#[test]
fn the_binary_writes_a_dump() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jira-sim"))
        .args(["dump", "--issues", "30", "--seed", "5", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrote 30 issues"));
    assert!(dir.path().join("search-00001.json").is_file());
    assert!(dir.path().join("changelog-00001.json").is_file());
    assert!(!dir.path().join("worklog-00001.json").exists());
    let with = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jira-sim"))
        .args([
            "dump",
            "--issues",
            "30",
            "--seed",
            "5",
            "--worklogs",
            "--out",
        ])
        .arg(with.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(" worklog pages"));
    let page = read(&with.path().join("search-00001.json"));
    assert!(page["issues"][0]["fields"]["worklog"]["total"].is_u64());
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_jira-sim"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--issues",
        "--seed",
        "--port",
        "--flavor",
        "--latency-ms",
        "--rate-limit",
        "--cors-origin",
        "--canary",
        "--install-app",
        "--all-js-path",
        "--error-rate",
        "--drop-rate",
    ] {
        assert!(help.contains(flag), "--help documents {flag}");
    }
}
