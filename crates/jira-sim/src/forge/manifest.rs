//! A Forge app's `manifest.yml`, read strictly: the parts jira-sim plays (the app id, the
//! `jira:globalPage` and `jira:projectPage` Custom UI modules, `endpoint`s on `remotes`,
//! lifecycle `trigger`s, `function`s run by a `scheduledTrigger`, `resources` and
//! `permissions`) become a checked [`ForgeApp`]; anything else is refused with an error that
//! names it, never skipped.
//!
//! Key names and rules follow Atlassian's own schema and linter as read from
//! `@forge/manifest@13.7.0` (`out/schema/manifest-schema.json`, `out/validators/`): a resolver
//! is `{endpoint}` or `{function}`, an endpoint names a `remote` and (for triggers) a
//! `route.path`, a remote's `baseUrl` is a URL or a region map with `default`, `storage` needs
//! `storage.inScopeEUD`, and `permissions.content.scripts` admits only `unsafe-eval`,
//! `unsafe-hashes`, `unsafe-inline`, `blob:` and hashes (so `wasm-unsafe-eval` is an error, as
//! `forge lint` says). A `function` runs only from a `scheduledTrigger` (interval `fiveMinute`,
//! `hour`, `day` or `week`), under [`super::runtime`]; function resolvers, function triggers,
//! UI Kit and product events are refused, not guessed at.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// The lifecycle events jira-sim sends (`avi:forge:*:app`).
pub const INSTALLED: &str = "avi:forge:installed:app";
pub const UPGRADED: &str = "avi:forge:upgraded:app";
pub const UNINSTALLED: &str = "avi:forge:uninstalled:app";
const LIFECYCLE_EVENTS: [&str; 3] = [INSTALLED, UPGRADED, UNINSTALLED];

/// The module types jira-sim plays.
const SUPPORTED_MODULES: [&str; 6] = [
    "jira:globalPage",
    "jira:projectPage",
    "endpoint",
    "trigger",
    "function",
    "scheduledTrigger",
];

/// A `scheduledTrigger`'s intervals (the manifest reference's list).
const INTERVALS: [&str; 4] = ["fiveMinute", "hour", "day", "week"];

/// `permissions.content.scripts` values Forge's linter accepts besides hashes
/// (`ALLOWED_CSP_TYPES` in @forge/manifest@13.7.0).
const ALLOWED_CONTENT: [&str; 4] = ["unsafe-eval", "unsafe-hashes", "unsafe-inline", "blob:"];

/// A manifest jira-sim cannot play, with the reason.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ManifestError {
    pub path: String,
    pub message: String,
}

/// Which Jira page a Custom UI module is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PageKind {
    #[serde(rename = "jira:globalPage")]
    Global,
    #[serde(rename = "jira:projectPage")]
    Project,
}

impl PageKind {
    pub fn module_type(self) -> &'static str {
        match self {
            PageKind::Global => "jira:globalPage",
            PageKind::Project => "jira:projectPage",
        }
    }
}

/// A `jira:globalPage` or `jira:projectPage` module with a Custom UI resource.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageModule {
    pub kind: PageKind,
    pub key: String,
    pub title: String,
    /// The key of the resource it shows.
    pub resource: String,
    /// The endpoint `invokeRemote` calls go to (`resolver.endpoint`).
    pub resolver_endpoint: Option<String>,
    pub layout: Option<String>,
}

/// An `endpoint` module: a remote and, for triggers, the route events are POSTed to.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub key: String,
    pub remote: String,
    pub route: Option<String>,
}

/// A `trigger` module on lifecycle events.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    pub key: String,
    pub endpoint: String,
    pub events: Vec<String>,
}

/// A `function` module: `handler` is `<file>.<export>`, the file under the app's `src/`.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Function {
    pub key: String,
    pub handler: String,
}

/// A `scheduledTrigger` module: the function it runs and how often.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledTrigger {
    pub key: String,
    pub function: String,
    pub interval: String,
}

/// A `remotes` entry; `base_url` is the manifest's (its `default` for a region map) unless
/// `--forge-remote KEY=URL` overrode it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Remote {
    pub key: String,
    pub base_url: String,
    pub operations: Vec<String>,
}

/// A `resources` entry: a Custom UI folder.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    pub key: String,
    pub path: String,
}

/// `permissions`: what @forge/csp turns into the resource's Content-Security-Policy.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    pub scopes: Vec<String>,
    /// `content.scripts` and `content.styles`.
    pub scripts: Vec<String>,
    pub styles: Vec<String>,
    /// `external.*`: kind (`fetch.client`, `images`, ...) to addresses as written.
    pub external: BTreeMap<String, Vec<Value>>,
}

/// A Forge app as jira-sim plays it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForgeApp {
    /// The app ARI, `ari:cloud:ecosystem::app/<uuid>` (the FIT's `aud`).
    pub id: String,
    pub pages: Vec<PageModule>,
    pub endpoints: Vec<Endpoint>,
    pub triggers: Vec<Trigger>,
    pub functions: Vec<Function>,
    pub scheduled: Vec<ScheduledTrigger>,
    pub remotes: Vec<Remote>,
    pub resources: Vec<Resource>,
    pub permissions: Permissions,
}

impl ForgeApp {
    /// The uuid of the app ARI.
    pub fn uuid(&self) -> &str {
        self.id.rsplit('/').next().unwrap_or(&self.id)
    }

    pub fn page(&self, key: &str) -> Option<&PageModule> {
        self.pages.iter().find(|p| p.key == key)
    }

    pub fn endpoint(&self, key: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.key == key)
    }

    pub fn remote(&self, key: &str) -> Option<&Remote> {
        self.remotes.iter().find(|r| r.key == key)
    }

    pub fn function(&self, key: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.key == key)
    }

    pub fn scheduled_trigger(&self, key: &str) -> Option<&ScheduledTrigger> {
        self.scheduled.iter().find(|t| t.key == key)
    }

    /// Reads and checks `manifest.yml`.
    pub fn from_file(path: &Path) -> anyhow::Result<ForgeApp> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("--forge-manifest {}: {e}", path.display()))?;
        ForgeApp::parse(&text)
            .map_err(|e| anyhow::anyhow!("--forge-manifest {}: {e}", path.display()))
    }

    /// Parses and checks a manifest's text.
    pub fn parse(text: &str) -> Result<ForgeApp, ManifestError> {
        let raw: RawManifest = serde_saphyr::from_str(text).map_err(|e| ManifestError {
            path: "manifest.yml".into(),
            message: e.to_string(),
        })?;
        raw.check()
    }

    /// Points remote `key` at `url` (`--forge-remote KEY=URL`).
    pub fn override_remote(&mut self, key: &str, url: &str) -> Result<(), ManifestError> {
        let known: Vec<String> = self.remotes.iter().map(|r| r.key.clone()).collect();
        let remote = self
            .remotes
            .iter_mut()
            .find(|r| r.key == key)
            .ok_or_else(|| ManifestError {
                path: format!("--forge-remote {key}"),
                message: format!("the manifest has no remote {key:?} (it has {known:?})"),
            })?;
        check_url(url).map_err(|message| ManifestError {
            path: format!("--forge-remote {key}"),
            message,
        })?;
        remote.base_url = url.trim_end_matches('/').to_string();
        Ok(())
    }
}

fn err(path: impl Into<String>, message: impl Into<String>) -> ManifestError {
    ManifestError {
        path: path.into(),
        message: message.into(),
    }
}

fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("{url:?} is not an http(s) URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{url:?} has no host"));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    app: RawApp,
    #[serde(default)]
    modules: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    remotes: Vec<RawRemote>,
    #[serde(default)]
    resources: Vec<RawResource>,
    #[serde(default)]
    permissions: RawPermissions,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApp {
    id: String,
    #[serde(default)]
    runtime: Option<RawRuntime>,
    #[serde(default)]
    licensing: Option<RawLicensing>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuntime {
    #[allow(dead_code)]
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLicensing {
    #[allow(dead_code)]
    enabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    key: String,
    title: String,
    resource: Option<String>,
    resolver: Option<RawResolver>,
    layout: Option<String>,
    icon: Option<String>,
    render: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResolver {
    endpoint: Option<String>,
    function: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoint {
    key: String,
    remote: Option<String>,
    service: Option<String>,
    route: Option<RawRoute>,
    #[serde(default)]
    auth: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    path: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrigger {
    key: String,
    endpoint: Option<String>,
    function: Option<String>,
    events: Vec<String>,
    #[serde(default)]
    filter: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct RawFunction {
    key: String,
    handler: String,
    #[serde(default)]
    timeout_seconds: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheduledTrigger {
    key: String,
    function: Option<String>,
    endpoint: Option<String>,
    interval: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct RawRemote {
    key: String,
    base_url: RawBaseUrl,
    #[serde(default)]
    operations: Vec<String>,
    #[serde(default)]
    storage: Option<RawStorage>,
    #[serde(default)]
    auth: Option<Value>,
    #[serde(default)]
    configurable: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawBaseUrl {
    One(String),
    Regions(BTreeMap<String, String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStorage {
    #[serde(rename = "inScopeEUD")]
    in_scope_eud: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResource {
    key: String,
    path: String,
    #[serde(default)]
    tunnel: Option<Value>,
    #[serde(default)]
    entry: Option<String>,
    #[serde(default)]
    bundler: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPermissions {
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    content: RawContent,
    #[serde(default)]
    external: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContent {
    #[serde(default)]
    scripts: Vec<String>,
    #[serde(default)]
    styles: Vec<String>,
}

/// The region keys a remote's `baseUrl` map may have.
const REGIONS: [&str; 12] = [
    "default", "EU", "US", "AU", "DE", "SG", "CA", "IN", "KR", "JP", "GB", "CH",
];

fn typed<T: serde::de::DeserializeOwned>(path: &str, v: Value) -> Result<T, ManifestError> {
    serde_json::from_value(v).map_err(|e| err(path, e.to_string()))
}

fn is_app_ari(id: &str) -> bool {
    let Some(uuid) = id.strip_prefix("ari:cloud:ecosystem::app/") else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn unique<'a>(path: &str, keys: impl Iterator<Item = &'a str>) -> Result<(), ManifestError> {
    let mut seen = BTreeSet::new();
    for k in keys {
        if !seen.insert(k) {
            return Err(err(path, format!("the key {k:?} is used twice")));
        }
    }
    Ok(())
}

impl RawManifest {
    fn check(self) -> Result<ForgeApp, ManifestError> {
        if !is_app_ari(&self.app.id) {
            return Err(err(
                "app.id",
                format!(
                    "{:?} is not an app ARI (ari:cloud:ecosystem::app/<uuid>, from `forge register`)",
                    self.app.id
                ),
            ));
        }
        let _ = (
            &self.app.runtime,
            &self.app.licensing,
            &self.app.description,
        );
        let mut pages = Vec::new();
        let mut endpoints = Vec::new();
        let mut triggers = Vec::new();
        let mut functions = Vec::new();
        let mut scheduled = Vec::new();
        for (module_type, items) in self.modules {
            let kind = match module_type.as_str() {
                "jira:globalPage" => Some(PageKind::Global),
                "jira:projectPage" => Some(PageKind::Project),
                "endpoint" | "trigger" | "function" | "scheduledTrigger" => None,
                other => {
                    return Err(err(
                        format!("modules.{other}"),
                        format!(
                            "jira-sim does not play this module type; it plays {}",
                            SUPPORTED_MODULES.join(", ")
                        ),
                    ));
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                let path = format!("modules.{module_type}[{i}]");
                match (kind, module_type.as_str()) {
                    (Some(kind), _) => pages.push(page(&path, kind, typed(&path, item)?)?),
                    (None, "endpoint") => endpoints.push(endpoint(&path, typed(&path, item)?)?),
                    (None, "function") => functions.push(function(&path, typed(&path, item)?)?),
                    (None, "scheduledTrigger") => {
                        scheduled.push(scheduled_trigger(&path, typed(&path, item)?)?)
                    }
                    (None, _) => triggers.push(trigger(&path, typed(&path, item)?)?),
                }
            }
        }
        let mut remotes = Vec::new();
        for (i, r) in self.remotes.into_iter().enumerate() {
            remotes.push(remote(&format!("remotes[{i}]"), r)?);
        }
        let mut resources = Vec::new();
        for (i, r) in self.resources.into_iter().enumerate() {
            let path = format!("resources[{i}]");
            if r.bundler.is_some() {
                return Err(err(
                    path,
                    "`bundler` is for UI Kit resources, which jira-sim does not render; it serves Custom UI folders",
                ));
            }
            if r.entry.is_some() {
                return Err(err(
                    path,
                    "`entry` is not supported; point `path` at the folder with index.html",
                ));
            }
            let _ = r.tunnel;
            resources.push(Resource {
                key: r.key,
                path: r.path,
            });
        }
        let permissions = permissions(self.permissions)?;
        let app = ForgeApp {
            id: self.app.id,
            pages,
            endpoints,
            triggers,
            functions,
            scheduled,
            remotes,
            resources,
            permissions,
        };
        cross_check(&app)?;
        Ok(app)
    }
}

fn page(path: &str, kind: PageKind, p: RawPage) -> Result<PageModule, ManifestError> {
    if p.render.is_some() {
        return Err(err(
            format!("{path}.render"),
            "UI Kit modules (`render: native`) need Forge's runtime; jira-sim hosts Custom UI resources",
        ));
    }
    let resource = p.resource.ok_or_else(|| {
        err(
            path,
            "a Custom UI page needs `resource` (the key of a `resources` entry)",
        )
    })?;
    let resolver_endpoint = match p.resolver {
        None => None,
        Some(RawResolver {
            endpoint: Some(e),
            function: None,
        }) => Some(e),
        Some(RawResolver {
            function: Some(_), ..
        }) => {
            return Err(err(
                format!("{path}.resolver"),
                "function resolvers are not played (jira-sim runs functions only from a scheduledTrigger); use `resolver: {endpoint: KEY}` with a remote",
            ));
        }
        Some(_) => return Err(err(format!("{path}.resolver"), "needs `endpoint`")),
    };
    if let Some(layout) = &p.layout
        && !["basic", "blank", "native"].contains(&layout.as_str())
    {
        return Err(err(
            format!("{path}.layout"),
            format!("{layout:?} is not one of basic, blank, native"),
        ));
    }
    let _ = p.icon;
    Ok(PageModule {
        kind,
        key: p.key,
        title: p.title,
        resource,
        resolver_endpoint,
        layout: p.layout,
    })
}

fn endpoint(path: &str, e: RawEndpoint) -> Result<Endpoint, ManifestError> {
    if e.service.is_some() {
        return Err(err(
            format!("{path}.service"),
            "Forge containers (`service`) are not played by jira-sim; use `remote`",
        ));
    }
    let remote = e
        .remote
        .ok_or_else(|| err(path, "an endpoint needs `remote`"))?;
    let _ = e.auth;
    let route = match e.route {
        Some(r) if !r.path.starts_with('/') => {
            return Err(err(
                format!("{path}.route.path"),
                format!("{:?} must start with /", r.path),
            ));
        }
        r => r.map(|r| r.path),
    };
    Ok(Endpoint {
        key: e.key,
        remote,
        route,
    })
}

fn trigger(path: &str, t: RawTrigger) -> Result<Trigger, ManifestError> {
    if t.function.is_some() {
        return Err(err(
            format!("{path}.function"),
            "function triggers are not played (jira-sim runs functions only from a scheduledTrigger); it sends events to an `endpoint` on a remote",
        ));
    }
    if t.filter.is_some() {
        return Err(err(
            format!("{path}.filter"),
            "event filters are not supported",
        ));
    }
    let endpoint = t
        .endpoint
        .ok_or_else(|| err(path, "a trigger needs `endpoint`"))?;
    if t.events.is_empty() {
        return Err(err(format!("{path}.events"), "no events"));
    }
    for e in &t.events {
        if !LIFECYCLE_EVENTS.contains(&e.as_str()) {
            return Err(err(
                format!("{path}.events"),
                format!(
                    "jira-sim sends only the lifecycle events {}; it cannot send {e:?}",
                    LIFECYCLE_EVENTS.join(", ")
                ),
            ));
        }
    }
    Ok(Trigger {
        key: t.key,
        endpoint,
        events: t.events,
    })
}

fn function(path: &str, f: RawFunction) -> Result<Function, ManifestError> {
    let well_formed = f.handler.split_once('.').is_some_and(|(file, export)| {
        !file.is_empty() && !export.is_empty() && !file.contains("..") && !export.contains('.')
    });
    if !well_formed {
        return Err(err(
            format!("{path}.handler"),
            format!(
                "{:?} is not <file>.<export> (e.g. index.run, for src/index.js's run)",
                f.handler
            ),
        ));
    }
    if f.timeout_seconds.is_some_and(|t| t == 0 || t > 900) {
        return Err(err(
            format!("{path}.timeoutSeconds"),
            "must be 1 to 900 seconds",
        ));
    }
    Ok(Function {
        key: f.key,
        handler: f.handler,
    })
}

fn scheduled_trigger(
    path: &str,
    t: RawScheduledTrigger,
) -> Result<ScheduledTrigger, ManifestError> {
    if t.endpoint.is_some() {
        return Err(err(
            format!("{path}.endpoint"),
            "jira-sim runs scheduled triggers on a `function`, not on a remote endpoint",
        ));
    }
    let function = t
        .function
        .ok_or_else(|| err(path, "a scheduled trigger needs `function`"))?;
    if !INTERVALS.contains(&t.interval.as_str()) {
        return Err(err(
            format!("{path}.interval"),
            format!("{:?} is not one of {}", t.interval, INTERVALS.join(", ")),
        ));
    }
    Ok(ScheduledTrigger {
        key: t.key,
        function,
        interval: t.interval,
    })
}

fn remote(path: &str, r: RawRemote) -> Result<Remote, ManifestError> {
    if r.key.len() > 23 {
        return Err(err(
            format!("{path}.key"),
            format!("{:?} is longer than 23 characters", r.key),
        ));
    }
    let base_url = match r.base_url {
        RawBaseUrl::One(u) => u,
        RawBaseUrl::Regions(map) => {
            if let Some(bad) = map.keys().find(|k| !REGIONS.contains(&k.as_str())) {
                return Err(err(
                    format!("{path}.baseUrl"),
                    format!("unknown region {bad:?} (one of {})", REGIONS.join(", ")),
                ));
            }
            map.get("default")
                .cloned()
                .ok_or_else(|| err(format!("{path}.baseUrl"), "a region map needs `default`"))?
        }
    };
    check_url(&base_url).map_err(|m| err(format!("{path}.baseUrl"), m))?;
    for op in &r.operations {
        if !["storage", "other", "compute", "fetch"].contains(&op.as_str()) {
            return Err(err(
                format!("{path}.operations"),
                format!("{op:?} is not one of storage, other, compute, fetch"),
            ));
        }
    }
    if r.operations.iter().any(|o| o == "storage")
        && r.storage.as_ref().and_then(|s| s.in_scope_eud).is_none()
    {
        return Err(err(
            format!("{path}.storage.inScopeEUD"),
            "required when `operations` has `storage`",
        ));
    }
    let _ = (r.auth, r.configurable);
    Ok(Remote {
        key: r.key,
        base_url: base_url.trim_end_matches('/').to_string(),
        operations: r.operations,
    })
}

fn permissions(p: RawPermissions) -> Result<Permissions, ManifestError> {
    for (kind, list) in [
        ("scripts", &p.content.scripts),
        ("styles", &p.content.styles),
    ] {
        for v in list {
            let hash = ["sha256-", "sha384-", "sha512-"]
                .iter()
                .any(|h| v.starts_with(h));
            if !hash && !ALLOWED_CONTENT.contains(&v.as_str()) {
                return Err(err(
                    format!("permissions.content.{kind}"),
                    format!(
                        "Invalid 'content.{kind}' permission in the manifest.yml file - '{v}' (allowed: {}, or a hash; WebAssembly needs unsafe-eval)",
                        ALLOWED_CONTENT.join(", ")
                    ),
                ));
            }
        }
    }
    const EXTERNAL: [&str; 7] = [
        "fetch", "images", "fonts", "frames", "media", "scripts", "styles",
    ];
    let mut external = BTreeMap::new();
    for (kind, v) in p.external {
        if !EXTERNAL.contains(&kind.as_str()) {
            return Err(err(
                format!("permissions.external.{kind}"),
                format!("not one of {}", EXTERNAL.join(", ")),
            ));
        }
        let lists: Vec<(String, Value)> = match (kind.as_str(), v) {
            ("fetch", Value::Object(m)) => m
                .into_iter()
                .map(|(side, list)| (format!("fetch.{side}"), list))
                .collect(),
            ("fetch", _) => {
                return Err(err(
                    "permissions.external.fetch",
                    "expected `client` and/or `backend` lists",
                ));
            }
            (_, list) => vec![(kind.clone(), list)],
        };
        for (name, list) in lists {
            if name.starts_with("fetch.")
                && !["fetch.client", "fetch.backend"].contains(&name.as_str())
            {
                return Err(err(
                    format!("permissions.external.{name}"),
                    "not client or backend",
                ));
            }
            let Value::Array(items) = list else {
                return Err(err(
                    format!("permissions.external.{name}"),
                    "expected a list",
                ));
            };
            external.insert(name, items);
        }
    }
    Ok(Permissions {
        scopes: p.scopes,
        scripts: p.content.scripts,
        styles: p.content.styles,
        external,
    })
}

/// The linter's references between parts: every key named exists, triggers' endpoints have
/// a route, keys are unique.
fn cross_check(app: &ForgeApp) -> Result<(), ManifestError> {
    unique(
        "modules",
        app.pages
            .iter()
            .map(|p| p.key.as_str())
            .chain(app.endpoints.iter().map(|e| e.key.as_str()))
            .chain(app.triggers.iter().map(|t| t.key.as_str()))
            .chain(app.functions.iter().map(|f| f.key.as_str()))
            .chain(app.scheduled.iter().map(|t| t.key.as_str())),
    )?;
    for t in &app.scheduled {
        if app.function(&t.function).is_none() {
            return Err(err(
                format!("modules.scheduledTrigger.{}.function", t.key),
                format!("no function module {:?}", t.function),
            ));
        }
    }
    unique("remotes", app.remotes.iter().map(|r| r.key.as_str()))?;
    unique("resources", app.resources.iter().map(|r| r.key.as_str()))?;
    for p in &app.pages {
        let path = format!("modules.{}.{}", p.kind.module_type(), p.key);
        if !app.resources.iter().any(|r| r.key == p.resource) {
            return Err(err(
                format!("{path}.resource"),
                format!("no resource {:?} in `resources`", p.resource),
            ));
        }
        if let Some(e) = &p.resolver_endpoint
            && app.endpoint(e).is_none()
        {
            return Err(err(
                format!("{path}.resolver.endpoint"),
                format!("no endpoint module {e:?}"),
            ));
        }
    }
    for e in &app.endpoints {
        if app.remote(&e.remote).is_none() {
            return Err(err(
                format!("modules.endpoint.{}.remote", e.key),
                format!("no remote {:?} in `remotes`", e.remote),
            ));
        }
    }
    for t in &app.triggers {
        let path = format!("modules.trigger.{}.endpoint", t.key);
        let e = app
            .endpoint(&t.endpoint)
            .ok_or_else(|| err(&path, format!("no endpoint module {:?}", t.endpoint)))?;
        if e.route.is_none() {
            return Err(err(
                path,
                format!("endpoint {:?} needs `route.path` to receive events", e.key),
            ));
        }
    }
    Ok(())
}
