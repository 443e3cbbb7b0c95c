//! Headless Chromium through chromedriver (WebDriver over loopback HTTP, with fantoccini).
//!
//! Every session gets a fresh profile and download directory, the flags of the project's
//! brief, and `TZ=UTC` (set on chromedriver, which Chromium inherits), so dates in the page
//! are those of the CLI's `--tz UTC`. Waits are conditions polled in the page, with generous
//! timeouts (CI shares two cores): never fixed sleeps.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::Result;
use crate::proc::Proc;

/// How long a wait lasts by default.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// A chromedriver process on a free loopback port.
#[derive(Debug)]
pub struct ChromeDriver {
    url: String,
    /// chromedriver's output, with Chromium's log (console messages included).
    pub proc: Proc,
}

impl ChromeDriver {
    pub fn start() -> Result<ChromeDriver> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let mut proc = Proc::spawn(
            "chromedriver",
            Command::new(&bin)
                .arg(format!("--port={port}"))
                .env("TZ", "UTC")
                .env("LANG", "en_US.UTF-8"),
        )
        .with_context(|| format!("{bin}: `cargo xtask test --only setup` installs it"))?;
        proc.wait_for("its start", Duration::from_secs(60), |l| {
            l.contains("started successfully").then_some(())
        })?;
        Ok(ChromeDriver {
            url: format!("http://127.0.0.1:{port}"),
            proc,
        })
    }

    /// A new browser: its own profile and download directory.
    pub async fn session(&self) -> Result<Browser> {
        let profile = tempfile::tempdir()?;
        let downloads = tempfile::tempdir()?;
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let caps = json!({
            "browserName": "chrome",
            "unhandledPromptBehavior": "ignore",
            // Console messages and page errors, read back when a page fails to start.
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": binary,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
                    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.path().display().to_string(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                    "profile.default_content_setting_values.automatic_downloads": 1,
                },
            },
        });
        let Value::Object(caps) = caps else {
            bail!("capabilities are an object");
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .context("cannot open a WebDriver session")?;
        Ok(Browser {
            client,
            downloads: downloads.path().to_path_buf(),
            _dirs: (profile, downloads),
        })
    }
}

/// One browser session.
#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    /// Where Chromium saves downloads.
    pub downloads: PathBuf,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl Browser {
    /// Runs a script in the current frame (`arguments[i]` are `args`) and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.client
            .execute(script, args)
            .await
            .with_context(|| format!("script failed: {}", first_line(script)))
    }

    /// Polls `script` (with `args`) until it returns something other than null, false or an
    /// empty string, and returns that.
    pub async fn wait_for(&self, what: &str, script: &str, args: Vec<Value>) -> Result<Value> {
        self.wait_for_within(what, PATIENCE, script, args).await
    }

    pub async fn wait_for_within(
        &self,
        what: &str,
        patience: Duration,
        script: &str,
        args: Vec<Value>,
    ) -> Result<Value> {
        let until = Instant::now() + patience;
        loop {
            let v = self.js(script, args.clone()).await?;
            let ready = !matches!(&v, Value::Null | Value::Bool(false))
                && v.as_str().is_none_or(|s| !s.is_empty());
            if ready {
                return Ok(v);
            }
            if Instant::now() > until {
                let page = self.page_text().await.unwrap_or_default();
                let log = self.browser_log().await;
                bail!(
                    "timed out after {patience:?} waiting for {what}; the page shows:\n{page}\nthe browser's log:\n{log}"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The visible text of the current frame (for failure messages).
    pub async fn page_text(&self) -> Result<String> {
        let v = self
            .js(
                "return location.href + '\\n' + document.body.innerText.slice(0, 3000)",
                vec![],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Clicks, as a user does (a WebDriver click: real input events, user activation), the
    /// first visible enabled `tag` element whose text is `text`.
    pub async fn click(&self, tag: &str, text: &str) -> Result {
        self.click_xpath(&format!(
            "//{tag}[normalize-space(.)={}]",
            xpath_literal(text)
        ))
        .await
    }

    /// Clicks the first visible enabled element `xpath` finds, waiting for one.
    pub async fn click_xpath(&self, xpath: &str) -> Result {
        let until = Instant::now() + PATIENCE;
        loop {
            for el in self.client.find_all(Locator::XPath(xpath)).await? {
                if el.is_displayed().await.unwrap_or(false)
                    && el.is_enabled().await.unwrap_or(false)
                {
                    self.client
                        .execute(
                            "arguments[0].scrollIntoView({block: 'center'})",
                            vec![serde_json::to_value(&el)?],
                        )
                        .await?;
                    el.click()
                        .await
                        .with_context(|| format!("clicking {xpath}"))?;
                    return Ok(());
                }
            }
            if Instant::now() > until {
                let page = self.page_text().await.unwrap_or_default();
                bail!("nothing enabled to click at {xpath}; the page shows:\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Accepts the dialog the page opened (`confirm`), once it is there.
    pub async fn accept_dialog(&self) -> Result {
        let until = Instant::now() + PATIENCE;
        while self.client.get_alert_text().await.is_err() {
            if Instant::now() > until {
                bail!("the page opened no dialog");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.client.accept_alert().await?;
        Ok(())
    }

    /// Gives the file input inside the label reading `label` a file, as choosing it does.
    pub async fn choose_file(&self, label: &str, path: &Path) -> Result {
        let xpath = format!(
            "//label[normalize-space(.)={}]//input[@type='file']",
            xpath_literal(label)
        );
        let el = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&xpath))
            .await
            .with_context(|| format!("no file input in {label:?}"))?;
        el.send_keys(&path.display().to_string()).await?;
        Ok(())
    }

    /// On Jira's page, enters Dwell's iframe (Connect's or Forge's) and waits until the app
    /// knows the user and the site (the server answered `/me`).
    pub async fn enter_app(&self) -> Result {
        let frame = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css("#app-frame, #forge-app"))
            .await
            .context("the host page has no app frame")?;
        frame.enter_frame().await?;
        let state = match self
            .wait_for(
                "Dwell to start in Jira",
                "const err = document.querySelector('.panel-error');
                 if (err) return 'error: ' + err.innerText;
                 const site = document.querySelector('.app-header .site');
                 return site && site.textContent.includes('Jira Cloud') && document.querySelector('main h1') ? 'ok' : null;",
                vec![],
            )
            .await
        {
            Ok(state) => state,
            Err(e) => return Err(e.context(self.diagnosis().await)),
        };
        if let Some(e) = state.as_str().filter(|s| s.starts_with("error")) {
            bail!("Dwell did not start: {e}");
        }
        Ok(())
    }

    /// What the frame loaded, with status and timing: for a page that did not start.
    pub async fn diagnosis(&self) -> String {
        self.js(
                "return 'readyState ' + document.readyState + '; resources:\\n' +
                 performance.getEntriesByType('resource').map(e =>
                   `  ${e.name.split('?')[0]} status ${e.responseStatus} ${Math.round(e.startTime)}+${Math.round(e.duration)} ms ${e.transferSize} B`
                 ).join('\\n');",
                vec![],
            )
            .await
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|e| format!("(the frame cannot be read: {e:#})"))
    }

    /// The browser's console messages and uncaught errors since the last read (the last 40).
    pub async fn browser_log(&self) -> String {
        match self.client.issue_cmd(BrowserLog).await {
            Ok(Value::Array(entries)) => entries[entries.len().saturating_sub(40)..]
                .iter()
                .map(|e| format!("  {} {}", e["level"], e["message"]))
                .collect::<Vec<_>>()
                .join("\n"),
            Ok(other) => format!("  (unexpected log answer {other})"),
            Err(e) => format!("  (no browser log: {e})"),
        }
    }

    /// The control labelled `label` (a `<label for>` or an `aria-label`), as an element.
    pub async fn control(&self, label: &str) -> Result<fantoccini::elements::Element> {
        let script = "const [text] = arguments;
            const byLabel = [...document.querySelectorAll('label')]
                .find(l => l.textContent.trim() === text && l.htmlFor);
            if (byLabel) return document.getElementById(byLabel.htmlFor);
            return document.querySelector(`[aria-label=\"${CSS.escape(text)}\"]`);";
        let v = self
            .wait_for(
                &format!("the control {label:?}"),
                script,
                vec![json!(label)],
            )
            .await?;
        // A WebDriver element reference: `{"element-6066-...": id}`.
        let id = v
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .with_context(|| format!("the control {label:?} is not an element: {v}"))?;
        Ok(fantoccini::elements::Element::from_element_id(
            self.client.clone(),
            id.to_string().into(),
        ))
    }

    /// Types `value` into the control labelled `label`, replacing what it held.
    pub async fn fill(&self, label: &str, value: &str) -> Result {
        let el = self.control(label).await?;
        el.clear().await?;
        // Long values are set directly (typing thousands of characters is slow); an `input`
        // event tells the page, as typing would.
        if value.len() > 200 {
            self.js(
                "arguments[0].value = arguments[1];
                 arguments[0].dispatchEvent(new Event('input', {bubbles: true}));
                 arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                vec![serde_json::to_value(&el)?, json!(value)],
            )
            .await?;
        } else {
            el.send_keys(value).await?;
            self.js(
                "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                vec![serde_json::to_value(&el)?],
            )
            .await?;
        }
        Ok(())
    }

    /// Chooses the option whose text is `option` in the select labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) -> Result {
        let el = self.control(label).await?;
        el.select_by_label(option)
            .await
            .with_context(|| format!("choosing {option:?} in {label:?}"))?;
        Ok(())
    }

    /// Waits for a file named `name` to be fully downloaded, and returns its bytes.
    pub async fn downloaded(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.downloads.join(name);
        let until = Instant::now() + PATIENCE;
        loop {
            // Chromium writes `<name>.crdownload` and renames it when done.
            if path.is_file() {
                return Ok(std::fs::read(&path)?);
            }
            if Instant::now() > until {
                bail!(
                    "{name} was not downloaded into {}; it holds {:?}",
                    self.downloads.display(),
                    list(&self.downloads)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

fn list(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn first_line(s: &str) -> &str {
    s.trim().lines().next().unwrap_or("")
}

/// An XPath string literal for any text (XPath 1.0 has no escapes).
fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// chromedriver's log endpoint (`POST /session/{id}/se/log`, type `browser`): the console
/// messages and uncaught errors of the session's pages since the last read.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_string()),
        )
    }
}
