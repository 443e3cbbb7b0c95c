//! `cargo xtask test`: every check CI runs, in order, failing on the first that fails.

use std::time::Instant;

use crate::Result;
use crate::client;
use crate::tools::{self, cargo};

/// The crates that must build for the browser as well as natively (BRIEF.md invariant 4).
const WASM_CRATES: &[&str] = &["config", "engine"];

struct Step {
    name: &'static str,
    what: &'static str,
    run: fn() -> Result,
}

fn steps() -> Vec<Step> {
    vec![
        Step {
            name: "setup",
            what: "install what is missing",
            run: setup,
        },
        Step {
            name: "fmt",
            what: "formatting (rustfmt, and leptosfmt for view! macros)",
            run: fmt,
        },
        Step {
            name: "modules",
            what: "no import cycle between any crate's top-level modules; server auth/ apart from state",
            run: crate::modules::check,
        },
        Step {
            name: "clippy",
            what: "lints, warnings denied",
            run: clippy,
        },
        Step {
            name: "wasm",
            what: "config and engine build for wasm32",
            run: wasm,
        },
        Step {
            name: "unit",
            what: "cargo tests of every crate",
            run: unit,
        },
        Step {
            name: "engine-bench",
            what: "engine benchmark runs once on a small data set",
            run: bench,
        },
        Step {
            name: "server-load",
            what: "the server's load benchmark builds and a short run has no errors",
            run: server_load,
        },
        Step {
            name: "client",
            what: "browser client: wasm lints, trunk build, first-download budget",
            run: client::build,
        },
        Step {
            name: "forge",
            what: "the Forge app: client packaged, manifest checked by Atlassian's @forge/manifest",
            run: crate::forge::check,
        },
        Step {
            name: "browser",
            what: "browser client: wasm-bindgen tests in headless Chromium",
            run: client::browser_tests,
        },
        Step {
            name: "e2e",
            what: "end to end in headless Chromium: every user flow and the privacy proof",
            run: e2e,
        },
    ]
}

pub fn run(args: &[String]) -> Result {
    let all = steps();
    let mut only = Vec::new();
    let mut skip = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--list" => {
                for s in &all {
                    println!("{:<10} {}", s.name, s.what);
                }
                return Ok(());
            }
            "--only" => only.push(it.next().ok_or("--only needs a step name")?.clone()),
            "--skip" => skip.push(it.next().ok_or("--skip needs a step name")?.clone()),
            other => return Err(format!("unknown option {other:?} (try --list)")),
        }
    }
    for name in only.iter().chain(&skip) {
        if !all.iter().any(|s| s.name == name) {
            return Err(format!("no step named {name:?} (try --list)"));
        }
    }
    let started = Instant::now();
    for step in all {
        let selected = only.is_empty() || only.iter().any(|n| n == step.name);
        if !selected || skip.iter().any(|n| n == step.name) {
            continue;
        }
        eprintln!("\n== {}: {}", step.name, step.what);
        let t = Instant::now();
        (step.run)().map_err(|e| format!("step {} failed: {e}", step.name))?;
        eprintln!("== {} ok in {:.1}s", step.name, t.elapsed().as_secs_f64());
    }
    eprintln!(
        "\nall steps passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Installs what is missing. The installs run side by side: the two `cargo install`s keep the
/// cores busy while apt, npm and pip wait on the network.
fn setup() -> Result {
    tools::ensure_rust_component("rustfmt", &["fmt", "--version"])?;
    tools::ensure_rust_component("clippy", &["clippy", "--version"])?;
    tools::ensure_rust_target("wasm32-unknown-unknown")?;
    let installs: [fn() -> Result; 7] = [
        tools::ensure_trunk,
        // The fmt step checks the `view!` macros with it.
        tools::ensure_leptosfmt,
        tools::ensure_wasm_bindgen,
        tools::ensure_wasm_opt,
        tools::ensure_chromium,
        // The Forge manifest is validated with Atlassian's own package, under node.
        tools::ensure_forge_npm,
        // jira-sim's tests run these third-party Jira clients against the simulator; the
        // server's API attack suite runs schemathesis against the server's OpenAPI document.
        || {
            tools::ensure_python_packages(
                &[
                    "jira==3.10.5",
                    "atlassian-python-api==5.0.5",
                    "schemathesis==4.32.5",
                ],
                &["jira", "atlassian", "schemathesis"],
            )
        },
    ];
    let failures: Vec<String> = std::thread::scope(|s| {
        let running: Vec<_> = installs.iter().map(|install| s.spawn(install)).collect();
        running
            .into_iter()
            .filter_map(|handle| match handle.join() {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(_) => Some("an install panicked".to_string()),
            })
            .collect()
    });
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// rustfmt for Rust, then leptosfmt for the Leptos `view!` macros that rustfmt does not
/// format (the client's pages). A tree formatted by `leptosfmt` run twice (its first pass is
/// not always idempotent) and then `cargo fmt` passes both checks.
fn fmt() -> Result {
    tools::run(cargo().args(["fmt", "--all", "--check"]))?;
    let client = tools::root().join("crates/client/src");
    tools::run(tools::tool("leptosfmt").arg("--check").arg(client)).map_err(|e| {
        format!(
            "{e}: format the view! macros with `leptosfmt crates/client/src` (twice), then `cargo fmt --all` (leptosfmt {} is installed by `cargo xtask test --only setup`)",
            tools::LEPTOSFMT
        )
    })
}

fn clippy() -> Result {
    tools::run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))
}

fn wasm() -> Result {
    let mut cmd = cargo();
    cmd.args(["build", "--target", "wasm32-unknown-unknown"]);
    for c in WASM_CRATES {
        cmd.args(["-p", c]);
    }
    tools::run(&mut cmd)?;
    // The XLSX encoder is optional in the browser bundle, but must build there too.
    tools::run(cargo().args([
        "build",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "engine",
        "--features",
        "xlsx",
    ]))
}

/// Every crate's tests but the end-to-end package, which needs the client build (`e2e`).
fn unit() -> Result {
    tools::run(cargo().args(["test", "--workspace", "--all-features", "--exclude", "e2e"]))
}

/// The end-to-end tests (`tests/`): jira-sim, dwell-server behind a recording proxy and
/// headless Chromium, over the trunk build the `client` step made. Two sites at a time: each
/// test starts its own, and CI has two cores.
fn e2e() -> Result {
    tools::run(cargo().args([
        "build", "--bins", "-p", "jira-sim", "-p", "server", "-p", "cli",
    ]))?;
    let chromium = tools::chromium().ok_or("chromium is not installed (run setup)")?;
    let driver = tools::chromedriver().ok_or("chromedriver is not installed (run setup)")?;
    tools::run(
        cargo()
            .args(["test", "-p", "e2e", "--", "--test-threads", "2"])
            .env("CHROMIUM", chromium)
            .env("CHROMEDRIVER", driver),
    )
}

/// Criterion without `--bench` runs each benchmark once (on 1k issues, see
/// `crates/engine/benches/engine.rs`): the bench keeps compiling and working. Figures come
/// from `cargo bench -p engine` and docs/PERFORMANCE.md.
fn bench() -> Result {
    tools::run(cargo().args(["test", "-p", "engine", "--bench", "engine"]))
}

/// The server's loopback load benchmark, as a 3-second smoke run in the test profile: it
/// proves the benchmark builds and that the server answers every request. The 60-second
/// measurement is `cargo bench -p server --bench load` (docs/PERFORMANCE.md).
fn server_load() -> Result {
    tools::run(cargo().args(["test", "-p", "server", "--all-features", "--bench", "load"]))
}
