//! The real app on a loopback port with a real SQLite file, and a small loopback "Jira": an
//! install key service and a user-groups endpoint that verifies the app's signed calls. Tokens
//! are signed here, with this file's own query-string-hash code, not the server's.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};
use server::crypto::KeyRing;
use server::settings::Settings;
use sha2::{Digest, Sha256};

pub const APP_KEY: &str = "dwell";
pub const APP_BASE_URL: &str = "https://dwell.test";
pub const KID: &str = "test-kid-1";
/// A fixed AES-256 key (base64 of 32 bytes of 7).
pub const SECRET_KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn install_private_key() -> Vec<u8> {
    std::fs::read(fixture("install-key.pem")).unwrap()
}

/// Polls `check` until it gives a value, and fails the test when `within` has passed first:
/// the one way these tests wait for something that happens in the background.
pub async fn eventually<T>(
    what: &str,
    within: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not within {within:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The query string hash, written independently of the server: method, path and the sorted
/// `name=value` pairs (the tests use already-encoded, unrepeated parameters).
pub fn qsh(method: &str, path: &str, query: &str) -> String {
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("jwt="))
        .collect();
    pairs.sort();
    let path = match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    };
    let canonical = format!("{method}&{path}&{}", pairs.join("&"));
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

pub fn hs256(secret: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

pub fn rs256(private_pem: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(private_pem).unwrap(),
    )
    .unwrap()
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub client_key: String,
    pub secret: String,
    pub base_url: String,
}

#[derive(Debug, Clone)]
pub struct User {
    pub tenant: Tenant,
    pub account: String,
}

impl Tenant {
    pub fn user(&self, account: &str) -> User {
        User {
            tenant: self.clone(),
            account: account.to_string(),
        }
    }
}

impl User {
    /// A token bound to one request, as Jira signs them.
    pub fn token(&self, method: &str, path: &str, query: &str) -> String {
        hs256(
            self.tenant.secret.as_bytes(),
            &json!({
                "iss": self.tenant.client_key,
                "sub": self.account,
                "iat": now(),
                "exp": now() + 180,
                "qsh": qsh(method, path, query),
            }),
        )
    }

    /// A context token, as `AP.context.getToken()` gives the browser.
    pub fn context_token(&self) -> String {
        hs256(
            self.tenant.secret.as_bytes(),
            &json!({
                "iss": self.tenant.client_key,
                "sub": self.account,
                "iat": now(),
                "exp": now() + 900,
                "qsh": "context-qsh",
            }),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// The loopback Jira

#[derive(Debug, Default)]
pub struct JiraState {
    /// Shared secrets by client key, as the installs handed them out.
    pub secrets: HashMap<String, String>,
    /// Groups by account id.
    pub groups: HashMap<String, Vec<String>>,
    pub group_calls: usize,
    pub rejected_group_calls: usize,
    /// The client ports the groups calls came from: one per connection the server opened.
    pub group_call_ports: std::collections::HashSet<u16>,
    /// While set, a groups call is answered only once this many have arrived (or after two
    /// seconds), so that concurrent calls overlap.
    pub hold_groups_until: Option<usize>,
    pub key_fetches: usize,
    /// While set, the install key service no longer knows the test key (404), as when
    /// Atlassian withdraws a key.
    pub key_withdrawn: bool,
}

#[derive(Clone)]
pub struct FakeJira {
    pub url: String,
    pub state: Arc<Mutex<JiraState>>,
}

impl FakeJira {
    pub fn start() -> FakeJira {
        let state = Arc::new(Mutex::new(JiraState::default()));
        let shared = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let data = web::Data::from(shared);
                let server = actix_web::HttpServer::new(move || {
                    actix_web::App::new()
                        .app_data(data.clone())
                        .route("/connect-install-keys/{kid}", web::get().to(install_key))
                        .route(
                            "/t/{client_key}/rest/api/3/user/groups",
                            web::get().to(user_groups),
                        )
                })
                .workers(1)
                .bind(("127.0.0.1", 0))
                .unwrap();
                let port = server.addrs()[0].port();
                tx.send(port).unwrap();
                server.run().await.unwrap();
            });
        });
        let port = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        FakeJira {
            url: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    pub fn set_groups(&self, account: &str, groups: &[&str]) {
        self.state.lock().unwrap().groups.insert(
            account.to_string(),
            groups.iter().map(|g| g.to_string()).collect(),
        );
    }

    pub fn group_calls(&self) -> usize {
        self.state.lock().unwrap().group_calls
    }

    /// How many connections the groups calls came over.
    pub fn group_connections(&self) -> usize {
        self.state.lock().unwrap().group_call_ports.len()
    }

    /// Holds each groups answer until `calls` calls have arrived, or two seconds have passed.
    pub fn hold_groups_until(&self, calls: usize) {
        self.state.lock().unwrap().hold_groups_until = Some(calls);
    }

    pub fn rejected_group_calls(&self) -> usize {
        self.state.lock().unwrap().rejected_group_calls
    }
}

async fn install_key(path: web::Path<String>, state: web::Data<Mutex<JiraState>>) -> HttpResponse {
    let withdrawn = {
        let mut s = state.lock().unwrap();
        s.key_fetches += 1;
        s.key_withdrawn
    };
    if path.as_str() == KID && !withdrawn {
        HttpResponse::Ok()
            .content_type("text/plain")
            .body(std::fs::read(fixture("install-key.pub.pem")).unwrap())
    } else {
        HttpResponse::NotFound().finish()
    }
}

#[derive(serde::Deserialize)]
struct AppClaims {
    qsh: String,
}

/// Jira's side of the groups call: only a correctly signed app token gets an answer.
async fn user_groups(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<Mutex<JiraState>>,
) -> HttpResponse {
    let hold = {
        let mut st = state.lock().unwrap();
        st.group_calls += 1;
        if let Some(peer) = req.peer_addr() {
            st.group_call_ports.insert(peer.port());
        }
        st.hold_groups_until
    };
    if let Some(calls) = hold {
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while state.lock().unwrap().group_calls < calls && std::time::Instant::now() < deadline {
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let mut st = state.lock().unwrap();
    let Some(secret) = st.secrets.get(path.as_str()).cloned() else {
        st.rejected_group_calls += 1;
        return HttpResponse::Unauthorized().finish();
    };
    let token = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("JWT "))
        .unwrap_or_default()
        .to_string();
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[APP_KEY]);
    validation.set_required_spec_claims(&["exp", "iss", "iat"]);
    let verified = jsonwebtoken::decode::<AppClaims>(
        &token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    );
    let expected = qsh("GET", "/rest/api/3/user/groups", req.query_string());
    match verified {
        Ok(t) if t.claims.qsh == expected => {}
        _ => {
            st.rejected_group_calls += 1;
            return HttpResponse::Unauthorized().finish();
        }
    }
    let account = req
        .query_string()
        .strip_prefix("accountId=")
        .map(|a| {
            percent_encoding::percent_decode_str(a)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    let groups: Vec<Value> = st
        .groups
        .get(&account)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|name| json!({"name": name, "groupId": format!("id-{name}"), "self": "x"}))
        .collect();
    HttpResponse::Ok().json(groups)
}

// ---------------------------------------------------------------------------------------------
// The app

/// A running server as a client sees it: its URL and the loopback Jira it trusts.
pub struct Remote {
    pub url: String,
    pub jira: FakeJira,
}

/// The app in this process, on its own thread.
pub struct TestApp {
    pub remote: Remote,
    pub db_path: PathBuf,
    pub dir: Arc<tempfile::TempDir>,
    handle: actix_web::dev::ServerHandle,
}

impl std::ops::Deref for TestApp {
    type Target = Remote;
    fn deref(&self) -> &Remote {
        &self.remote
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the server's thread ends by itself.
        drop(self.handle.stop(false));
    }
}

/// Settings for a test app: a database in `dir`, the loopback Jira's install keys, high rate
/// limits (tests of the limiter lower them), no background jobs unless asked.
pub fn test_settings(dir: &std::path::Path, jira: &FakeJira) -> Settings {
    let mut s = Settings::for_database(
        dir.join("dwell.sqlite3"),
        KeyRing::parse(SECRET_KEY).unwrap(),
    );
    s.listen = "127.0.0.1:0".parse().unwrap();
    s.base_url = APP_BASE_URL.into();
    s.app_key = APP_KEY.into();
    s.install_keys_url = format!("{}/connect-install-keys", jira.url);
    s.workers = 2;
    s.pool_size = 4;
    s.purge_interval = None;
    s.accounts_report_cycle = None;
    s.rate_limit_per_second = 100_000;
    s.rate_limit_burst = 100_000;
    s.lifecycle_calls_per_source_per_minute = 100_000;
    s
}

impl TestApp {
    pub fn spawn() -> TestApp {
        Self::spawn_with(|_| {})
    }

    pub fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        let jira = FakeJira::start();
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let mut settings = test_settings(dir.path(), &jira);
        configure(&mut settings);
        Self::start(settings, jira, dir)
    }

    /// Starts the app with `settings` on its own thread and actix system.
    pub fn start(settings: Settings, jira: FakeJira, dir: Arc<tempfile::TempDir>) -> TestApp {
        let db_path = settings.database.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match server::Application::build(settings).await {
                    Ok(app) => {
                        tx.send(Ok((app.port(), app.handle()))).unwrap();
                        app.run_until_stopped().await.unwrap();
                    }
                    Err(e) => tx.send(Err(format!("{e:#}"))).unwrap(),
                }
            });
        });
        let (port, handle) = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap()
            .expect("the app starts");
        TestApp {
            remote: Remote {
                url: format!("http://127.0.0.1:{port}"),
                jira,
            },
            db_path,
            dir,
            handle,
        }
    }

    /// How many installations the database holds.
    pub fn tenant_count(&self) -> i64 {
        self.db()
            .query_row("SELECT count(*) FROM tenants", [], |r| r.get(0))
            .unwrap()
    }

    /// Makes `account` an admin of `tenant`'s site and of no other, as the operator's
    /// `dwell-server grant-admin` does (the same store function, on the same file).
    pub fn grant_admin(&self, tenant: &Tenant, account: &str) {
        let conn = rusqlite::Connection::open(&self.db_path).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        let granted =
            server::store::grant_admin(&conn, &tenant.client_key, account, jiff::Timestamp::now())
                .unwrap();
        assert!(granted.is_some(), "{} is not installed", tenant.client_key);
    }

    /// Installs `client_key` and makes `account` an admin of that site only.
    pub async fn install_admin(&self, client_key: &str, account: &str) -> User {
        let tenant = self.install(client_key).await;
        self.grant_admin(&tenant, account);
        tenant.user(account)
    }

    /// A read-only connection to the app's database file.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            &self.db_path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap()
    }
}

impl Remote {
    /// A plain HTTP request.
    pub async fn send(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Response {
        self.send_from(None, method, path_and_query, headers, body)
            .await
    }

    /// A plain HTTP request from `source` (any 127.x.y.z on loopback), as another host.
    pub async fn send_from(
        &self,
        source: Option<std::net::IpAddr>,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Response {
        let mut connector = awc::Connector::new();
        if let Some(ip) = source {
            connector = connector.local_address(ip);
        }
        let client = awc::Client::builder()
            .connector(connector)
            .timeout(Duration::from_secs(60))
            .finish();
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = client.request(method, format!("{}{path_and_query}", self.url));
        for (name, value) in headers {
            req = req.insert_header((*name, value.as_str()));
        }
        let mut res = match body {
            Some((content_type, bytes)) => req
                .insert_header(("Content-Type", content_type))
                .send_body(bytes)
                .await
                .unwrap(),
            None => req.send().await.unwrap(),
        };
        let raw = res.body().limit(64 * 1024 * 1024).await.unwrap();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Response {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body,
            raw: raw.to_vec(),
        }
    }

    /// An API call as `user`, with a token bound to this request.
    pub async fn api(
        &self,
        user: &User,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> Response {
        self.api_with(user, method, path_and_query, body, &[]).await
    }

    pub async fn api_with(
        &self,
        user: &User,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
        extra: &[(&str, String)],
    ) -> Response {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let mut headers = vec![(
            "Authorization",
            format!("JWT {}", user.token(method, path, query)),
        )];
        headers.extend(extra.iter().cloned());
        let body = body.map(|b| ("application/json", serde_json::to_vec(&b).unwrap()));
        self.send(method, path_and_query, &headers, body).await
    }

    /// `PUT /api/v1/permissions` as `user`: the tenant's grants, over their `version`.
    pub async fn put_grants(&self, user: &User, grants: Value, version: u64) -> Response {
        let if_match = [("If-Match", format!("\"{version}\""))];
        self.api_with(user, "PUT", "/api/v1/permissions", Some(grants), &if_match)
            .await
    }

    /// An API call with a given raw token.
    pub async fn with_token(&self, token: &str, method: &str, path: &str) -> Response {
        self.send(
            method,
            path,
            &[("Authorization", format!("JWT {token}"))],
            None,
        )
        .await
    }

    /// Installs the app for `client_key` as Jira would (a signed install), and tells the
    /// loopback Jira the shared secret.
    pub async fn install(&self, client_key: &str) -> Tenant {
        self.install_as(client_key, &format!("{}/t/{client_key}", self.jira.url), 1)
            .await
    }

    /// A signed install with a given base URL; `generation` varies the shared secret, as a
    /// reinstall does.
    pub async fn install_as(&self, client_key: &str, base_url: &str, generation: u32) -> Tenant {
        let tenant = Tenant {
            client_key: client_key.to_string(),
            secret: format!("shared-secret-{client_key}-{generation}-0123456789abcdef"),
            base_url: base_url.to_string(),
        };
        let res = self.signed_install(&tenant).await;
        assert_eq!(res.status, 204, "install failed: {:?}", res.body);
        self.jira
            .state
            .lock()
            .unwrap()
            .secrets
            .insert(client_key.to_string(), tenant.secret.clone());
        tenant
    }

    /// An `installed` event for `tenant`, signed as Atlassian signs it; the answer unchecked.
    pub async fn signed_install(&self, tenant: &Tenant) -> Response {
        self.lifecycle("installed", tenant, &install_private_key(), Some(KID), None)
            .await
    }

    /// A lifecycle event signed with the test key under `kid`, sent from `source`.
    pub async fn lifecycle_from(
        &self,
        source: std::net::IpAddr,
        event: &str,
        tenant: &Tenant,
        kid: &str,
    ) -> Response {
        self.lifecycle_with(
            Some(source),
            event,
            tenant,
            &install_private_key(),
            Some(kid),
            None,
        )
        .await
    }

    /// Sends a lifecycle event signed with `key`; `claims` overrides the default claims.
    pub async fn lifecycle(
        &self,
        event: &str,
        tenant: &Tenant,
        key: &[u8],
        kid: Option<&str>,
        claims: Option<Value>,
    ) -> Response {
        self.lifecycle_with(None, event, tenant, key, kid, claims)
            .await
    }

    async fn lifecycle_with(
        &self,
        source: Option<std::net::IpAddr>,
        event: &str,
        tenant: &Tenant,
        key: &[u8],
        kid: Option<&str>,
        claims: Option<Value>,
    ) -> Response {
        let path = format!("/lifecycle/{event}");
        let claims = claims.unwrap_or_else(|| {
            json!({
                "iss": tenant.client_key,
                "aud": APP_BASE_URL,
                "iat": now(),
                "exp": now() + 180,
                "qsh": qsh("POST", &path, ""),
            })
        });
        let token = rs256(key, kid, &claims);
        let payload = json!({
            "key": APP_KEY,
            "clientKey": tenant.client_key,
            "sharedSecret": tenant.secret,
            "baseUrl": tenant.base_url,
            "displayUrl": tenant.base_url,
            "productType": "jira",
            "description": "Atlassian JIRA at a test site",
            "eventType": event,
            "serverVersion": "100",
            "pluginsVersion": "1.0",
            "someFutureField": {"ignored": true}
        });
        self.send_from(
            source,
            "POST",
            &path,
            &[("Authorization", format!("JWT {token}"))],
            Some(("application/json", serde_json::to_vec(&payload).unwrap())),
        )
        .await
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Response {
    pub fn code(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }

    /// Where each of a refusal's `details` points.
    pub fn detail_paths(&self) -> Vec<&str> {
        self.body["details"]
            .as_array()
            .unwrap_or_else(|| panic!("no details: {:?}", self.body))
            .iter()
            .map(|d| d["path"].as_str().unwrap())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// A minimal valid report body.
pub fn report(name: &str) -> Value {
    json!({
        "config": {
            "schemaVersion": 1,
            "name": name,
            "jql": "project = DW",
            "kind": {"type": "timeInStatus"}
        }
    })
}

/// A minimal valid calendar.
pub fn calendar(name: &str) -> Value {
    json!({
        "name": name,
        "timeZone": "Europe/Berlin",
        "week": {"mon": [{"start": "09:00:00", "end": "17:00:00"}]}
    })
}

/// A minimal valid status group.
pub fn status_group(name: &str) -> Value {
    json!({"name": name, "statuses": [{"id": "3"}, {"name": "In Review"}]})
}

// ---------------------------------------------------------------------------------------------
// The real binary, for what only a process can show: crashes, logs, the CLI.

pub struct ServerProcess {
    pub remote: Remote,
    pub logs: Arc<Mutex<Vec<String>>>,
    child: std::process::Child,
}

impl std::ops::Deref for ServerProcess {
    type Target = Remote;
    fn deref(&self) -> &Remote {
        &self.remote
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `dwell-server` with the settings of [`test_settings`] given as environment variables.
pub fn dwell_server(db: &std::path::Path, jira: &FakeJira) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dwell-server"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DWELL_LISTEN", "127.0.0.1:0")
        .env("DWELL_DATABASE", db)
        .env("DWELL_SECRET_KEYS", SECRET_KEY)
        .env("DWELL_BASE_URL", APP_BASE_URL)
        .env("DWELL_APP_KEY", APP_KEY)
        .env(
            "DWELL_INSTALL_KEYS_URL",
            format!("{}/connect-install-keys", jira.url),
        )
        .env("DWELL_WORKERS", "2")
        .env("DWELL_PURGE_INTERVAL_SECONDS", "0")
        .env("DWELL_RATE_LIMIT_PER_SECOND", "100000")
        .env("DWELL_RATE_LIMIT_BURST", "100000")
        .env("DWELL_LOG_FORMAT", "json")
        .env("RUST_LOG", "info");
    cmd
}

impl ServerProcess {
    /// Starts `cmd` (from [`dwell_server`]) and waits for it to say which port it took.
    pub fn start(mut cmd: std::process::Command, jira: FakeJira) -> ServerProcess {
        use std::io::BufRead;
        let mut child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && v["fields"]["message"] == "dwell-server listening"
                {
                    let _ = tx.send(v["fields"]["port"].as_u64().unwrap());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let port = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(p) => p,
            Err(_) => panic!("dwell-server did not start: {:?}", logs.lock().unwrap()),
        };
        ServerProcess {
            remote: Remote {
                url: format!("http://127.0.0.1:{port}"),
                jira,
            },
            logs,
            child,
        }
    }

    /// SIGKILL: no shutdown, no flush, as a crash or an OOM kill.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn log_text(&self) -> String {
        self.logs.lock().unwrap().join("\n")
    }
}

/// Runs a `dwell-server` maintenance command and returns its stdout.
pub fn run_cli(mut cmd: std::process::Command, args: &[&str]) -> String {
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "dwell-server {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
