//! What every page can reach: the [`Ctx`] (environment, route, Jira site, metadata server,
//! rights, draft, notices) and the seams behind it, the Jira transport and the server's
//! authenticator. The shell (`app.rs`) builds a `Ctx` for the page and the editor module
//! (`editor_module.rs`) builds one from what the page hands it; pages depend on this module, never on
//! the shell.
//!
//! The key design decision: each seam is one enum whose arms are listed once, in the
//! `one_of!` invocation that also writes its dispatch, so a new transport or authenticator
//! (Forge's `requestJira` and `invokeRemote` were one arm each) is one arm. The Jira site crosses from the
//! page to the editor module of the same tab as JSON, in memory, so every transport is
//! serialisable (credentials included: they never leave the tab).

use config::api::EffectiveRights;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ClientError;
use crate::api::connect::{ConnectAuth, ConnectTransport};
use crate::api::direct::DirectTransport;
use crate::api::forge::{ForgeAuth, ForgeRemote, ForgeTransport};
use crate::api::http::{BrowserHttp, Http, HttpError, HttpRequest, HttpResponse};
use crate::api::jira::{Flavour, JiraRequest, JiraResponse, Transport, TransportError};
use crate::api::server::{Authenticator, ServerClient};
use crate::cancel::Cancel;
use crate::env::Environment;
use crate::platform;
use crate::route::Route;
use crate::view::principals::Grants;
use crate::worker_handle::WorkerHandle;

/// Declares an enum over implementations of one trait and implements the trait by
/// delegating to the arm at hand: the arms are written once.
macro_rules! one_of {
    (@dispatch $self:tt, $name:ident, [$($arm:ident),+], $method:ident, $args:tt) => {
        match $self { $( $name::$arm(inner) => inner.$method $args .await, )+ }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $trait:ident { $( $(#[$arm_meta:meta])* $arm:ident($ty:ty), )+ }
        fn $method:ident(&self $(, $arg:ident: $arg_ty:ty)*) -> $out:ty;
    ) => {
        $(#[$meta])*
        pub enum $name { $( $(#[$arm_meta])* $arm($ty), )+ }

        impl $trait for $name {
            async fn $method(&self $(, $arg: $arg_ty)*) -> $out {
                one_of!(@dispatch self, $name, [$($arm),+], $method, ($($arg),*))
            }
        }
    };
}

one_of! {
    /// Jira as this page reaches it.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub enum JiraTransport: Transport {
        /// Inside Jira Cloud's iframe: `AP.request` from all.js.
        Connect(ConnectTransport),
        /// `fetch` to a Jira base URL with the user's own credentials.
        Direct(DirectTransport<BrowserHttp>),
        /// Inside a Forge Custom UI: `requestJira` through Forge's bridge.
        Forge(ForgeTransport),
    }
    fn send(&self, request: JiraRequest, cancel: &Cancel) -> Result<JiraResponse, TransportError>;
}

one_of! {
    /// How the metadata server learns who is calling.
    #[derive(Debug, Clone)]
    pub enum ServerAuth: Authenticator {
        /// A fresh `AP.context.getToken()` JWT per call.
        Connect(ConnectAuth),
        /// None in the page: Forge signs each `invokeRemote` with an invocation token.
        Forge(ForgeAuth),
    }
    fn authorization(&self) -> Result<Option<String>, ClientError>;
}

one_of! {
    /// How requests reach the metadata server.
    #[derive(Debug, Clone)]
    pub enum ServerHttp: Http {
        /// `fetch` to the page's own origin (Connect: the server serves the page).
        Browser(BrowserHttp),
        /// `invokeRemote` to the app's remote, through Forge's bridge.
        Forge(ForgeRemote),
    }
    fn fetch(&self, request: HttpRequest, cancel: &Cancel) -> Result<HttpResponse, HttpError>;
}

/// The Jira site reports run against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JiraSite {
    pub transport: JiraTransport,
    pub flavour: Flavour,
    /// Shown in the header: the site address.
    pub site: String,
    /// Who is signed in, when known and readable: the Jira user name (Direct), none on Forge
    /// (the header then shows the zone only; see `view::signed_in`).
    pub user: Option<String>,
    /// The user's time zone as Jira knows it (Forge's context says it), when known.
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl JiraSite {
    /// The zone a run shows times in when its report names none: the user's Jira zone
    /// where Jira says it (so a Forge page shows what Jira's own pages show), else
    /// `browser`, the zone of the computer the browser runs on.
    pub fn report_zone(&self, browser: impl FnOnce() -> String) -> String {
        match self.time_zone.as_deref().map(str::trim) {
            Some(zone) if !zone.is_empty() => zone.to_string(),
            _ => browser(),
        }
    }
}

/// The metadata server client.
pub type Server = ServerClient<ServerHttp, ServerAuth>;

/// Where this page runs: Forge when Forge's bridge script defined `__bridge`, else as its
/// address says and dwell-server vouched for it.
pub fn page_environment() -> Environment {
    Environment::detect(
        crate::api::forge::bridge_available(),
        &platform::location_search(),
        platform::meta_content(crate::env::VERIFIED_SITE_META).as_deref(),
    )
}

/// The metadata server of a page in `env`: Connect, the page's own origin with all.js's
/// tokens; Forge, the app's remote through `invokeRemote` (paths are the remote's, so the base
/// is empty); `None` in Direct mode (there is no server session outside Jira).
pub fn server_for(env: &Environment) -> Option<Server> {
    match env {
        Environment::Connect { .. } => Some(ServerClient::new(
            platform::origin(),
            ServerHttp::Browser(BrowserHttp),
            ServerAuth::Connect(ConnectAuth),
        )),
        Environment::Forge => Some(ServerClient::new(
            "",
            ServerHttp::Forge(ForgeRemote),
            ServerAuth::Forge(ForgeAuth),
        )),
        Environment::Direct { .. } => None,
    }
}

/// What every page can reach. Copy: every field is an arena handle.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub env: StoredValue<Environment>,
    pub route: RwSignal<Route>,
    pub jira: RwSignal<Option<JiraSite>>,
    /// `None` in Direct mode: there is no server session outside Jira.
    pub server: StoredValue<Option<Server>>,
    /// What the user may do on the server; `None` until known (and in Direct mode).
    pub rights: RwSignal<Option<EffectiveRights>>,
    /// The configuration being run or edited without the server (templates, imports), as
    /// JSON: the page never parses configurations (the worker and the editor module do).
    pub draft: RwSignal<Option<String>>,
    /// A short confirmation shown at the top of the page.
    pub notice: RwSignal<Option<String>>,
    /// Why starting up failed (all.js missing, server unreachable).
    pub startup_error: RwSignal<Option<ClientError>>,
    /// The signed-in person's name as Jira shows it, once Jira has said it (the header shows
    /// [`JiraSite::user`] until then).
    pub user_name: RwSignal<Option<String>>,
}

impl Ctx {
    /// A context for a page in `env` showing `route`, with what is already known of the Jira
    /// site, the rights and the draft.
    pub fn new(
        env: Environment,
        route: Route,
        jira: Option<JiraSite>,
        rights: Option<EffectiveRights>,
        draft: Option<String>,
    ) -> Self {
        let server = server_for(&env);
        Ctx {
            env: StoredValue::new(env),
            route: RwSignal::new(route),
            jira: RwSignal::new(jira),
            server: StoredValue::new(server),
            rights: RwSignal::new(rights),
            draft: RwSignal::new(draft),
            notice: RwSignal::new(None),
            startup_error: RwSignal::new(None),
            user_name: RwSignal::new(None),
        }
    }

    /// The context provided by the shell (or the editor module).
    pub fn get() -> Ctx {
        expect_context::<Ctx>()
    }

    /// Goes to `route` (through the fragment, so the browser's back button works).
    pub fn go(&self, route: Route) {
        self.notice.set(None);
        platform::set_hash(&route.to_hash());
        self.route.set(route);
    }

    /// Inside Jira Cloud (Connect or Forge), where the site and the server come with the page.
    pub fn in_jira(&self) -> bool {
        self.env.with_value(Environment::in_jira)
    }

    /// The server client, or [`ClientError::NoServer`] in Direct mode.
    pub fn server(&self) -> Result<Server, ClientError> {
        self.server.get_value().ok_or(ClientError::NoServer)
    }

    /// The page's worker (one per page, started on first use).
    pub fn worker(&self) -> WorkerHandle {
        WorkerHandle::shared()
    }

    /// Which grantees this page's server can check: on Forge, account ids only.
    pub fn grants(&self) -> Grants {
        match self.env.get_value() {
            Environment::Forge => Grants::AccountsOnly,
            Environment::Connect { .. } | Environment::Direct { .. } => Grants::AccountsAndGroups,
        }
    }

    /// The user's time zone: reports show times in it unless they name their own, and a new
    /// calendar, template or timesheet (a report switched to a worklog kind) starts in it.
    /// Their Jira zone where Jira says it (Forge), else the browser's.
    pub fn time_zone(&self) -> String {
        self.jira.with_untracked(|site| match site {
            Some(site) => site.report_zone(platform::time_zone),
            None => platform::time_zone(),
        })
    }

    pub fn can_edit_reports(&self) -> bool {
        self.rights.get().is_some_and(|r| r.edit_reports)
    }

    /// A link that reopens `route` for someone else. Opened directly, it is this page's
    /// address; inside Jira it is the Jira page that hosts Dwell, carrying the route as
    /// `ac.route` (Connect hands `ac.*` parameters to the app's iframe).
    pub async fn share_link(&self, route: &Route) -> String {
        let hash = route.to_hash();
        let Environment::Connect { host, .. } = self.env.get_value() else {
            return format!("{}{hash}", platform::page_url());
        };
        #[derive(serde::Deserialize)]
        struct Descriptor {
            key: String,
        }
        let descriptor = BrowserHttp
            .fetch(
                HttpRequest {
                    method: "GET",
                    url: format!("{}/atlassian-connect.json", platform::origin()),
                    headers: vec![("Accept", "application/json".to_string())],
                    body: None,
                },
                &Cancel::new(),
            )
            .await
            .ok()
            .and_then(|r| serde_json::from_slice::<Descriptor>(r.body.as_bytes()).ok());
        match descriptor {
            Some(d) => format!(
                "{host}/plugins/servlet/ac/{}/dwell-reports?ac.route={}",
                crate::env::percent_encode(&d.key),
                crate::env::percent_encode(&hash)
            ),
            None => format!("{}{hash}", platform::page_url()),
        }
    }
}
