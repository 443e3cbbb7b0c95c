//! A whole Dwell site on loopback: jira-sim, the recording proxy, dwell-server behind it and
//! chromedriver. The app is installed on the simulated site through the signed Connect
//! lifecycle, or (`WorldSpec::forge`) as the Forge app of `forge/manifest.yml`: jira-sim is then
//! Forge's host, serving the client from a CDN origin of its own, and dwell-server its remote.
//! With `WorldSpec::connect_too`, the site runs both apps on one dwell-server, as a site moving
//! from Connect to Forge does; [`World::use_app`] says which one the helpers act on. With
//! `WorldSpec::data_center`, jira-sim is a Jira Data Center and nothing is installed: the
//! client runs in Direct mode from dwell-server's static page, and [`World::open`] connects it
//! to Jira with the user's personal access token, as a Data Center user does.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::Result;
use crate::bins::Bins;
use crate::browser::{Browser, ChromeDriver};
use crate::proc::{self, Proc};
use crate::proxy::Proxy;

/// What the site looks like.
#[derive(Debug, Clone)]
pub struct WorldSpec {
    pub issues: usize,
    pub seed: u64,
    /// jira-sim's `--canary`: a marker per kind of content (`ZZCANARYKEY`, ...) in everything.
    pub canary: bool,
    /// Where the simulated year of data ends (jira-sim's `--data-end`).
    pub data_end: &'static str,
    /// Dwell as a Forge app instead of a Connect one.
    pub forge: bool,
    /// With `forge`: the Connect app installed on the same site too (the two are two tenants
    /// of one dwell-server), for moving a site's configuration from one to the other.
    pub connect_too: bool,
    /// Jira Data Center instead of Cloud: jira-sim serves the Data Center flavour
    /// (`/rest/api/2`, usernames) and lets the page's origin call it (CORS, as a Data Center
    /// admin allows it); no app is installed, and the page, served by dwell-server as any
    /// static page, runs in Direct mode with the user's personal access token. There is no
    /// server session: reports are imported as configurations, not saved.
    pub data_center: bool,
}

/// Which of the site's apps a [`World`]'s helpers act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    Connect,
    Forge,
}

impl Default for WorldSpec {
    fn default() -> Self {
        WorldSpec {
            issues: 300,
            seed: 7,
            canary: false,
            data_end: "2026-11-01",
            forge: false,
            connect_too: false,
            data_center: false,
        }
    }
}

/// The running site. Dropping it stops every process.
#[derive(Debug)]
pub struct World {
    pub spec: WorldSpec,
    pub bins: &'static Bins,
    /// Holds the database, its key, backups and dumps.
    pub dir: tempfile::TempDir,
    pub sim: Proc,
    /// jira-sim's base URL (the Jira site).
    pub sim_url: String,
    pub proxy: Proxy,
    pub server: Proc,
    /// The app's key, from its descriptor.
    pub app_key: String,
    /// The Forge app jira-sim plays, on a Forge site.
    pub forge: Option<ForgeApp>,
    /// On a site with both apps, whether the helpers act on the Connect one.
    on_connect: AtomicBool,
    pub driver: ChromeDriver,
}

/// The Forge app jira-sim plays, as `/_sim/forge/apps` describes it.
#[derive(Debug, Clone)]
pub struct ForgeApp {
    /// `ari:cloud:ecosystem::app/<uuid>`.
    pub id: String,
    pub environment_id: String,
    pub environment_type: String,
    /// The `jira:globalPage` module's key.
    pub global_page: String,
}

impl ForgeApp {
    fn read(described: &Value) -> Result<ForgeApp> {
        let text = |v: &Value, what: &str| -> Result<String> {
            Ok(v.as_str()
                .with_context(|| format!("no {what}"))?
                .to_string())
        };
        let page = described["app"]["pages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["kind"] == "jira:globalPage")
            .context("the app has no global page")?;
        Ok(ForgeApp {
            id: text(&described["app"]["id"], "app id")?,
            environment_id: text(&described["environment"]["id"], "environment id")?,
            environment_type: text(&described["environment"]["type"], "environment type")?,
            global_page: text(&page["key"], "global page key")?,
        })
    }

    pub fn uuid(&self) -> &str {
        self.id.rsplit('/').next().unwrap_or(&self.id)
    }
}

impl World {
    pub async fn start(spec: WorldSpec) -> Result<World> {
        let bins = Bins::get()?;
        let dir = tempfile::tempdir()?;
        let mut sim_cmd = Command::new(&bins.jira_sim);
        sim_cmd
            .args(["serve", "--port", "0", "--workers", "2"])
            .args(["--issues", &spec.issues.to_string()])
            .args(["--seed", &spec.seed.to_string()])
            .args(["--data-end", spec.data_end])
            .env("RUST_LOG", "warn");
        if spec.canary {
            sim_cmd.arg("--canary");
        }
        // The proxy is the server's public address: on Forge, the remote's base URL.
        let proxy = Proxy::start().await?;
        if spec.data_center {
            sim_cmd
                .args(["--flavor", "dc"])
                .args(["--cors-origin", &proxy.url]);
        }
        if spec.forge {
            sim_cmd
                .arg("--forge-manifest")
                .arg(crate::bins::root().join("forge/manifest.yml"))
                .arg("--forge-resource")
                .arg(format!("client={}", bins.dist.display()))
                .args(["--forge-remote", &format!("dwell={}", proxy.url)]);
        }
        let mut sim = Proc::spawn("jira-sim", &mut sim_cmd)?;
        let sim_url = sim.wait_for("its address", Duration::from_secs(120), |l| {
            l.strip_prefix("jira-sim listening on ")
                .map(|u| u.trim().trim_end_matches('/').to_string())
        })?;

        let forge = if spec.forge {
            let described: Value = http()
                .get(&format!("{sim_url}/_sim/forge/apps"))
                .call()?
                .body_mut()
                .read_json()?;
            Some(ForgeApp::read(&described)?)
        } else {
            None
        };
        let mut server_cmd = server_command(bins, dir.path(), &proxy.url, &sim_url);
        if spec.data_center {
            // The page's policy lets it reach the Data Center's address (a deployment names
            // its Jira here).
            server_cmd.args(["--csp-connect-src", &sim_url]);
        }
        if let Some(app) = &forge {
            // Forge Invocation Tokens signed with the simulated platform's keys.
            server_cmd
                .args(["--forge-app-id", &app.id])
                .args(["--forge-environment", &app.environment_type])
                .args([
                    "--forge-jwks-url",
                    &format!("{sim_url}/.well-known/jwks.json"),
                ]);
        }
        let mut server = Proc::spawn(
            "dwell-server",
            server_cmd
                .arg("serve")
                .args(["--listen", "127.0.0.1:0"])
                .args(["--static-dir", &bins.dist.display().to_string()])
                .args([
                    "--backup-dir",
                    &dir.path().join("backups").display().to_string(),
                ])
                // The page loads all.js from the simulated site, as it would from Atlassian's CDN.
                .args(["--csp-script-src", &sim_url])
                // A user's Jira groups are asked once per test: the fault flows make Jira fail
                // on purpose, and the rights of a page already open should not go with it.
                .args(["--groups-cache-seconds", "3600"])
                // Personal data is reported when a test says so (`report_accounts`).
                .args(["--accounts-report-days", "0"])
                // The most verbose logs: the privacy proof searches them.
                .env("RUST_LOG", "trace,h2=info,hyper=info,rustls=info"),
        )?;
        let port: u16 = server.wait_for("its port", Duration::from_secs(60), |l| {
            if !l.contains("dwell-server listening") {
                return None;
            }
            let at = l.find("port=")? + 5;
            l[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })?;
        proxy.set_upstream(([127, 0, 0, 1], port).into());

        let http = http();
        let descriptor: Value = http
            .get(&format!("{}/atlassian-connect.json", proxy.url))
            .call()?
            .body_mut()
            .read_json()?;
        let app_key = descriptor["key"]
            .as_str()
            .context("the descriptor has no key")?
            .to_string();
        // The simulated site installs the app: a signed `installed` lifecycle call, through
        // the proxy, verified with the site's install key; on Forge, `avi:forge:installed:app`
        // to the remote's lifecycle route, ada installing (and so Dwell's first admin there).
        let mut installs = Vec::new();
        if spec.forge {
            installs.push(
                http.post(&format!("{sim_url}/_sim/forge/install"))
                    .send_json(json!({ "user": "ada" }))?,
            );
        }
        if !spec.data_center && (!spec.forge || spec.connect_too) {
            installs.push(
                http.post(&format!("{sim_url}/_sim/connect/install"))
                    .send_json(json!({ "appUrl": proxy.url }))?,
            );
        }
        for mut res in installs {
            if !res.status().is_success() {
                bail!(
                    "jira-sim could not install the app: {}",
                    res.body_mut().read_to_string()?
                );
            }
        }
        let driver = ChromeDriver::start()?;
        Ok(World {
            spec,
            bins,
            dir,
            sim,
            sim_url,
            proxy,
            server,
            app_key,
            forge,
            on_connect: AtomicBool::new(false),
            driver,
        })
    }

    /// Makes the helpers (`host_page`, `open`, `api`) act on `app` of a site that runs both
    /// (`WorldSpec::connect_too`).
    pub fn use_app(&self, app: App) -> Result {
        match app {
            App::Forge if self.forge.is_none() => bail!("this site runs no Forge app"),
            App::Connect if self.forge.is_some() && !self.spec.connect_too => {
                bail!("this site runs no Connect app")
            }
            _ => {}
        }
        self.on_connect.store(app == App::Connect, Ordering::SeqCst);
        Ok(())
    }

    /// The Forge app, when the helpers act on it.
    fn forge_app(&self) -> Option<&ForgeApp> {
        if self.on_connect.load(Ordering::SeqCst) {
            None
        } else {
            self.forge.as_ref()
        }
    }

    /// The site's database file.
    pub fn database(&self) -> PathBuf {
        self.dir.path().join("data").join("dwell.sqlite3")
    }

    /// The in-process backup directory.
    pub fn backup_dir(&self) -> PathBuf {
        self.dir.path().join("backups")
    }

    /// The Jira page that hosts Dwell, signed in as `user` (a jira-sim login): the Connect
    /// general page, or Forge's global page.
    pub fn host_page(&self, user: &str) -> String {
        match self.forge_app() {
            Some(app) => format!(
                "{}/jira/apps/{}/{}?user={user}",
                self.sim_url,
                app.uuid(),
                app.environment_id
            ),
            None => format!(
                "{}/plugins/servlet/ac/{}/dwell-reports?user={user}",
                self.sim_url, self.app_key
            ),
        }
    }

    /// The session cookie of `user` on the simulated site, from opening Dwell's page.
    fn site_session(&self, user: &str) -> Result<String> {
        let res = http().get(&self.host_page(user)).call()?;
        Ok(res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .context("the host page set no session")?
            .to_string())
    }

    /// jira-sim's counters (`/_sim/stats`).
    pub fn sim_stats(&self) -> Result<Value> {
        Ok(http()
            .get(&format!("{}/_sim/stats", self.sim_url))
            .call()?
            .body_mut()
            .read_json()?)
    }

    /// A new browser with Dwell open in Jira as `user`, at the app's `route` (a fragment such
    /// as `#/` or `#/reports/rep_x`), once the app knows what the user may do.
    pub async fn open(&self, user: &str, route: &str) -> Result<Browser> {
        let b = self.driver.session().await?;
        if self.spec.data_center {
            self.connect_direct(&b, user).await?;
        } else {
            b.client.goto(&self.host_page(user)).await?;
            b.enter_app().await?;
        }
        self.go(&b, route).await?;
        Ok(b)
    }

    /// Data Center: opens Dwell's page (not framed by Jira) and connects it to jira-sim as
    /// `user` with their personal access token (jira-sim's `sim-token-LOGIN`), typing Jira's
    /// address as its user would.
    async fn connect_direct(&self, b: &Browser, user: &str) -> Result {
        b.client
            .goto(&format!("{}/#/connection", self.proxy.url))
            .await?;
        b.fill("Jira address", &self.sim_url).await?;
        b.fill("Personal access token", &format!("sim-token-{user}"))
            .await?;
        b.click("button", "Connect").await?;
        // The header names the Jira the page is connected to.
        b.wait_for(
            "the page to connect to Jira Data Center",
            "const err = document.querySelector('.panel-error');
             if (err) return {error: err.innerText};
             return document.body.innerText.includes(arguments[0]) ? {} : null;",
            vec![json!(format!("Jira Data Center · {}", self.sim_url))],
        )
        .await
        .and_then(|v| match v["error"].as_str() {
            Some(e) => bail!("Dwell could not connect to jira-sim: {e}"),
            None => Ok(()),
        })
    }

    /// Moves the app to `route` (as a link inside the app would).
    pub async fn go(&self, b: &Browser, route: &str) -> Result {
        b.js("location.hash = arguments[0];", vec![json!(route)])
            .await?;
        Ok(())
    }

    /// A context token for `user`, as `AP.context.getToken()` gives the page: for setting up a
    /// site through the API as that user would (the requests pass the proxy like the page's).
    pub fn token(&self, user: &str) -> Result<String> {
        let agent = http();
        let res = agent.get(&self.host_page(user)).call()?;
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .context("the host page set no session")?
            .to_string();
        let v: Value = agent
            .get(&format!(
                "{}/plugins/servlet/ac-token/{}",
                self.sim_url, self.app_key
            ))
            .header("Cookie", &cookie)
            .call()?
            .body_mut()
            .read_json()?;
        Ok(v["token"].as_str().context("no token")?.to_string())
    }

    /// Calls the metadata server's API as `user`, through the proxy: with a Connect context
    /// token, or on Forge through `invokeRemote` on the simulated Jira page, as the page does.
    pub fn api(&self, user: &str, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        if let Some(app) = self.forge_app() {
            return self.invoke_remote(app, user, method, path, body);
        }
        let token = self.token(user)?;
        let url = format!("{}/api/v1{path}", self.proxy.url);
        let auth = format!("JWT {token}");
        let agent = http();
        let mut res = match (method, body) {
            ("GET", _) => agent.get(&url).header("Authorization", &auth).call()?,
            ("DELETE", _) => agent.delete(&url).header("Authorization", &auth).call()?,
            ("POST", Some(b)) => agent
                .post(&url)
                .header("Authorization", &auth)
                .send_json(b)?,
            ("PUT", Some(b)) => agent
                .put(&url)
                .header("Authorization", &auth)
                .send_json(b)?,
            _ => bail!("{method} {path}: no body"),
        };
        let status = res.status();
        let text = res.body_mut().read_to_string()?;
        if !status.is_success() {
            bail!("{method} {path} answered {status}: {text}");
        }
        Ok(if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)?
        })
    }

    fn invoke_remote(
        &self,
        app: &ForgeApp,
        user: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut payload = json!({
            "path": format!("/api/v1{path}"),
            "method": method,
            "headers": {"Accept": "application/json"},
            "invokeType": "ui-remote-fetch",
        });
        if let Some(b) = body {
            payload["headers"]["Content-Type"] = json!("application/json");
            payload["body"] = json!(b.to_string());
        }
        let reply: Value = http()
            .post(&format!("{}/_sim/forge/bridge/invoke", self.sim_url))
            .header("Cookie", &self.site_session(user)?)
            .send_json(json!({"moduleKey": app.global_page, "payload": payload}))?
            .body_mut()
            .read_json()?;
        let status = reply["payload"]["status"].as_u64().unwrap_or(0);
        if reply["success"] != true || !(200..300).contains(&status) {
            bail!("invokeRemote {method} {path} answered {reply}");
        }
        Ok(match &reply["payload"]["body"] {
            Value::String(s) if s.is_empty() => Value::Null,
            other => other.clone(),
        })
    }

    /// Changes jira-sim's faults and rate limit while it runs (`PUT /_sim/config`).
    pub fn sim_knobs(&self, knobs: &Value) -> Result {
        let mut res = http()
            .put(&format!("{}/_sim/config", self.sim_url))
            .send_json(knobs)?;
        if !res.status().is_success() {
            bail!(
                "jira-sim refused {knobs}: {}",
                res.body_mut().read_to_string()?
            );
        }
        Ok(())
    }

    /// jira-sim's users (login, accountId, displayName, groups).
    pub fn sim_info(&self) -> Result<Value> {
        Ok(http()
            .get(&format!("{}/_sim/info", self.sim_url))
            .call()?
            .body_mut()
            .read_json()?)
    }

    /// `dwell-server backup --to DIR`: the on-demand backup, next to the running server.
    pub fn backup_now(&self, to: &Path) -> Result<PathBuf> {
        let out = proc::run(
            "dwell-server backup",
            server_command(self.bins, self.dir.path(), &self.proxy.url, &self.sim_url).args([
                "backup",
                "--to",
                &to.display().to_string(),
            ]),
        )?;
        Ok(PathBuf::from(out.trim()))
    }

    /// `dwell-server report-accounts [--all]`: the personal data report, next to the running
    /// server (whose own reporting job is off, so that only the test decides when it runs).
    pub fn report_accounts(&self, all: bool) -> Result<String> {
        let mut cmd = server_command(self.bins, self.dir.path(), &self.proxy.url, &self.sim_url);
        cmd.arg("report-accounts");
        if all {
            cmd.arg("--all");
        }
        proc::run("dwell-server report-accounts", &mut cmd)
    }

    /// What apps reported to jira-sim's personal data reporting API, batch by batch.
    pub fn reported_accounts(&self) -> Result<Value> {
        Ok(http()
            .get(&format!("{}/_sim/accounts/reported", self.sim_url))
            .call()?
            .body_mut()
            .read_json()?)
    }

    /// The simulated data as API pages (`jira-sim dump`), for the CLI.
    pub fn dump(&self) -> Result<PathBuf> {
        self.dump_into("dump", false)
    }

    /// The same dump with the worklogs ada may see (`--worklogs`), for timesheets.
    pub fn dump_with_worklogs(&self) -> Result<PathBuf> {
        self.dump_into("dump-worklogs", true)
    }

    fn dump_into(&self, name: &str, worklogs: bool) -> Result<PathBuf> {
        let out = self.dir.path().join(name);
        let mut cmd = Command::new(&self.bins.jira_sim);
        cmd.args(["dump", "--out", &out.display().to_string()])
            .args(["--issues", &self.spec.issues.to_string()])
            .args(["--seed", &self.spec.seed.to_string()])
            .args(["--data-end", self.spec.data_end]);
        if self.spec.canary {
            cmd.arg("--canary");
        }
        if worklogs {
            cmd.arg("--worklogs");
        }
        proc::run("jira-sim dump", &mut cmd)?;
        Ok(out)
    }
}

impl Drop for World {
    /// When a test fails, the end of every program's output helps to see why.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for (name, out) in [
            ("jira-sim", self.sim.output_text()),
            ("dwell-server", self.server.output_text()),
            ("chromedriver and chromium", self.driver.proc.output_text()),
        ] {
            let lines: Vec<&str> = out.lines().collect();
            let tail = &lines[lines.len().saturating_sub(60)..];
            eprintln!("--- the last lines of {name}:\n{}", tail.join("\n"));
        }
    }
}

/// `dwell-server` with this site's database and settings (subcommand to add).
fn server_command(bins: &Bins, dir: &Path, base_url: &str, sim_url: &str) -> Command {
    let mut cmd = Command::new(&bins.server);
    cmd.args(["--base-url", base_url])
        .args([
            "--database",
            &dir.join("data").join("dwell.sqlite3").display().to_string(),
        ])
        .args([
            "--install-keys-url",
            &format!("{sim_url}/connect-install-keys"),
        ])
        .env_remove("DWELL_CONFIG");
    cmd
}

/// A blocking HTTP client for set-up calls (statuses are answers, not errors).
pub fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}
