//! The privacy proof: issue data never reaches Dwell's server.
//!
//! jira-sim runs in `--canary` mode: every issue key, summary, label, component and person's
//! name carries the marker `ZZCANARY`. The test drives every browser flow on that site (run
//! and compare a report, export CSV and XLSX, create/edit/conflict/delete, Jira faults and a
//! cancelled run, a calendar, permissions, export/delete/import of the site's data), then
//! looks for the marker in everything the server could have seen or kept:
//!
//! - every request the server received, as the recording proxy in front of it saw them:
//!   method, path, query string, headers and body (and every answer it sent);
//! - the server's own output, logged at `trace` level;
//! - the SQLite database, its `-wal` and `-shm` files and everything else in its directory;
//! - its backups: the in-process backup directory and `dwell-server backup --to DIR`.
//!
//! Each place is searched for the marker as written, in any letter case, with `%XX` and
//! `\uXXXX` escapes decoded, as UTF-16, and inside every JWT's base64 payload. And the
//! converse is asserted: the marker did reach the browser (the table shows it), so a leak
//! would have been caught.
//!
//! `privacy_proof_on_forge_...` runs the flows that run alike on Forge (jira-sim as Forge's
//! host, the client from its CDN, the server reached through `invokeRemote` with a Forge
//! Invocation Token, whose payload is searched like a JWT's) and the same search.
//!
//! Run it alone with `cargo test -p e2e --test e2e privacy_proof` (docs/SECURITY.md).

use std::path::{Path, PathBuf};

use base64::Engine;
use e2e::{World, WorldSpec};

use crate::flows;

/// jira-sim's canary marker.
const MARKER: &str = "ZZCANARY";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_proof_no_issue_data_reaches_the_server() {
    let w = World::start(WorldSpec {
        canary: true,
        ..WorldSpec::default()
    })
    .await
    .unwrap();

    // Every flow, on canary data.
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
    search_everything_the_server_saw(&w, &table, &routes);
}

/// The same proof on the Forge path: the client served by Forge's CDN reads Jira through
/// `requestJira` and reaches the server through `invokeRemote`, which carries a Forge
/// Invocation Token; the flows that run the same on Forge, then the same search.
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
    let routes = [
        ("POST", "/forge/lifecycle"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/reports"),
        ("GET", "/api/v1/reports/"),
        ("PUT", "/api/v1/reports/"),
        ("DELETE", "/api/v1/reports/"),
    ];
    search_everything_the_server_saw(&w, &table, &routes);
}

/// Looks for the marker in everything the server received, answered, logged and stored, once
/// the flows ran (`routes`: requests the flows must have sent, so the search is not empty).
fn search_everything_the_server_saw(w: &World, table: &e2e::table::Table, routes: &[(&str, &str)]) {
    // The converse first: the marker reached the browser, and the search finds it there.
    let shown: String = table.rows.iter().map(|r| r[0].as_str()).collect();
    assert!(
        table.rows.iter().all(|r| r[0].contains(MARKER)),
        "every issue key in the browser carries the marker (is jira-sim in canary mode?)"
    );
    assert!(
        find(shown.as_bytes()).is_some(),
        "the search finds the marker"
    );

    // Everything the server received passed the proxy: make sure the flows' traffic is there.
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
        let request = e.request_bytes();
        assert_clean(&format!("the request {} {}", e.method, e.target), &request);
        for token in tokens(e) {
            assert_clean(
                &format!("a token in {} {}", e.method, e.path()),
                &jwt_payloads(&token),
            );
        }
        assert_clean(
            &format!("the answer to {} {}", e.method, e.path()),
            &e.response_body,
        );
    }

    // The server's logs, at the most verbose level.
    let logs = w.server.output();
    assert!(
        String::from_utf8_lossy(&logs).contains("/api/v1/reports"),
        "the server's request log was captured"
    );
    assert_clean("the server's logs", &logs);

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
        assert_clean(&f.display().to_string(), &std::fs::read(&f).unwrap());
    }
}

/// `path` exactly, or under it when it ends with `/`.
fn same_route(seen: &str, path: &str) -> bool {
    seen == path || (path.ends_with('/') && seen.starts_with(path))
}

/// Fails with the context of the first marker found in `bytes`.
fn assert_clean(what: &str, bytes: &[u8]) {
    if let Some(at) = find(bytes) {
        let from = at.saturating_sub(120);
        let to = (at + 120).min(bytes.len());
        panic!(
            "issue data reached the server: {MARKER} in {what}: …{}…",
            String::from_utf8_lossy(&bytes[from..to])
        );
    }
}

/// Where the marker is in `bytes`, in any of its forms: as written, in any letter case,
/// percent- or `\u`-escaped, or as UTF-16 (NUL bytes between the letters).
fn find(bytes: &[u8]) -> Option<usize> {
    let marker = MARKER.to_ascii_lowercase().into_bytes();
    let plain = search(&lower(bytes), &marker);
    plain
        .or_else(|| search(&lower(&unescape(bytes)), &marker).map(|_| 0))
        .or_else(|| {
            let no_nul: Vec<u8> = bytes.iter().copied().filter(|b| *b != 0).collect();
            search(&lower(&no_nul), &marker).map(|_| 0)
        })
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
        assert!(find(&form).is_some(), "{}", String::from_utf8_lossy(&form));
    }
    let token = format!(
        "x.{}.y",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"ZZCANARY"}"#)
    );
    assert!(find(&jwt_payloads(&token)).is_some());
    assert!(find(b"ZZ CANARY, canary, ZZCANAR").is_none());
}
