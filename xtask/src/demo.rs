//! `cargo xtask demo`: Dwell running on this machine the way it runs for a Jira Cloud site.
//!
//! The design decision: the demo takes the production path, not a shortcut. jira-sim plays the
//! Jira Cloud site (its host page embeds the app in an iframe, its all.js answers `AP.request`
//! and `AP.context.getToken`, and it installs the app through the signed `installed`
//! lifecycle call); dwell-server is the app, serving the client from `dist/` and verifying
//! every token as it would for Atlassian. Both are built by cargo and run as child processes,
//! so the server never links the simulator. The example reports are saved through the server's
//! API with a context token the simulated site minted, like any user's.

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use crate::Result;
use crate::client;
use crate::tools::{self, cargo, root};

pub const USAGE: &str = "\
usage: cargo xtask demo [options]

Builds the browser client and the two programs, starts jira-sim (a simulated Jira Cloud site)
and dwell-server, installs Dwell on the site through the Connect lifecycle, saves example
reports, and prints the address to open. Ctrl-C stops everything.

options:
  --port PORT       dwell-server's port [default: 8080]
  --sim-port PORT   jira-sim's port [default: 8081]
  --issues N        issues jira-sim generates [default: 3000]
  --seed S          jira-sim's seed: the same seed and count give the same data [default: 1]
  --user LOGIN      who the printed address signs in: ada (site admin), or ben, chloe, dev,
                    eve, femi, gus, hana, ivan, jo [default: ada]
  --no-build        use the client in dist/ and the binaries already built
  --release         build and run the optimised binaries
  -h, --help        this text

Dwell's database and secret key are kept in data/ (delete it to start afresh); the programs'
logs go to data/dwell-server.log and data/jira-sim.log.
";

/// The report the printed address opens and runs.
const DEFAULT_REPORT: &str = "Time in status per issue";

/// jira-sim's site admin, who saves the example reports.
const ADMIN: &str = "ada";

/// What the demo's reports ask Jira for: every project jira-sim generates.
const JQL: &str = "project in (PLAT, WEB, DATA, MOB) ORDER BY key";

struct Options {
    port: u16,
    sim_port: u16,
    issues: u32,
    seed: u64,
    user: String,
    build: bool,
    release: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Option<Options>> {
        let mut o = Options {
            port: 8080,
            sim_port: 8081,
            issues: 3000,
            seed: 1,
            user: "ada".into(),
            build: true,
            release: false,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value (see --help)"))
            };
            match a.as_str() {
                "-h" | "--help" => return Ok(None),
                "--port" => o.port = number("--port", &value("--port")?)?,
                "--sim-port" => o.sim_port = number("--sim-port", &value("--sim-port")?)?,
                "--issues" => o.issues = number("--issues", &value("--issues")?)?,
                "--seed" => o.seed = number("--seed", &value("--seed")?)?,
                "--user" => o.user = value("--user")?,
                "--no-build" => o.build = false,
                "--release" => o.release = true,
                other => return Err(format!("unknown option {other:?} (see --help)")),
            }
        }
        if o.port == o.sim_port {
            return Err("--port and --sim-port must differ".into());
        }
        if o.issues == 0 {
            return Err("--issues must be at least 1".into());
        }
        Ok(Some(o))
    }

    fn app_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn sim_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.sim_port)
    }
}

fn number<T: std::str::FromStr>(name: &str, v: &str) -> Result<T> {
    v.parse()
        .map_err(|_| format!("{name} takes a number, got {v:?}"))
}

pub fn run(args: &[String]) -> Result {
    let Some(o) = Options::parse(args)? else {
        print!("{USAGE}");
        return Ok(());
    };
    for (flag, port) in [("--port", o.port), ("--sim-port", o.sim_port)] {
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
            format!(
                "port {port} is not free ({e}): is a demo already running? Pick another with {flag}"
            )
        })?;
    }
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
    children.spawn("dwell-server", server, &data.join("dwell-server.log"))?;

    eprintln!(
        "== starting jira-sim on {} ({} issues, seed {})",
        o.sim_url(),
        o.issues,
        o.seed
    );
    let mut sim = Command::new(&sim_bin);
    sim.args(["serve", "--port", &o.sim_port.to_string()])
        .args(["--issues", &o.issues.to_string()])
        .args(["--seed", &o.seed.to_string()]);
    children.spawn("jira-sim", sim, &data.join("jira-sim.log"))?;

    let http = Http::new();
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
    let token = context_token(&http, &o.sim_url(), &app_key, &module, ADMIN)?;
    let api = Api {
        http: &http,
        base: format!("{}/api/v1", o.app_url()),
        authorization: format!("JWT {token}"),
    };
    let default_report = seed(&api)?;

    let open = format!(
        "{}/plugins/servlet/ac/{app_key}/{module}?user={}&ac.route={}",
        o.sim_url(),
        o.user,
        percent_encode(&format!("#/reports/{default_report}"))
    );
    println!(
        "\n\
         Dwell is running inside a simulated Jira Cloud site. Open:\n\
         \n    {open}\n\n\
         That is Jira's page for the app, signed in as {user}; it runs the report \u{201c}{DEFAULT_REPORT}\u{201d}.\n\
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

/// Installs what the client build needs and builds `dist/` (release), unless `dist/` is newer
/// than every source it is built from.
fn build_client() -> Result {
    tools::ensure_rust_target("wasm32-unknown-unknown")?;
    tools::ensure_trunk()?;
    tools::ensure_wasm_bindgen()?;
    tools::ensure_wasm_opt()?;
    let root = root();
    let built = modified(&root.join("dist/index.html"));
    let sources = [
        "crates/client",
        "crates/config",
        "crates/engine",
        "index.html",
        "Trunk.toml",
        "Cargo.lock",
    ]
    .iter()
    .filter_map(|p| newest(&root.join(p)))
    .max();
    match (built, sources) {
        (Some(built), Some(sources)) if built >= sources => {
            eprintln!("== the client in dist/ is up to date");
            Ok(())
        }
        _ => {
            eprintln!("== building the client (trunk, release)");
            client::trunk_build()
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file or of any file under a directory.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| newest(&e.path()))
        .max()
}

const PROGRAMS: [(&str, &str); 2] = [("server", "dwell-server"), ("jira-sim", "jira-sim")];

/// Builds dwell-server and jira-sim; returns their paths, as cargo reports them.
fn build_programs(release: bool) -> Result<(PathBuf, PathBuf)> {
    eprintln!("== building dwell-server and jira-sim");
    let mut cmd = cargo();
    cmd.args(["build", "--message-format=json-render-diagnostics"]);
    if release {
        cmd.arg("--release");
    }
    for (package, bin) in PROGRAMS {
        cmd.args(["-p", package, "--bin", bin]);
    }
    let out = cmd
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err("building dwell-server and jira-sim failed".into());
    }
    let mut found = [None, None];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let (Some(name), Some(exe)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) else {
            continue;
        };
        for (i, (_, bin)) in PROGRAMS.iter().enumerate() {
            if name == *bin {
                found[i] = Some(PathBuf::from(exe));
            }
        }
    }
    match found {
        [Some(server), Some(sim)] => Ok((server, sim)),
        _ => Err("cargo built, but did not name both executables".into()),
    }
}

/// The binaries a previous build left in the target directory.
fn prebuilt_programs(release: bool) -> Result<(PathBuf, PathBuf)> {
    let metadata = tools::output(cargo().args(["metadata", "--format-version=1", "--no-deps"]))
        .ok_or("cargo metadata failed")?;
    let metadata: Value =
        serde_json::from_str(&metadata).map_err(|e| format!("cargo metadata: {e}"))?;
    let target = PathBuf::from(text(&metadata["target_directory"], "the target directory")?);
    let dir = target.join(if release { "release" } else { "debug" });
    let path = |bin: &str| {
        let p = dir.join(bin);
        if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "{} is not built: run without --no-build",
                p.display()
            ))
        }
    };
    Ok((path(PROGRAMS[0].1)?, path(PROGRAMS[1].1)?))
}

/// The demo's child processes. Dropping them stops them, so no error path leaves one behind.
#[derive(Default)]
struct Children(Vec<(&'static str, Child, PathBuf)>);

impl Children {
    fn spawn(&mut self, name: &'static str, mut cmd: Command, log: &Path) -> Result {
        let file = std::fs::File::create(log)
            .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let err = file
            .try_clone()
            .map_err(|e| format!("cannot open {}: {e}", log.display()))?;
        let child = cmd
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        self.0.push((name, child, log.to_path_buf()));
        Ok(())
    }

    /// Fails when a child has exited, with the end of its log.
    fn check(&mut self) -> Result {
        for (name, child, log) in &mut self.0 {
            if let Ok(Some(status)) = child.try_wait() {
                let text = std::fs::read_to_string(&*log).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(15)..].join("\n");
                return Err(format!(
                    "{name} stopped ({status}); the end of {}:\n{tail}",
                    log.display()
                ));
            }
        }
        Ok(())
    }

    /// Asks every child to stop (SIGINT, as Ctrl-C does: both servers shut down and close
    /// their files), then kills whichever has not within ten seconds, and reaps them all.
    fn stop(&mut self) {
        for (_, child, _) in &self.0 {
            interrupt(child);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for (name, child, _) in &mut self.0 {
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Ok(None) => {
                        eprintln!("{name} did not stop in time: killing it");
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                }
            }
        }
        self.0.clear();
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sets `stop` on Ctrl-C (SIGINT), SIGTERM and SIGHUP instead of dying, so the children are
/// stopped first.
#[cfg(unix)]
fn catch_stop_signals(stop: &Arc<AtomicBool>) -> Result {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register(signal, stop.clone())
            .map_err(|e| format!("cannot handle signal {signal}: {e}"))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn catch_stop_signals(_stop: &Arc<AtomicBool>) -> Result {
    Ok(())
}

#[cfg(unix)]
fn interrupt(child: &Child) {
    use rustix::process::{Pid, Signal, kill_process};
    // A child already gone (Ctrl-C reached it first) answers ESRCH: nothing to do.
    let _ = kill_process(Pid::from_child(child), Signal::INT);
}

#[cfg(not(unix))]
fn interrupt(_child: &Child) {}

/// Polls an address until it answers 200, while watching the children and Ctrl-C.
fn wait_until_ok(http: &Http, url: &str, children: &mut Children, stop: &AtomicBool) -> Result {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err("interrupted".into());
        }
        children.check()?;
        if http.status(url) == Some(200) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{url} did not answer within two minutes"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A blocking HTTP client over loopback.
struct Http(ureq::Agent);

struct Answer {
    status: u16,
    set_cookie: Option<String>,
    body: String,
}

impl Http {
    fn new() -> Http {
        Http(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into(),
        )
    }

    fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Answer> {
        let mut request = ureq::http::Request::builder().method(method).uri(url);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let sent = match body {
            Some(body) => self.0.run(
                request
                    .header("Content-Type", "application/json")
                    .body(body.to_string())
                    .map_err(|e| format!("{method} {url}: {e}"))?,
            ),
            None => self.0.run(
                request
                    .body(())
                    .map_err(|e| format!("{method} {url}: {e}"))?,
            ),
        };
        let mut response = sent.map_err(|e| format!("{method} {url}: {e}"))?;
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut text = String::new();
        response
            .body_mut()
            .as_reader()
            .read_to_string(&mut text)
            .map_err(|e| format!("{method} {url}: {e}"))?;
        Ok(Answer {
            status: response.status().as_u16(),
            set_cookie,
            body: text,
        })
    }

    fn status(&self, url: &str) -> Option<u16> {
        self.send("GET", url, &[], None).ok().map(|a| a.status)
    }

    /// Sends a request and reads a JSON answer, failing on any status but 200, 201 and 204.
    fn json(
        &self,
        method: &str,
        url: &str,
        authorization: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut headers = vec![("Accept", "application/json")];
        if let Some(a) = authorization {
            headers.push(("Authorization", a));
        }
        let answer = self.send(method, url, &headers, body)?;
        if !matches!(answer.status, 200 | 201 | 204) {
            return Err(format!(
                "{method} {url} answered {}: {}",
                answer.status, answer.body
            ));
        }
        if answer.body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&answer.body)
            .map_err(|e| format!("{method} {url}: not JSON ({e}): {}", answer.body))
    }
}

fn text(v: &Value, what: &str) -> Result<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{what} is missing"))
}

/// A context token for `user`, minted by the simulated site as all.js's
/// `AP.context.getToken()` gets one: open the app's page (which signs the user in), then ask
/// the site for a token with that session.
fn context_token(
    http: &Http,
    sim: &str,
    app_key: &str,
    module: &str,
    user: &str,
) -> Result<String> {
    let page = http.send(
        "GET",
        &format!("{sim}/plugins/servlet/ac/{app_key}/{module}?user={user}"),
        &[],
        None,
    )?;
    if page.status != 200 {
        return Err(format!(
            "jira-sim would not show Dwell's page to {user:?} ({}): {}",
            page.status, page.body
        ));
    }
    let cookie = page
        .set_cookie
        .as_deref()
        .and_then(|c| c.split(';').next())
        .ok_or("jira-sim's page opened no session")?
        .to_string();
    let answer = http.send(
        "GET",
        &format!("{sim}/plugins/servlet/ac-token/{app_key}"),
        &[("Cookie", &cookie)],
        None,
    )?;
    let token: Value = serde_json::from_str(&answer.body)
        .map_err(|_| format!("jira-sim gave no context token: {}", answer.body))?;
    text(&token["token"], "the context token")
}

/// Dwell's API as the demo user.
struct Api<'a> {
    http: &'a Http,
    base: String,
    authorization: String,
}

impl Api<'_> {
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        self.http.json(
            method,
            &format!("{}{path}", self.base),
            Some(&self.authorization),
            body,
        )
    }

    /// Creates each of `wanted` whose name is not saved yet; returns every name's id.
    fn ensure_named(
        &self,
        path: &str,
        field: &str,
        wanted: Vec<Value>,
    ) -> Result<Vec<(String, String)>> {
        let listed = self.call("GET", path, None)?;
        let mut ids: Vec<(String, String)> = listed
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                Some((
                    r.get(field)?.get("name")?.as_str()?.to_string(),
                    r.get("id")?.as_str()?.to_string(),
                ))
            })
            .collect();
        for body in wanted {
            let name = text(&body["name"], "a name")?;
            if ids.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let created = self.call("POST", path, Some(&body))?;
            ids.push((name, text(&created["id"], "the new id")?));
        }
        Ok(ids)
    }
}

fn id_of(ids: &[(String, String)], name: &str) -> Result<String> {
    ids.iter()
        .find(|(n, _)| n == name)
        .map(|(_, id)| id.clone())
        .ok_or_else(|| format!("{name:?} was not saved"))
}

/// Saves the example status groups, calendar and reports that are not there yet (matched by
/// name, so a second demo adds nothing); returns the id of [`DEFAULT_REPORT`].
fn seed(api: &Api) -> Result<String> {
    let status = |name: &str| json!({"name": name});
    let groups = api.ensure_named(
        "/status-groups",
        "group",
        vec![
            json!({"name": "Cycle time", "statuses": [
                status("In Progress"), status("Review"), status("QA")]}),
            json!({"name": "Lead time", "statuses": [
                status("To Do"), status("In Progress"), status("Review"), status("QA"),
                status("Blocked")]}),
        ],
    )?;
    let day = json!([{"start": "09:00:00", "end": "17:00:00"}]);
    let holiday = |date: &str, name: &str| json!({"date": date, "name": name, "annual": false});
    let calendars = api.ensure_named(
        "/calendars",
        "calendar",
        vec![json!({
            "name": "Berlin office",
            "timeZone": "Europe/Berlin",
            "week": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
            "holidays": [
                {"date": "2026-01-01", "name": "New Year's Day", "annual": true},
                holiday("2026-04-03", "Good Friday"),
                holiday("2026-04-06", "Easter Monday"),
                {"date": "2026-05-01", "name": "Labour Day", "annual": true},
                holiday("2026-05-14", "Ascension Day"),
                holiday("2026-05-25", "Whit Monday"),
                {"date": "2026-10-03", "name": "German Unity Day", "annual": true},
                {"date": "2026-12-25", "name": "Christmas Day", "annual": true},
                {"date": "2026-12-26", "name": "St Stephen's Day", "annual": true},
            ]
        })],
    )?;
    let cycle = id_of(&groups, "Cycle time")?;
    let lead = id_of(&groups, "Lead time")?;
    let berlin = id_of(&calendars, "Berlin office")?;
    let statistics = json!({"functions": [
        {"type": "count"}, {"type": "mean"}, {"type": "median"}, {"type": "percentile", "p": 85}]});
    let report = |name: &str, description: &str, rest: Value| {
        let mut config = json!({
            "schemaVersion": 1,
            "name": name,
            "description": description,
            "jql": JQL,
        });
        if let (Some(c), Some(r)) = (config.as_object_mut(), rest.as_object()) {
            c.extend(r.clone());
        }
        json!({"config": config})
    };
    let reports = vec![
        report(
            DEFAULT_REPORT,
            "How long each issue spent in each status until it was done, with its summary \
             and assignee.",
            json!({
                "kind": {"type": "timeInStatus", "multiVisit": "total"},
                "columns": {"fields": ["summary", "assignee"], "hidden": [status("Done")]},
                "aggregation": statistics,
            }),
        ),
        report(
            "Lead and cycle time",
            "Lead time (every status before Done) and cycle time (In Progress, Review and \
             QA) per issue, from saved status groups, with their median and 85th percentile.",
            json!({
                "kind": {"type": "timeInStatus", "multiVisit": "total"},
                "columns": {"metrics": [
                    {"type": "group", "group": lead},
                    {"type": "group", "group": cycle},
                    {"type": "status", "status": status("Blocked")},
                ], "fields": ["issuetype"]},
                "aggregation": statistics,
            }),
        ),
        report(
            "Cycle time and throughput per week",
            "Issues finished each week, and how long they took from In Progress to Done.",
            json!({
                "kind": {"type": "throughput", "period": "week",
                         "start": [status("In Progress")], "done": [status("Done")]},
            }),
        ),
        report(
            "Cumulative flow, August to October",
            "How many issues were in each status, day by day.",
            json!({
                "kind": {"type": "statusPerDay", "from": "2026-08-01", "to": "2026-10-31"},
            }),
        ),
        report(
            "Time with each assignee",
            "How long each issue sat with each person.",
            json!({"kind": {"type": "assigneeTime"}}),
        ),
        report(
            "Business time in status, Berlin office",
            "Time in each status until done, counted in the Berlin office's working hours (9 \
             to 5, Monday to Friday, public holidays off), in business days of 8 hours.",
            json!({
                "kind": {"type": "timeInStatus", "multiVisit": "total"},
                "columns": {"hidden": [status("Done")]},
                "calendar": {"type": "saved", "id": berlin},
                "durationFormat": {"type": "businessDays", "hoursPerDay": 8.0, "decimals": 1},
                "aggregation": statistics,
            }),
        ),
    ];
    let listed = api.call("GET", "/reports", None)?;
    let mut saved: Vec<(String, String)> = listed
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some((
                r["name"].as_str()?.to_string(),
                r["id"].as_str()?.to_string(),
            ))
        })
        .collect();
    for body in reports {
        let name = text(&body["config"]["name"], "a report name")?;
        if saved.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let created = api.call("POST", "/reports", Some(&body))?;
        saved.push((name, text(&created["id"], "the new report's id")?));
    }
    id_of(&saved, DEFAULT_REPORT)
}

/// Encodes a query-string value: everything but unreserved characters is escaped.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>> {
        Options::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn options_have_defaults_and_refuse_what_cannot_work() {
        let o = parse(&[]).unwrap().unwrap();
        assert_eq!(
            (o.port, o.sim_port, o.issues, o.seed),
            (8080, 8081, 3000, 1)
        );
        assert!(o.build && !o.release);
        let o = parse(&[
            "--port",
            "9000",
            "--issues",
            "50",
            "--no-build",
            "--user",
            "ben",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            (o.port, o.issues, o.user.as_str(), o.build),
            (9000, 50, "ben", false)
        );
        assert!(parse(&["--help"]).unwrap().is_none());
        assert!(parse(&["--port", "8081"]).is_err(), "both on one port");
        assert!(parse(&["--issues", "many"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
    }

    #[test]
    fn the_route_travels_as_one_query_value() {
        assert_eq!(percent_encode("#/reports/rep_1a"), "%23%2Freports%2Frep_1a");
    }
}
