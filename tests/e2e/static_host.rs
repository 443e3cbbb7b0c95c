//! The client's build served by a plain static host, as Direct mode (Jira Data Center) may
//! be: no dwell-server, so no policy header; the page's own Content-Security-Policy `<meta>`
//! (written by `cargo xtask` after trunk, `xtask/src/static_csp.rs`) is all that guards it.
//! And Direct mode's rule for a Jira address that came with a link: no credential goes there
//! before the person confirms its host (issue 13).

use std::time::{Duration, Instant};

use e2e::ChromeDriver;
use e2e::bins::Bins;
use e2e::static_host::StaticHost;
use serde_json::json;

/// Waits (up to a minute) for the app's first page, built by its own wasm.
async fn started(b: &e2e::Browser) {
    b.wait_for(
        "the app to start",
        "return document.querySelector('main h1') ? document.body.innerText : null;",
        vec![],
    )
    .await
    .unwrap();
}

/// Regression (issue 13): the built page had no policy of its own, so on a static host an
/// injected script, a script from anywhere, or a request to a plain-http host ran. Its
/// `<meta>` must block them and let the app start (its inline loader, its wasm, its modules).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_page_on_a_static_host_runs_under_its_own_policy() {
    let bins = Bins::get().unwrap();
    let host = StaticHost::start(&bins.dist).await.unwrap();
    let driver = ChromeDriver::start().unwrap();
    let b = driver.session().await.unwrap();
    b.client.goto(&format!("{}/", host.url)).await.unwrap();
    started(&b).await;
    let log = b.browser_log().await;
    assert!(
        !log.contains("Content Security Policy"),
        "the app's own start broke its policy:\n{log}"
    );
    let policy = b
        .js(
            "const m = document.head.querySelector('meta[http-equiv=\"Content-Security-Policy\"]');
             return m ? m.content : null;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        policy.as_str().is_some_and(|p| p.contains("script-src")),
        "the built page has no policy: {policy}"
    );

    // What the policy must refuse, and what it must let through (https Jira, loopback).
    let inline = b
        .js(
            "window.__violations = [];
             document.addEventListener('securitypolicyviolation',
                 e => window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI));
             fetch('https://jira.example.invalid/rest/api/2/serverInfo').catch(() => {});
             fetch(arguments[0] + '/index.html').catch(() => {});
             window.__inline = 'not run';
             const s = document.createElement('script');
             s.textContent = \"window.__inline = 'ran'\";
             document.head.appendChild(s);
             const far = document.createElement('script');
             far.src = 'https://scripts.example.invalid/x.js';
             document.head.appendChild(far);
             fetch('http://jira.example.invalid/rest/api/2/serverInfo').catch(() => {});
             return window.__inline;",
            vec![json!(host.url)],
        )
        .await
        .unwrap();
    assert_eq!(inline, "not run", "an injected inline script ran");
    let violations = b
        .wait_for(
            "the policy to refuse three things",
            "return window.__violations.length >= 3 ? window.__violations : null;",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<&str> = violations
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let refused = |directive: &str, uri: &str| {
        violations
            .iter()
            .any(|v| v.starts_with(directive) && v.contains(uri))
    };
    assert!(refused("script-src-elem", "inline"), "{violations:?}");
    assert!(
        refused("script-src-elem", "https://scripts.example.invalid"),
        "{violations:?}"
    );
    assert!(
        refused("connect-src", "http://jira.example.invalid"),
        "{violations:?}"
    );
    assert!(
        !violations
            .iter()
            .any(|v| v.contains("https://jira.example.invalid") || v.contains(&host.url)),
        "an https Jira and loopback are allowed: {violations:?}"
    );
    b.close().await;
}

/// Regression (issue 13): a link can open Dwell with a Jira address of the sender's choosing
/// (`?jira=`); the token typed under it went there. Now nothing reaches that host until the
/// person ticks that it is their Jira; then the token goes.
///
/// The test fails on the code before the fix, shown without a second client build: before
/// edda3f0 the page's Connect sent the token to whatever address the field held, linked or
/// typed, and an address the person typed takes that same path today (the confirmation is
/// the only step between the field and the request). So between the refusal and the
/// confirmation, the person types another stand-in's address and connects: that stand-in
/// gets the token at once, as the linked host did before the fix, and a token reaching the
/// linked host so would fail the "got a request" assertion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_jira_host_gets_no_token_before_the_person_confirms_it() {
    let bins = Bins::get().unwrap();
    let page = StaticHost::start(&bins.dist).await.unwrap();
    // Stands for the Jira the link names: it keeps every request it receives.
    let empty = tempfile::tempdir().unwrap();
    let jira = StaticHost::start(empty.path()).await.unwrap();
    let driver = ChromeDriver::start().unwrap();
    let b = driver.session().await.unwrap();
    let link = format!(
        "{}/?jira={}#/connection",
        page.url,
        jira.url.replace(':', "%3A").replace('/', "%2F")
    );
    b.client.goto(&link).await.unwrap();
    started(&b).await;
    let host = jira.url.trim_start_matches("http://");
    b.fill("Personal access token", "e2e-linked-token")
        .await
        .unwrap();
    b.click("button", "Connect").await.unwrap();
    b.wait_for(
        "the page to ask for the host's confirmation",
        "return document.body.innerText.includes(arguments[0]);",
        vec![json!(format!("confirm below that {host} is your Jira"))],
    )
    .await
    .unwrap();
    assert_eq!(jira.requests(), vec![], "the linked host got a request");

    // The path without the confirmation (every address's before the fix): a typed address.
    let typed_dir = tempfile::tempdir().unwrap();
    let typed = StaticHost::start(typed_dir.path()).await.unwrap();
    b.fill("Jira address", &typed.url).await.unwrap();
    b.click("button", "Connect").await.unwrap();
    token_reaches(&b, &typed, "the typed host, unconfirmed").await;
    assert_eq!(jira.requests(), vec![], "the linked host got a request");

    b.fill("Jira address", &jira.url).await.unwrap();
    b.click("label", &format!("{host} is my Jira"))
        .await
        .unwrap();
    b.click("button", "Connect").await.unwrap();
    token_reaches(&b, &jira, "the linked host, once confirmed").await;
    b.close().await;
}

/// Waits (up to a minute) until `host` received the page's token.
async fn token_reaches(b: &e2e::Browser, host: &StaticHost, what: &str) {
    let until = Instant::now() + Duration::from_secs(60);
    while !host.requests().iter().any(|r| {
        r.authorization
            .as_deref()
            .is_some_and(|a| a.contains("e2e-linked-token"))
    }) {
        assert!(
            Instant::now() < until,
            "the token did not go to {what}: {:?}\n{}",
            host.requests(),
            b.page_text().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
