//! `cargo xtask demo`: Dwell running on this machine the way it runs for a Jira Cloud site.
//!
//! The design decision: the demo takes the production path, not a shortcut. jira-sim plays the
//! Jira Cloud site. By default it is Forge's host for `forge/manifest.yml`: its page frames the
//! client (`dist/`, the app's Custom UI resource) from a CDN origin of its own under Forge's
//! policy, its bridge answers `requestJira` and `invokeRemote`, and it installs the app with a
//! lifecycle event to dwell-server, the app's remote, which verifies every Forge Invocation
//! Token against the simulated platform's keys. With `--connect` it is the Connect host (its
//! page embeds the app in an iframe, its all.js answers `AP.request` and
//! `AP.context.getToken`, and it installs the app through the signed `installed` lifecycle
//! call), and dwell-server serves the client from `dist/`. Both are built by cargo and run as child processes,
//! so the server never links the simulator. The example reports are saved through the server's
//! API as the site admin, the way the client reaches it on each platform.
//!
//! The seams: [`options`] (the command line), [`build`] (client and programs), [`children`]
//! (the child processes and their logs), [`http`] and [`api`] (the calls to the site and to
//! Dwell), [`examples`] (the example reports, typed files in `xtask/examples/`).

mod api;
mod build;
mod children;
mod examples;
mod http;
mod options;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

use crate::Result;
use crate::tools::root;

use api::{Api, Channel, context_token, site_session};
use build::{build_client, build_programs, prebuilt_programs};
use children::{Children, catch_stop_signals, ports_free, wait_until_ok};
use examples::{DEFAULT_REPORT, Examples};
use http::{Http, text};
use options::{Options, USAGE};

/// jira-sim's site admin, who saves the example reports.
const ADMIN: &str = "ada";

pub fn run(args: &[String]) -> Result {
    let Some(o) = Options::parse(args)? else {
        print!("{USAGE}");
        return Ok(());
    };
    ports_free([("--port", o.port), ("--sim-port", o.sim_port)])?;
    // Read before anything is built or started: a broken example stops the demo at once.
    let examples = Examples::in_repository()?;
    let root = root();
    let (server_bin, sim_bin) = if o.build {
        build_client()?;
        build_programs(o.release)?
    } else {
        prebuilt_programs(o.release)?
    };
    if !root.join("dist/index.html").is_file() {
        return Err("no client in dist/: run without --no-build".into());
    }

    // From here on, Ctrl-C (and SIGTERM, SIGHUP) stops the children and ends the demo.
    let stop = Arc::new(AtomicBool::new(false));
    catch_stop_signals(&stop)?;
    let data = root.join("data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let mut children = Children::default();

    // On Forge, jira-sim starts first: it reads the app's manifest, whose id the server needs.
    let sim_log = data.join("jira-sim.log");
    let sim_command = || {
        let mut sim = Command::new(&sim_bin);
        sim.args(["serve", "--port", &o.sim_port.to_string()])
            .args(["--issues", &o.issues.to_string()])
            .args(["--seed", &o.seed.to_string()]);
        sim
    };
    let http = Http::new();
    let forge = if o.connect {
        None
    } else {
        eprintln!(
            "== starting jira-sim on {} as the Forge host of forge/manifest.yml ({} issues, seed {})",
            o.sim_url(),
            o.issues,
            o.seed
        );
        let mut sim = sim_command();
        sim.arg("--forge-manifest")
            .arg(root.join("forge/manifest.yml"))
            .arg("--forge-resource")
            .arg(format!("client={}", root.join("dist").display()))
            .args(["--forge-remote", &format!("dwell={}", o.app_url())]);
        children.spawn("jira-sim", sim, &sim_log)?;
        let apps = format!("{}/_sim/forge/apps", o.sim_url());
        wait_until_ok(&http, &apps, &mut children, &stop)?;
        Some(ForgeApp::read(&http.json("GET", &apps, None, None)?)?)
    };

    eprintln!("== starting dwell-server on {}", o.app_url());
    let mut server = Command::new(&server_bin);
    server
        .arg("--listen")
        .arg(format!("127.0.0.1:{}", o.port))
        .args(["--base-url", &o.app_url()])
        .arg("--database")
        .arg(data.join("dwell.sqlite3"))
        .arg("--static-dir")
        .arg(root.join("dist"))
        // Signed installs are verified with the simulated site's key, and the client page may
        // load the simulated site's all.js.
        .args([
            "--install-keys-url",
            &format!("{}/connect-install-keys", o.sim_url()),
        ])
        .args(["--csp-script-src", &o.sim_url()]);
    if let Some(app) = &forge {
        // The app's remote: Forge Invocation Tokens of the simulated platform's keys.
        server
            .args(["--forge-app-id", &app.id])
            .args(["--forge-environment", &app.environment_type])
            .args([
                "--forge-jwks-url",
                &format!("{}/.well-known/jwks.json", o.sim_url()),
            ]);
    }
    children.spawn("dwell-server", server, &data.join("dwell-server.log"))?;

    if forge.is_none() {
        eprintln!(
            "== starting jira-sim on {} ({} issues, seed {})",
            o.sim_url(),
            o.issues,
            o.seed
        );
        children.spawn("jira-sim", sim_command(), &sim_log)?;
    }
    for url in [
        format!("{}/health/ready", o.app_url()),
        format!("{}/_sim/info", o.sim_url()),
    ] {
        wait_until_ok(&http, &url, &mut children, &stop)?;
    }

    let info = http.json("GET", &format!("{}/_sim/info", o.sim_url()), None, None)?;
    let logins: Vec<&str> = info["users"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["login"].as_str())
        .collect();
    if !logins.contains(&o.user.as_str()) {
        return Err(format!(
            "jira-sim has no user {:?}; pick one of {}",
            o.user,
            logins.join(", ")
        ));
    }

    let open = match &forge {
        Some(app) => forge_site(&http, &o, app, &examples)?,
        None => connect_site(&http, &o, &examples)?,
    };
    let (platform, first) = if forge.is_some() {
        (
            "Forge app",
            "it lists the example reports: open one to run it",
        )
    } else {
        (
            "Connect app",
            &*format!("it runs the report \u{201c}{DEFAULT_REPORT}\u{201d}"),
        )
    };
    println!(
        "\n\
         Dwell is running as a {platform} inside a simulated Jira Cloud site. Open:\n\
         \n    {open}\n\n\
         That is Jira's page for the app, signed in as {user}; {first}.\n\
         Other users: replace user={user} with ben, chloe, dev, ... (ada is the site admin).\n\
         jira-sim: {sim} ({issues} issues, seed {seed})   dwell-server: {app}\n\
         Data in data/, logs in data/dwell-server.log and data/jira-sim.log. Ctrl-C stops everything.",
        user = o.user,
        sim = o.sim_url(),
        issues = o.issues,
        seed = o.seed,
        app = o.app_url(),
    );

    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        children.check()?;
    }
    eprintln!("\n== stopping");
    children.stop();
    eprintln!("== stopped jira-sim and dwell-server");
    Ok(())
}

/// The Forge app jira-sim plays, as `/_sim/forge/apps` describes it.
struct ForgeApp {
    /// The app id (`ari:cloud:ecosystem::app/<uuid>`).
    id: String,
    environment_id: String,
    environment_type: String,
    /// The `jira:globalPage` module's key.
    global_page: String,
}

impl ForgeApp {
    fn read(described: &serde_json::Value) -> Result<ForgeApp> {
        let app = &described["app"];
        let global_page = app["pages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["kind"] == "jira:globalPage")
            .map(|p| text(&p["key"], "the global page's key"))
            .transpose()?
            .ok_or("the manifest has no jira:globalPage module")?;
        Ok(ForgeApp {
            id: text(&app["id"], "the app id")?,
            environment_id: text(&described["environment"]["id"], "the environment id")?,
            environment_type: text(&described["environment"]["type"], "the environment type")?,
            global_page,
        })
    }

    fn uuid(&self) -> &str {
        self.id.rsplit('/').next().unwrap_or(&self.id)
    }
}

/// Connect: jira-sim installs Dwell through the signed lifecycle, the examples are saved with a
/// context token; the address opens the first report.
fn connect_site(http: &Http, o: &Options, examples: &Examples) -> Result<String> {
    eprintln!("== jira-sim installs Dwell (signed Connect lifecycle)");
    let descriptor = http.json(
        "GET",
        &format!("{}/atlassian-connect.json", o.app_url()),
        None,
        None,
    )?;
    let app_key = text(&descriptor["key"], "the descriptor's key")?;
    let module = text(
        &descriptor["modules"]["generalPages"][0]["key"],
        "the descriptor's general page",
    )?;
    http.json(
        "POST",
        &format!("{}/_sim/connect/install", o.sim_url()),
        None,
        Some(&json!({"appUrl": o.app_url()})),
    )?;

    eprintln!("== saving the example reports (as {ADMIN}, with a context token)");
    let token = context_token(http, &o.sim_url(), &app_key, &module, ADMIN)?;
    let api = Api {
        http,
        channel: Channel::Connect {
            base: format!("{}/api/v1", o.app_url()),
            authorization: format!("JWT {token}"),
        },
    };
    let default_report = examples.seed(&api)?;
    Ok(format!(
        "{}/plugins/servlet/ac/{app_key}/{module}?user={}&ac.route={}",
        o.sim_url(),
        o.user,
        query_value(&format!("#/reports/{default_report}"))
    ))
}

/// Forge: jira-sim installs the app (`avi:forge:installed:app` to the server's lifecycle
/// route, ada the installer and so Dwell's first admin), the examples are saved through
/// `invokeRemote` as ada; the address is the app's global page.
fn forge_site(http: &Http, o: &Options, app: &ForgeApp, examples: &Examples) -> Result<String> {
    eprintln!("== jira-sim installs Dwell as a Forge app (lifecycle event to dwell-server)");
    http.json(
        "POST",
        &format!("{}/_sim/forge/install", o.sim_url()),
        None,
        Some(&json!({"user": ADMIN})),
    )?;
    let page = format!(
        "{}/jira/apps/{}/{}",
        o.sim_url(),
        app.uuid(),
        app.environment_id
    );
    eprintln!("== saving the example reports (as {ADMIN}, through invokeRemote)");
    let api = Api {
        http,
        channel: Channel::Forge {
            sim: o.sim_url(),
            module: app.global_page.clone(),
            cookie: site_session(http, &page, ADMIN)?,
        },
    };
    examples.seed(&api)?;
    Ok(format!("{page}?user={}", o.user))
}

/// What a query-string value keeps unescaped: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Encodes a query-string value: everything but unreserved characters is escaped.
fn query_value(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_travels_as_one_query_value() {
        assert_eq!(query_value("#/reports/rep_1a"), "%23%2Freports%2Frep_1a");
        assert_eq!(query_value("a b~é"), "a%20b~%C3%A9");
    }
}
