//! Components and transports in headless Chromium (wasm-bindgen-test).

use std::future::Future;

use client::api::ClientError;
use client::api::body::Body;
use client::api::direct::{Credentials, DirectTransport};
use client::api::http::BrowserHttp;
use client::api::jira::{JiraRequest, Transport, TransportError};
use client::cancel::Cancel;
use client::components::{ConflictPanel, ErrorPanel, Field, ProgressPanel};
use client::fetch::{Progress, RequestStats};
use js_sys::Object;
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the page to mount into.
fn container() -> HtmlElement {
    let document = document();
    let el = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

fn text(root: &HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn progress_panel_shows_counts_the_wait_and_cancels() {
    let root = container();
    let progress = RwSignal::new(Progress::default());
    let running = RwSignal::new(true);
    let cancelled = RwSignal::new(0);
    let _mounted = mount_to(root.clone(), move || {
        view! {
            <ProgressPanel
                progress=progress
                running=running
                on_cancel=Callback::new(move |_| cancelled.update(|n| *n += 1))
            />
        }
    });
    tick().await;
    assert_eq!(
        text(&root, ".progress-headline"),
        "Asking Jira for the issues…"
    );

    progress.set(Progress {
        total: Some(10_000),
        total_is_exact: true,
        listed: 10_000,
        issues_loaded: 5000,
        changelogs_loaded: 4000,
        in_flight: 6,
        stats: RequestStats {
            sent: 61,
            ..Default::default()
        },
        rate_limit_wait_ms: Some(4_100.0),
        ..Progress::default()
    });
    tick().await;
    assert_eq!(
        text(&root, ".progress-headline"),
        "Read 4,000 of 10,000 issues"
    );
    assert_eq!(
        text(&root, ".progress-detail"),
        "6 requests in flight · 61 sent"
    );
    assert_eq!(
        text(&root, ".progress-waiting"),
        "Jira asked Dwell to slow down: resuming in 5 s"
    );
    let bar = root.query_selector("[role=progressbar]").unwrap().unwrap();
    assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some("45"));

    let button: HtmlElement = root
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(button.text_content().as_deref(), Some("Cancel"));
    button.click();
    tick().await;
    assert_eq!(cancelled.get_untracked(), 1);

    running.set(false);
    tick().await;
    assert!(
        root.query_selector("button").unwrap().is_none(),
        "no cancel once done"
    );
}

#[wasm_bindgen_test]
async fn error_panel_says_what_to_do() {
    let root = container();
    let _mounted = mount_to(root.clone(), || {
        view! {
            <ErrorPanel error=ClientError::JiraForbidden {
                doing: "reading change histories",
                needs: "Browse projects on the projects the query covers",
                message: String::new(),
            } />
        }
    });
    tick().await;
    let panel = root.query_selector("[role=alert]").unwrap().unwrap();
    let all = panel.text_content().unwrap();
    assert!(
        all.contains("Jira refused reading change histories"),
        "{all}"
    );
    assert!(all.contains("Ask a Jira administrator"), "{all}");
}

#[wasm_bindgen_test]
async fn fields_tie_their_label_hint_and_problems_to_the_control() {
    let root = container();
    let problems = RwSignal::new(Vec::<String>::new());
    let _mounted = mount_to(root.clone(), move || {
        view! {
            <Field
                label="Name"
                hint="Shown in lists."
                problems=Signal::from(problems)
                control=|id, described| view! { <input id=id aria-describedby=described /> }
            />
        }
    });
    tick().await;
    let label = root.query_selector("label").unwrap().unwrap();
    let input = root.query_selector("input").unwrap().unwrap();
    assert_eq!(label.get_attribute("for"), input.get_attribute("id"));
    let described = input.get_attribute("aria-describedby").unwrap();
    for id in described.split(' ') {
        assert!(
            root.query_selector(&format!("#{id}")).unwrap().is_some(),
            "{id} is described by nothing"
        );
    }
    assert_eq!(text(&root, ".field-hint"), "Shown in lists.");

    problems.set(vec!["must be 1 to 200 characters, got 0".into()]);
    tick().await;
    assert!(root.query_selector(".field-invalid").unwrap().is_some());
    assert_eq!(
        text(&root, ".field-problems"),
        "must be 1 to 200 characters, got 0"
    );
}

#[wasm_bindgen_test]
async fn conflict_panel_shows_both_versions_and_offers_both_choices() {
    let root = container();
    let kept = RwSignal::new(false);
    let taken = RwSignal::new(false);
    let mine = serde_json::json!({"name": "Cycle", "jql": "project = DW"});
    let theirs = serde_json::json!({"name": "Cycle time", "jql": "project = DW"});
    let _mounted = mount_to(root.clone(), move || {
        view! {
            <ConflictPanel
                mine=mine.clone()
                theirs=theirs.clone()
                saved_by="Version 4 was saved by 5b10a at 10:00."
                on_keep_mine=Callback::new(move |_| kept.set(true))
                on_take_theirs=Callback::new(move |_| taken.set(true))
            />
        }
    });
    tick().await;
    let rows = root.query_selector_all("tbody tr").unwrap();
    assert_eq!(rows.length(), 1, "only the name differs");
    let row = rows.get(0).unwrap().text_content().unwrap();
    assert!(row.contains("Cycle") && row.contains("Cycle time"), "{row}");
    let json = root.query_selector("textarea").unwrap().unwrap();
    assert!(
        json.text_content().unwrap().contains("\"Cycle\""),
        "mine stays copyable"
    );
    let buttons = root.query_selector_all("button").unwrap();
    buttons
        .get(0)
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    buttons
        .get(1)
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    tick().await;
    assert!(kept.get_untracked() && taken.get_untracked());
}

fn page_origin() -> String {
    window().location().origin().unwrap()
}

/// The Direct transport through the browser's real `fetch`, against the test runner's own
/// HTTP server: statuses and bodies come through as Jira's would.
#[wasm_bindgen_test]
async fn direct_transport_reads_statuses_and_bodies_through_fetch() {
    let transport = DirectTransport::new(page_origin(), Credentials::Anonymous, BrowserHttp);
    let response = transport
        .send(JiraRequest::get("/rest/api/2/serverInfo"), &Cancel::new())
        .await
        .unwrap();
    assert_eq!(response.status, 404, "the test server has no Jira");
}

/// A `fetch` answer's body goes to the worker as the buffer it came in, transferred: the
/// page's buffer is detached (nothing was copied) and the other side reads the same bytes.
/// A string from all.js or the Forge bridge is posted as that very string.
#[wasm_bindgen_test]
async fn an_answers_buffer_is_transferred_and_a_string_posted_as_it_is() {
    let text = "{\"name\":\"café – naïve\"}";
    let buffer = js_sys::Uint8Array::from(text.as_bytes()).buffer();
    let body = Body::from_array_buffer(buffer.clone());
    assert_eq!(body.as_bytes(), text.as_bytes());
    let (value, transfer) = body.into_posted();
    let transfer = transfer.expect("a buffer to transfer");
    let channel = web_sys::MessageChannel::new().unwrap();
    let (tx, rx) = futures::channel::oneshot::channel();
    let on_message = wasm_bindgen::closure::Closure::once(move |e: web_sys::MessageEvent| {
        let _ = tx.send(e.data());
    });
    channel
        .port2()
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    channel
        .port1()
        .post_message_with_transferable(&value, &js_sys::Array::of1(&transfer))
        .unwrap();
    assert_eq!(buffer.byte_length(), 0, "transferred, so detached here");
    let received = rx.await.unwrap();
    assert_eq!(
        Body::from_posted(&received).unwrap().as_bytes(),
        text.as_bytes()
    );

    let string = js_sys::JsString::from(text);
    let body = Body::from_js_string(string.clone());
    assert_eq!(body.as_bytes(), text.as_bytes());
    let (value, transfer) = body.into_posted();
    assert!(transfer.is_none(), "a string is cloned, not transferred");
    assert!(Object::is(&value, &string), "the string as all.js gave it");
    assert_eq!(
        Body::from_posted(&value).unwrap().as_bytes(),
        text.as_bytes()
    );
}

#[wasm_bindgen_test]
async fn direct_transport_reports_unreachable_hosts_as_network_errors() {
    let transport = DirectTransport::new(
        "http://127.0.0.1:9".to_string(),
        Credentials::Token("secret".into()),
        BrowserHttp,
    );
    let answer = transport
        .send(JiraRequest::get("/rest/api/2/myself"), &Cancel::new())
        .await;
    assert!(
        matches!(answer, Err(TransportError::Network(_))),
        "{answer:?}"
    );
}

#[wasm_bindgen_test]
async fn cancelling_aborts_a_request_in_flight() {
    let transport = DirectTransport::new(page_origin(), Credentials::Anonymous, BrowserHttp);
    let cancel = Cancel::new();
    let mut request = Box::pin(transport.send(JiraRequest::get("/rest/api/3/search/jql"), &cancel));
    // Poll once: the fetch is now on the network, and cannot have answered yet.
    futures::future::poll_fn(|cx| {
        assert!(request.as_mut().poll(cx).is_pending());
        std::task::Poll::Ready(())
    })
    .await;
    cancel.cancel();
    assert_eq!(request.await, Err(TransportError::Cancelled));
}

/// Regression: inside Jira the reports page used to mount at once and ask the server for the
/// report list before all.js had loaded, so the list failed with "saved reports need Dwell
/// installed in Jira Cloud" on every first load. No page may mount until all.js is in.
#[wasm_bindgen_test]
async fn inside_jira_no_page_runs_before_all_js_has_loaded() {
    let history = web_sys::window().unwrap().history().unwrap();
    let original = client::platform::page_url();
    // A Connect page whose host (a loopback emulator, port 9: nothing listens) never serves
    // all.js, and which the server verified for that host.
    history
        .replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some("?xdm_e=http%3A%2F%2F127.0.0.1%3A9&jwt=e30.e30.x"),
        )
        .unwrap();
    let verified = verified_site_meta("http://127.0.0.1:9");
    let root = container();
    let mounted = mount_to(root.clone(), client::app::App);
    tick().await;
    let main = root.query_selector("main").unwrap().unwrap();
    let first = main.text_content().unwrap_or_default();
    assert!(first.contains("Connecting to Jira"), "{first}");
    assert!(!first.contains("Reports"), "a page mounted early: {first}");

    let mut shown = String::new();
    for _ in 0..100 {
        client::platform::sleep(50.0).await;
        shown = main.text_content().unwrap_or_default();
        if shown.contains("Dwell could not start") {
            break;
        }
    }
    assert!(shown.contains("Dwell could not start"), "{shown}");
    assert!(
        shown.contains("all.js"),
        "the error names what failed: {shown}"
    );
    assert!(
        !shown.contains("Cannot list the reports") && !shown.contains("Start from a template"),
        "no page runs without all.js: {shown}"
    );
    drop(mounted);
    verified.remove();
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&original))
        .unwrap();
}

/// The `<meta>` dwell-server adds to a page whose token verified for `site`.
fn verified_site_meta(site: &str) -> web_sys::Element {
    let meta = document().create_element("meta").unwrap();
    meta.set_attribute("name", client::env::VERIFIED_SITE_META)
        .unwrap();
    meta.set_attribute("content", site).unwrap();
    document().head().unwrap().append_child(&meta).unwrap();
    meta
}

/// Opens the app at `address` (query and fragment), runs `check` on its root, and puts the
/// test page's address back.
async fn with_app_at<F: Future<Output = ()>>(address: &str, check: impl FnOnce(HtmlElement) -> F) {
    let history = web_sys::window().unwrap().history().unwrap();
    let original = client::platform::page_url();
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(address))
        .unwrap();
    let root = container();
    let mounted = mount_to(root.clone(), client::app::App);
    tick().await;
    check(root).await;
    drop(mounted);
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&original))
        .unwrap();
}

/// Waits (up to 10 s) until the root's text contains `wanted`, and returns the text.
async fn until_text(root: &HtmlElement, wanted: &str) -> String {
    let mut shown = String::new();
    for _ in 0..200 {
        shown = root.text_content().unwrap_or_default();
        if shown.contains(wanted) {
            break;
        }
        client::platform::sleep(50.0).await;
    }
    shown
}

/// Regression (issue 13): a page with Connect's parameters ran as a Connect app wherever it
/// was served, so a copy of the client on another host, or a link the server never verified,
/// could make it load a script and ask for tokens as if inside Jira. Without the server's word
/// it is Direct.
#[wasm_bindgen_test]
async fn a_connect_address_the_server_did_not_verify_runs_direct() {
    with_app_at(
        "?xdm_e=http%3A%2F%2F127.0.0.1%3A9&jwt=e30.e30.x",
        |root| async move {
            let shown = until_text(&root, "Not connected to Jira").await;
            assert!(shown.contains("Not connected to Jira"), "{shown}");
            assert!(!shown.contains("Connecting to Jira"), "{shown}");
        },
    )
    .await;
}

fn input(root: &HtmlElement, selector: &str) -> web_sys::HtmlInputElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}

/// Issue 13: a link can open Dwell with a Jira address of the sender's choosing filled in. The
/// token typed under it goes nowhere until the person confirms that host; then it goes (here to
/// a port where nothing listens, so the attempt shows as a connection failure).
#[wasm_bindgen_test]
async fn a_linked_jira_address_gets_no_token_before_its_host_is_confirmed() {
    with_app_at(
        "?jira=http%3A%2F%2F127.0.0.1%3A9#/connection",
        |root| async move {
            let shown = until_text(&root, "Connect to Jira").await;
            assert!(shown.contains("127.0.0.1:9 is my Jira"), "{shown}");
            let token = input(&root, "input[type=password]");
            token.set_value("secret-token");
            token
                .dispatch_event(&web_sys::Event::new("input").unwrap())
                .unwrap();
            let submit = || {
                root.query_selector("button[type=submit]")
                    .unwrap()
                    .unwrap()
                    .unchecked_into::<HtmlElement>()
                    .click()
            };
            submit();
            tick().await;
            let refused = root.text_content().unwrap_or_default();
            assert!(
                refused.contains("confirm below that 127.0.0.1:9 is your Jira"),
                "{refused}"
            );
            // The refusal is the branch that sends nothing: no connection was tried.
            assert!(!refused.contains("Could not connect"), "{refused}");

            input(&root, "input[name=confirm-host]").click();
            tick().await;
            submit();
            let sent = until_text(&root, "Could not connect").await;
            assert!(sent.contains("Could not connect"), "{sent}");
        },
    )
    .await;
}
