//! The privacy proof: issue data never reaches Dwell's server.
//!
//! jira-sim runs in `--canary` mode: every kind of issue content carries a marker of its own
//! (`crate::canary::KINDS`: keys, summaries, descriptions, labels, components, a text and a
//! select custom field, people's names, status, issue type, priority, resolution and project
//! names, worklog comments), all starting `ZZCANARY`. The test drives every browser flow (run
//! and compare the default report, export, create/edit/conflict/delete, Jira faults and a
//! cancelled run, a calendar, permissions), brings every kind into the browser
//! (`canary::bring_every_kind_to_the_browser`: extra columns, grouping, filters, charts, CSV
//! and XLSX, a timesheet), exports, deletes and imports the site's data, then looks for every
//! marker in everything the server could have seen or kept:
//!
//! - every request the server received, as the recording proxy in front of it saw them:
//!   method, path, query string, headers and body (decoded from any `Content-Encoding`), and
//!   every answer it sent;
//! - the server's own output, logged at `trace` level;
//! - the SQLite database, its `-wal` and `-shm` files and everything else in its directory;
//! - its backups: the in-process backup directory and `dwell-server backup --to DIR`;
//! - what the server itself asked Jira: jira-sim's `servedToApps` counters name each route it
//!   served to the app's server (signed as the app, or a key service) and the markers those
//!   answers carried, which must be none.
//!
//! Each place is searched for each marker as written, in any letter case, with `%XX` and
//! `\uXXXX` escapes decoded, as UTF-16, and inside every JWT's base64 payload, and a failure
//! names every kind that leaked and where. The converse is asserted per kind too: the browser
//! showed it (a table, a chart, an export, a timesheet's drill-down for worklog comments and
//! their authors), read from the page; so a leak would have been caught.
//!
//! `privacy_proof_on_data_center_...` runs the content flows on Jira Data Center, with the
//! client in Direct mode (no server session: reports are imported, not saved), and the same
//! search.
//!
//! `privacy_proof_on_forge_...` runs the same flows on Forge (jira-sim as Forge's host, the
//! client from its CDN, the server reached through `invokeRemote` with a Forge Invocation
//! Token, whose payload is searched like a JWT's), the admin flows included (a calendar,
//! grants by account id, export, delete and import), and the same search.
//!
//! Run it alone with `cargo test -p e2e --test e2e privacy_proof` (docs/SECURITY.md).

use std::collections::{BTreeMap, HashSet};
use std::hash::Hasher;
use std::path::{Path, PathBuf};

use base64::Engine;
use e2e::{World, WorldSpec};

use crate::canary::{self, KINDS, Kind, Shown};
use crate::flows;

/// The prefix of every marker: a search for it finds any kind, and content the kinds miss.
const MARKER: &str = "ZZCANARY";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_proof_no_issue_data_reaches_the_server() {
    let w = World::start(WorldSpec {
        canary: true,
        ..WorldSpec::default()
    })
    .await
    .unwrap();

    // Every flow on canary data, and every kind of content in the browser (after the fault
    // flows, whose injected faults fall on the same requests as on ordinary data; before the
    // export and import, which then carry their reports too).
    let (id, table) = flows::default_report_matches_the_cli(&w).await.unwrap();
    flows::exports_match_the_table(&w, &id, &table)
        .await
        .unwrap();
    flows::report_lifecycle_with_a_conflict(&w).await.unwrap();
    flows::jira_faults_are_weathered(&w).await.unwrap();
    flows::a_cancelled_run_is_partial(&w).await.unwrap();
    flows::a_calendar_changes_business_time(&w, &id, &table)
        .await
        .unwrap();
    flows::permissions_stop_a_non_editor(&w, &id).await.unwrap();
    let shown = canary::bring_every_kind_to_the_browser(&w).await.unwrap();
    flows::export_delete_import(&w).await.unwrap();

    let routes = [
        ("GET", "/atlassian-connect.json"),
        ("POST", "/lifecycle/installed"),
        ("GET", "/"),
        ("GET", "/worker_loader.js"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/reports"),
        ("GET", "/api/v1/reports/"),
        ("PUT", "/api/v1/reports/"),
        ("DELETE", "/api/v1/reports/"),
        ("POST", "/api/v1/calendars"),
        ("PUT", "/api/v1/permissions"),
        ("GET", "/api/v1/export"),
        ("DELETE", "/api/v1/tenant"),
        ("POST", "/api/v1/import"),
    ];
    // The server asks Jira for a user's groups, signed as the app, and fetched the install
    // key of the signed `installed` call; nothing else.
    let outbound = [
        ("GET /rest/api/3/user/groups", true),
        ("GET /connect-install-keys/{kid}", true),
    ];
    search_everything_the_server_saw(&w, &shown, &routes, &outbound);
}

/// The same proof on the Forge path: the client served by Forge's CDN reads Jira through
/// `requestJira` and reaches the server through `invokeRemote`, which carries a Forge
/// Invocation Token; the same flows (Forge's grants by account id for Connect's group
/// grants), the admins' among them, then the same search.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_proof_on_forge_no_issue_data_reaches_the_server() {
    let w = World::start(WorldSpec {
        canary: true,
        forge: true,
        ..WorldSpec::default()
    })
    .await
    .unwrap();
    let (id, table) = flows::default_report_matches_the_cli(&w).await.unwrap();
    flows::exports_match_the_table(&w, &id, &table)
        .await
        .unwrap();
    flows::report_lifecycle_with_a_conflict(&w).await.unwrap();
    flows::jira_faults_are_weathered(&w).await.unwrap();
    flows::a_cancelled_run_is_partial(&w).await.unwrap();
    // What admins send: a calendar, grants by account id, the site's data out and back in.
    flows::a_calendar_changes_business_time(&w, &id, &table)
        .await
        .unwrap();
    flows::forge_grants_are_by_account(&w).await.unwrap();
    flows::permissions_stop_a_non_editor(&w, &id).await.unwrap();
    let shown = canary::bring_every_kind_to_the_browser(&w).await.unwrap();
    flows::export_delete_import(&w).await.unwrap();
    let routes = [
        ("POST", "/forge/lifecycle"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/reports"),
        ("GET", "/api/v1/reports/"),
        ("PUT", "/api/v1/reports/"),
        ("DELETE", "/api/v1/reports/"),
        ("POST", "/api/v1/calendars"),
        ("PUT", "/api/v1/permissions"),
        ("GET", "/api/v1/export"),
        ("DELETE", "/api/v1/tenant"),
        ("POST", "/api/v1/import"),
    ];
    // On Forge the server holds no Jira credential: it reads the platform's signing keys only.
    let outbound = [("GET /.well-known/jwks.json", true)];
    search_everything_the_server_saw(&w, &shown, &routes, &outbound);
}

/// The same proof on Jira Data Center: jira-sim is a Data Center (`/rest/api/2`, usernames,
/// text comments), and Dwell's page, served by dwell-server as a static page behind the
/// recording proxy, runs in Direct mode with ada's personal access token, as a Data Center
/// user opens it. Direct mode has no server session, so the flows that save reports, grant
/// rights or move a site's data have nothing to do here; the content flows that bring every
/// kind to the browser run (each report imported as a configuration), then the same search:
/// the server's part is serving the page, and it asks Jira nothing at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_proof_on_data_center_no_issue_data_reaches_the_server() {
    let w = World::start(WorldSpec {
        canary: true,
        data_center: true,
        ..WorldSpec::default()
    })
    .await
    .unwrap();
    let shown = canary::bring_every_kind_to_the_browser(&w).await.unwrap();
    let routes = [("GET", "/"), ("GET", "/worker_loader.js")];
    search_everything_the_server_saw(&w, &shown, &routes, &[]);
}

/// Where each kind of content was found at the server: kind's name to `place: context`.
#[derive(Default)]
struct Leaks {
    found: BTreeMap<&'static str, Vec<String>>,
    /// Hashes of what was searched already: the client's bundle, sent to every page, is
    /// searched once.
    searched: HashSet<u64>,
}

impl Leaks {
    /// Searches `bytes`, found in `place`, for every marker.
    fn search(&mut self, place: &str, bytes: &[u8]) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        h.write(bytes);
        if !self.searched.insert(h.finish()) {
            return;
        }
        for (k, at) in kinds_in(bytes) {
            let from = at.saturating_sub(80).min(bytes.len());
            let to = (at + 80).min(bytes.len());
            self.found.entry(k.name).or_default().push(format!(
                "{place}: …{}…",
                String::from_utf8_lossy(&bytes[from..to])
            ));
        }
    }

    /// Fails naming every kind that reached the server, and where.
    fn assert_none(&self) {
        if let Some(report) = self.report() {
            panic!("issue data reached the server:{report}");
        }
    }

    /// Every kind found and where, if any was.
    fn report(&self) -> Option<String> {
        if self.found.is_empty() {
            return None;
        }
        let mut report = String::new();
        for (kind, places) in &self.found {
            report.push_str(&format!("\n- {kind}, in {} place(s):", places.len()));
            for p in places.iter().take(3) {
                report.push_str(&format!("\n    {p}"));
            }
        }
        Some(report)
    }
}

/// Content carrying the common prefix but no kind's marker: any other leak of canary data.
const ANY: Kind = Kind {
    name: "any canary data (the common prefix ZZCANARY)",
    marker: MARKER,
};

/// Looks for every marker in everything the server received, answered, logged and stored,
/// once the flows ran (`routes`: requests the flows must have sent, so the search is not
/// empty), and checks the server's own calls to Jira against `outbound` (`METHOD route` and
/// whether the flows must have made it).
fn search_everything_the_server_saw(
    w: &World,
    shown: &Shown,
    routes: &[(&str, &str)],
    outbound: &[(&str, bool)],
) {
    // The converse first: every kind reached the browser, and the search finds it there.
    let unseen = unseen_in_the_browser(shown);
    assert!(
        unseen.is_empty(),
        "the flows never brought these kinds to the browser, so their absence proves nothing: \
         {unseen:?} (is jira-sim in canary mode?)"
    );

    // Everything the server received passed the proxy: make sure the flows' traffic is there.
    let mut leaks = Leaks::default();
    let exchanges = w.proxy.exchanges();
    for &(method, path) in routes {
        assert!(
            exchanges
                .iter()
                .any(|e| e.method == method && same_route(e.path(), path)),
            "the proxy saw no {method} {path}: did the flows run through it?"
        );
    }
    for e in &exchanges {
        leaks.search(
            &format!("the request {} {}", e.method, e.path()),
            &e.request_bytes(),
        );
        for token in tokens(e) {
            leaks.search(
                &format!("a token in {} {}", e.method, e.path()),
                &jwt_payloads(&token),
            );
        }
        leaks.search(
            &format!("the answer to {} {}", e.method, e.path()),
            &e.response_body,
        );
    }

    // The server's logs, at the most verbose level.
    let logs = w.server.output();
    assert!(
        routes
            .iter()
            .any(|(_, path)| String::from_utf8_lossy(&logs).contains(path)),
        "the server's request log was captured"
    );
    leaks.search("the server's logs", &logs);

    // Backups: on demand, and the in-process ones.
    let on_demand = w.dir.path().join("backup-on-demand");
    let copy = w.backup_now(&on_demand).unwrap();
    assert!(
        copy.is_file(),
        "dwell-server backup wrote {}",
        copy.display()
    );
    let mut files = files_in(&on_demand);
    files.extend(files_in(&w.backup_dir()));
    assert!(
        files
            .iter()
            .filter(|f| f.starts_with(w.backup_dir()))
            .count()
            > 0,
        "the in-process backup ran"
    );
    // The database, its WAL and shared memory, and everything beside them.
    let data_dir = w.database().parent().unwrap().to_path_buf();
    let data_files = files_in(&data_dir);
    for suffix in ["dwell.sqlite3", "dwell.sqlite3-wal", "dwell.sqlite3-shm"] {
        assert!(
            data_files.iter().any(|f| f.ends_with(suffix)),
            "{suffix} is in {}: {data_files:?}",
            data_dir.display()
        );
    }
    files.extend(data_files);
    for f in files {
        leaks.search(&f.display().to_string(), &std::fs::read(&f).unwrap());
    }

    // What the server asked Jira itself, as jira-sim served it: only the expected routes, and
    // no answer carried any marker.
    let stats = w.sim_stats().unwrap();
    let served = stats["servedToApps"]
        .as_object()
        .expect("jira-sim counts what it served to apps");
    eprintln!("privacy proof: jira-sim served the app's server {served:?}");
    for (route, tally) in served {
        assert!(
            outbound.iter().any(|(r, _)| r == route),
            "the server called Jira's {route}, which the proof does not expect: {tally}"
        );
        let markers = tally["canary"].as_array().map_or(0, Vec::len);
        if markers > 0 {
            leaks
                .found
                .entry("answers of Jira to the server's own calls")
                .or_default()
                .push(format!("{route}: {}", tally["canary"]));
        }
    }
    for (route, required) in outbound {
        assert!(
            !required
                || served
                    .get(*route)
                    .is_some_and(|t| t["requests"].as_u64() > Some(0)),
            "the server never called {route}: are jira-sim's counters working? {served:?}"
        );
    }
    leaks.assert_none();
}

/// The kinds the browser never showed, by the same search as at the server (each kind looked
/// for in the first place it was shown).
fn unseen_in_the_browser(shown: &Shown) -> Vec<&'static str> {
    let mut unseen = Vec::new();
    for k in &KINDS {
        let places = shown.places_of(k);
        eprintln!(
            "privacy proof: {} ({}) shown in {places:?}",
            k.name, k.marker
        );
        let text = places
            .first()
            .and_then(|p| shown.places.get(*p))
            .map_or(&b""[..], |t| t.as_bytes());
        if places.is_empty() || find(text, k.marker).is_none() {
            unseen.push(k.name);
        }
    }
    unseen
}

/// `path` exactly, or under it when it ends with `/`.
fn same_route(seen: &str, path: &str) -> bool {
    seen == path || (path.ends_with('/') && seen.starts_with(path))
}

/// Where `marker` is in `bytes`, in any of its forms: as written, in any letter case,
/// percent- or `\u`-escaped, or as UTF-16 (NUL bytes between the letters).
fn find(bytes: &[u8], marker: &str) -> Option<usize> {
    let marker = marker.to_ascii_lowercase().into_bytes();
    let plain = search(&lower(bytes), &marker);
    plain
        .or_else(|| search(&lower(&unescape(bytes)), &marker).map(|_| 0))
        .or_else(|| {
            let no_nul: Vec<u8> = bytes.iter().copied().filter(|b| *b != 0).collect();
            search(&lower(&no_nul), &marker).map(|_| 0)
        })
}

/// Every kind whose marker is in `bytes`, in any of the forms [`find`] knows, with where (the
/// offset of its first occurrence as written; 0 when found only in a decoded form). One pass
/// over each form finds the common prefix, then the kind is read after it.
fn kinds_in(bytes: &[u8]) -> Vec<(Kind, usize)> {
    let prefix = MARKER.to_ascii_lowercase().into_bytes();
    let no_nul: Vec<u8> = bytes.iter().copied().filter(|b| *b != 0).collect();
    let mut out: Vec<(Kind, usize)> = Vec::new();
    for (n, form) in [lower(bytes), lower(&unescape(bytes)), lower(&no_nul)]
        .iter()
        .enumerate()
    {
        let mut from = 0;
        while let Some(p) = search(&form[from..], &prefix) {
            let at = from + p;
            for k in KINDS.iter().chain([&ANY]) {
                let marker = k.marker.to_ascii_lowercase();
                if form[at..].starts_with(marker.as_bytes())
                    && !out.iter().any(|(o, _)| o.name == k.name)
                {
                    out.push((*k, if n == 0 { at } else { 0 }));
                }
            }
            from = at + 1;
        }
    }
    out
}

fn lower(bytes: &[u8]) -> Vec<u8> {
    bytes.to_ascii_lowercase()
}

fn search(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Decodes `%XX` and `\u00XX` escapes of ASCII characters.
fn unescape(bytes: &[u8]) -> Vec<u8> {
    let hex = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|s| u8::from_str_radix(s, 16).ok())
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = bytes.get(i + 1..i + 3).and_then(hex)
        {
            out.push(b);
            i += 3;
        } else if bytes[i] == b'\\'
            && bytes
                .get(i + 1..i + 4)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"u00"))
            && let Some(b) = bytes.get(i + 4..i + 6).and_then(hex)
        {
            out.push(b);
            i += 6;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The JWTs a request carries: the `Authorization: JWT` header and a `jwt` query parameter.
fn tokens(e: &e2e::proxy::Exchange) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(h) = e.request_header("authorization")
        && let Some(t) = h.strip_prefix("JWT ").or_else(|| h.strip_prefix("Bearer "))
    {
        out.push(t.trim().to_string());
    }
    if let Some((_, query)) = e.target.split_once('?') {
        for pair in query.split('&') {
            if let Some(t) = pair.strip_prefix("jwt=") {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// A JWT's header and payload, base64-decoded.
fn jwt_payloads(token: &str) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    token
        .split('.')
        .take(2)
        .filter_map(|part| b64.decode(part.trim_end_matches('=')).ok())
        .flatten()
        .collect()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_in(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn the_marker_search_sees_every_form() {
    for form in [
        "ZZCANARY".as_bytes().to_vec(),
        b"key PLATzzcanary-1".to_vec(),
        b"%5A%5ACANARY".to_vec(),
        b"\\u005a\\u005aCANARY".to_vec(),
        "ZZCANARY"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect(),
    ] {
        assert!(
            find(&form, MARKER).is_some(),
            "{}",
            String::from_utf8_lossy(&form)
        );
    }
    let token = format!(
        "x.{}.y",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"ZZCANARY"}"#)
    );
    assert!(find(&jwt_payloads(&token), MARKER).is_some());
    assert!(find(b"ZZ CANARY, canary, ZZCANAR", MARKER).is_none());
}

/// A leak is reported by kind: a summary in a saved description names summaries (and the
/// common prefix), and nothing else.
#[test]
fn a_leak_names_its_kind() {
    let mut leaks = Leaks::default();
    leaks.search(
        "a request",
        br#"{"description":"Fix login in Safari ZZCANARYSUMMARY-s10012"}"#,
    );
    leaks.search("the logs", b"GET /api/v1/me 200");
    let kinds: Vec<&str> = leaks.found.keys().copied().collect();
    assert_eq!(
        kinds,
        ["any canary data (the common prefix ZZCANARY)", "summaries"]
    );
    assert!(leaks.found["summaries"][0].starts_with("a request: "));
    let report = leaks.report().expect("a leak fails the proof");
    assert!(
        report.contains("- summaries, in 1 place(s):\n    a request: "),
        "{report}"
    );
    // No two kinds share a marker, and none hides another (a prefix would report both).
    for a in &KINDS {
        assert!(a.marker.starts_with(MARKER));
        for b in &KINDS {
            assert!(a == b || !b.marker.starts_with(a.marker), "{a:?} {b:?}");
        }
    }
}

/// Worklog comments and worklog authors' names are kinds of their own to the search: one
/// reaching the server fails the proof, naming its kind (a comment as the drill-down shows it,
/// an author as the timesheet's rows do).
#[test]
fn a_leaked_worklog_comment_or_author_names_its_kind() {
    let mut leaks = Leaks::default();
    leaks.search(
        "a request",
        br#"{"description":"Pairing on the import ZZCANARYWORKLOG-w10233"}"#,
    );
    let kinds: Vec<&str> = leaks.found.keys().copied().collect();
    assert_eq!(
        kinds,
        [
            "any canary data (the common prefix ZZCANARY)",
            "worklog comments"
        ]
    );
    let mut leaks = Leaks::default();
    leaks.search("the logs", b"row=\"Hana Ito ZZCANARYPERSON-hana\"");
    assert!(
        leaks.found.contains_key(
            "people's display names (assignee, reporter, changelog and worklog authors)"
        ),
        "{:?}",
        leaks.found
    );
}

/// The converse fails the proof naming the kind the browser never showed: without the
/// timesheet's drill-down, no worklog comment is on the page.
#[test]
fn a_kind_the_browser_never_showed_fails_the_proof() {
    let every: String = KINDS.iter().map(|k| format!("{}-x1\t", k.marker)).collect();
    let shown = |text: String| Shown {
        places: BTreeMap::from([("a table".to_string(), text)]),
    };
    assert_eq!(
        unseen_in_the_browser(&shown(every.clone())),
        Vec::<&str>::new()
    );
    let no_drill_down = every.replace("ZZCANARYWORKLOG-x1", "");
    assert_eq!(
        unseen_in_the_browser(&shown(no_drill_down)),
        ["worklog comments"]
    );
}
