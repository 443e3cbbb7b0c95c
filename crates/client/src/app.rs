//! The app shell: finds out where the page runs, sets up the Jira transport and the metadata
//! server client, and shows the page the URL fragment names.

use config::api::EffectiveRights;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::api::connect::{ConnectAuth, ConnectTransport};
use crate::api::direct::DirectTransport;
use crate::api::http::BrowserHttp;
use crate::api::jira::{Flavour, JiraRequest, JiraResponse, Transport, TransportError};
use crate::api::server::ServerClient;
use crate::background::Background;
use crate::env::Environment;
use crate::fetch::Cancel;
use crate::pages;
use crate::platform;
use crate::route::{AdminPage, Route};

/// Jira as this page reaches it.
#[derive(Debug, Clone)]
pub enum JiraTransport {
    Connect(ConnectTransport),
    Direct(DirectTransport<BrowserHttp>),
}

impl Transport for JiraTransport {
    async fn send(
        &self,
        request: JiraRequest,
        cancel: &Cancel,
    ) -> Result<JiraResponse, TransportError> {
        match self {
            JiraTransport::Connect(t) => t.send(request, cancel).await,
            JiraTransport::Direct(t) => t.send(request, cancel).await,
        }
    }
}

/// The Jira site reports run against.
#[derive(Debug, Clone)]
pub struct JiraSite {
    pub transport: JiraTransport,
    pub flavour: Flavour,
    /// Shown in the header: the site address.
    pub site: String,
    /// Who is signed in, when known.
    pub user: Option<String>,
}

/// The metadata server client of a Connect page.
pub type Server = ServerClient<BrowserHttp, ConnectAuth>;

/// What every page can reach. Copy: every field is an arena handle.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub env: StoredValue<Environment>,
    pub route: RwSignal<Route>,
    pub jira: RwSignal<Option<JiraSite>>,
    /// `None` in Direct mode: there is no server session without Connect.
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
}

impl Ctx {
    fn new(env: Environment) -> Self {
        let server = env
            .is_connect()
            .then(|| ServerClient::new(platform::origin(), BrowserHttp, ConnectAuth));
        Ctx {
            env: StoredValue::new(env),
            route: RwSignal::new(Route::parse(&platform::location_hash())),
            jira: RwSignal::new(None),
            server: StoredValue::new(server),
            rights: RwSignal::new(None),
            draft: RwSignal::new(None),
            notice: RwSignal::new(None),
            startup_error: RwSignal::new(None),
        }
    }

    /// The context provided by [`App`].
    pub fn get() -> Ctx {
        expect_context::<Ctx>()
    }

    /// Goes to `route` (through the fragment, so the browser's back button works).
    pub fn go(&self, route: Route) {
        self.notice.set(None);
        platform::set_hash(&route.to_hash());
        self.route.set(route);
    }

    pub fn is_connect(&self) -> bool {
        self.env.with_value(Environment::is_connect)
    }

    /// The server client, or [`ClientError::NoServer`] in Direct mode.
    pub fn server(&self) -> Result<Server, ClientError> {
        self.server.get_value().ok_or(ClientError::NoServer)
    }

    /// The page's worker (one per page, started on first use).
    pub fn background(&self) -> Background {
        Background::shared()
    }

    pub fn can_edit_reports(&self) -> bool {
        self.rights.get().is_some_and(|r| r.edit_reports)
    }
}

/// Mounts the app on the page's body.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    let env = Environment::detect(&platform::location_search());
    let ctx = Ctx::new(env.clone());
    provide_context(ctx);
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        ctx.route.set(Route::parse(&platform::location_hash()));
    });
    on_cleanup(move || listener.remove());
    spawn_local(start(ctx, env));
    view! { <Shell /> }
}

/// Connect: loads all.js, then asks the server what the user may do. Direct: nothing to do
/// until the user connects to a Jira.
async fn start(ctx: Ctx, env: Environment) {
    let Environment::Connect { host, all_js } = env else {
        return;
    };
    // A shared link opened in Jira: Connect passes the route as `ac.route`.
    if let Some(hash) = crate::env::query_param(&platform::location_search(), "ac.route") {
        ctx.go(Route::parse(&hash));
    }
    let Some(all_js) = all_js else {
        ctx.startup_error.set(Some(ClientError::Network {
            service: "Jira",
            detail: format!("{host} is not a Jira Cloud site this app trusts"),
        }));
        return;
    };
    if let Err(detail) = platform::load_script(&all_js).await {
        ctx.startup_error.set(Some(ClientError::Network {
            service: "Atlassian's all.js",
            detail,
        }));
        return;
    }
    ctx.jira.set(Some(JiraSite {
        transport: JiraTransport::Connect(ConnectTransport),
        flavour: Flavour::Cloud,
        site: host,
        user: None,
    }));
    match ctx.server() {
        Ok(server) => match server.me().await {
            Ok(rights) => ctx.rights.set(Some(rights)),
            Err(e) => ctx.startup_error.set(Some(e)),
        },
        Err(e) => ctx.startup_error.set(Some(e)),
    }
}

/// A link that reopens `route` for someone else. Opened directly, it is this page's address;
/// inside Jira it is the Jira page that hosts Dwell, carrying the route as `ac.route` (Connect
/// hands `ac.*` parameters to the app's iframe).
pub async fn share_link(ctx: Ctx, route: &Route) -> String {
    let hash = route.to_hash();
    let Environment::Connect { host, .. } = ctx.env.get_value() else {
        return format!("{}{hash}", platform::page_url());
    };
    #[derive(serde::Deserialize)]
    struct Descriptor {
        key: String,
    }
    let descriptor = crate::api::http::Http::fetch(
        &BrowserHttp,
        crate::api::http::HttpRequest {
            method: "GET",
            url: format!("{}/atlassian-connect.json", platform::origin()),
            headers: vec![("Accept", "application/json".to_string())],
            body: None,
        },
        &Cancel::new(),
    )
    .await
    .ok()
    .and_then(|r| serde_json::from_str::<Descriptor>(&r.body).ok());
    match descriptor {
        Some(d) => format!(
            "{host}/plugins/servlet/ac/{}/dwell-reports?ac.route={}",
            crate::env::percent_encode(&d.key),
            crate::env::percent_encode(&hash)
        ),
        None => format!("{}{hash}", platform::page_url()),
    }
}

/// Header, navigation and the current page.
#[component]
fn Shell() -> impl IntoView {
    let ctx = Ctx::get();
    let is_admin = move || {
        ctx.rights
            .get()
            .is_some_and(|r| r.is_admin || r.manage_calendars || r.manage_permissions)
    };
    let current = move |r: Route| {
        let here = ctx.route.get();
        let same = std::mem::discriminant(&here) == std::mem::discriminant(&r);
        if same { Some("page") } else { None }
    };
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <a class="brand" href="#/">
                <span class="brand-mark" aria-hidden="true">"◷"</span>
                " Dwell"
            </a>
            <nav aria-label="Main">
                <a href="#/" aria-current=move || current(Route::Reports)>"Reports"</a>
                <Show when=is_admin>
                    <a
                        href=Route::Admin(AdminPage::Calendars).to_hash()
                        aria-current=move || current(Route::Admin(AdminPage::Calendars))
                    >
                        "Administration"
                    </a>
                </Show>
                <Show when=move || !ctx.is_connect()>
                    <a href="#/connection" aria-current=move || current(Route::Connection)>
                        "Jira connection"
                    </a>
                </Show>
            </nav>
            <p class="site">
                {move || match ctx.jira.get() {
                    Some(site) => {
                        let who = site.user.map(|u| format!(" as {u}")).unwrap_or_default();
                        format!("{} · {}{who}", site.flavour.label(), site.site)
                    }
                    None if ctx.is_connect() => "Connecting to Jira…".to_string(),
                    None => "Not connected to Jira".to_string(),
                }}
            </p>
        </header>
        <main id="main" tabindex="-1">
            {move || {
                ctx.startup_error
                    .get()
                    .map(|e| {
                        view! { <crate::components::ErrorPanel error=e title="Dwell could not start" /> }
                    })
            }}
            <crate::components::Notice message=ctx.notice />
            {move || {
                if ctx.is_connect() && ctx.jira.with(Option::is_none) {
                    // Until all.js has loaded, a page could reach neither Jira nor the server
                    // (its first request would fail for want of `AP`): wait for it.
                    let waiting = ctx.startup_error.with(Option::is_none);
                    waiting
                        .then(|| view! { <p class="loading">"Connecting to Jira…"</p> })
                        .into_any()
                } else {
                    page(ctx.route.get())
                }
            }}
        </main>
    }
}

fn page(route: Route) -> AnyView {
    match route {
        Route::Reports => view! { <pages::reports::ReportsPage /> }.into_any(),
        // The editor and the admin pages live in a module loaded on first use.
        Route::NewReport { .. } | Route::EditReport { .. } | Route::Admin(_) => {
            view! { <crate::lazy::EditorHost /> }.into_any()
        }
        Route::Report { id, overrides } => {
            view! { <pages::run::RunPage source=pages::run::RunSource::Saved { id, overrides } /> }
                .into_any()
        }
        Route::Draft => {
            view! { <pages::run::RunPage source=pages::run::RunSource::Draft /> }.into_any()
        }
        Route::Connection => view! { <pages::connection::ConnectionPage /> }.into_any(),
        Route::NotFound(path) => view! {
            <section class="page">
                <h1>"Page not found"</h1>
                <p>"There is no page at " <code>{path}</code> ". "<a href="#/">"Back to the reports"</a></p>
            </section>
        }
        .into_any(),
    }
}
