//! Property-based API testing from the server's own OpenAPI document: schemathesis (Python,
//! from PyPI, installed by `cargo xtask test`'s setup step) reads `/api/openapi.json` from the
//! real app on loopback and sends every operation generated requests, valid and invalid, with
//! a site admin's context token (so the rights checks let the bodies reach the parsers and the
//! store). It holds that no answer is a 5xx and that every answer has a documented status,
//! content type and body schema. Deleting the site's data is left out: it would empty the
//! site under the run's feet (its own tests are in `transfer.rs`).
//!
//! A fixed seed keeps the run reproducible; the stateful phase (chains of calls) is left out
//! to keep the run short; `DWELL_SCHEMATHESIS_EXAMPLES` raises the number of cases per
//! operation (CI: 20).

use std::process::Command;

use crate::helpers::TestApp;

/// The checks that must hold for every answer (schemathesis's names).
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance";

fn examples() -> String {
    std::env::var("DWELL_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "20".into())
}

#[actix_web::test]
async fn schemathesis_finds_no_server_error_and_no_answer_off_the_schema() {
    let app = TestApp::spawn();
    let admin = app.install_admin("site", "admin-1").await;
    let token = admin.context_token();
    let junit = app.dir.path().join("schemathesis-junit.xml");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    // `st` is schemathesis's console script; running its entry point through the same Python
    // the setup step installed it for does not depend on where pip put the script.
    let out = Command::new(&python)
        .args([
            "-c",
            "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
            "run",
            &format!("{}/api/openapi.json", app.url),
            "--url",
            &app.url,
            "--header",
            &format!("Authorization: JWT {token}"),
            "--checks",
            CHECKS,
            "--exclude-path-regex",
            "^/api/v1/tenant$",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            &examples(),
            "--seed",
            "20261206",
            "--workers",
            "2",
            "--request-timeout",
            "10",
            "--report",
            "junit",
            "--report-junit-path",
        ])
        .arg(&junit)
        // schemathesis keeps its example database in the working directory.
        .current_dir(app.dir.path())
        .env("SCHEMATHESIS_HOOKS", "")
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {python}: {e}; install Python 3 (cargo xtask test does)")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("No module named 'schemathesis'"),
        "schemathesis is missing: run `cargo xtask test --only setup` (or pip install \
         schemathesis)\n{stderr}"
    );
    assert!(
        out.status.success(),
        "schemathesis found failures (exit {:?}):\n{stdout}\n{stderr}",
        out.status.code()
    );
    // The run reached the API: every operation but the excluded one was tested.
    let junit = std::fs::read_to_string(&junit).unwrap();
    let cases = junit.matches("<testcase ").count();
    assert!(
        cases >= 20,
        "only {cases} operations were tested:\n{stdout}"
    );
}
