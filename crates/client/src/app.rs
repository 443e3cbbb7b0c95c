//! The app shell: finds out where the page runs, provides the page's [`Ctx`] (Connect: loads
//! all.js; Forge: reads the bridge's context; then sets up the Jira transport and asks the
//! server for the user's rights), and shows the page the URL fragment names. Nothing depends on
//! the shell: pages reach the shared context through [`crate::context`].

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::api::connect::ConnectTransport;
use crate::api::jira::Flavour;
use crate::context::{Ctx, JiraSite, JiraTransport};
use crate::env::Environment;
use crate::pages;
use crate::platform;
use crate::route::{AdminPage, Route};

/// Mounts the app on the page's body.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    let env = crate::context::page_environment();
    let route = Route::parse(&platform::location_hash());
    let ctx = Ctx::new(env.clone(), route, None, None, None);
    provide_context(ctx);
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        ctx.route.set(Route::parse(&platform::location_hash()));
    });
    on_cleanup(move || listener.remove());
    spawn_local(start(ctx, env));
    view! { <Shell /> }
}

/// Connect: loads all.js, then asks the server what the user may do. Forge: asks the bridge
/// for the context (site, user, time zone), then the server. Direct: nothing to do until the
/// user connects to a Jira.
async fn start(ctx: Ctx, env: Environment) {
    let (host, all_js, route) = match env {
        Environment::Connect {
            host,
            all_js,
            route,
        } => (host, all_js, route),
        Environment::Forge => return start_forge(ctx).await,
        Environment::Direct { .. } => return,
    };
    // A shared link opened in Jira: Connect passes the route as `ac.route`.
    if let Some(hash) = route {
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
        time_zone: None,
    }));
    spawn_local(load_user_name(ctx));
    load_rights(ctx).await;
}

/// Forge: the context comes from the bridge (for display: Atlassian says it is not for
/// authorization; the server learns the user from the invocation token).
async fn start_forge(ctx: Ctx) {
    let context = match crate::api::forge::context().await {
        Ok(c) => c,
        Err(detail) => {
            ctx.startup_error.set(Some(ClientError::Network {
                service: "Jira's Forge bridge",
                detail,
            }));
            return;
        }
    };
    ctx.jira.set(Some(JiraSite {
        transport: JiraTransport::Forge(crate::api::forge::ForgeTransport),
        flavour: Flavour::Cloud,
        site: context.site(),
        // An account id means nothing to a reader, and Jira's page around the app shows who is
        // signed in: the header names the zone only (`view::signed_in`).
        user: None,
        time_zone: context.timezone,
    }));
    // No `/myself` on Forge: it needs the `read:jira-user` scope, which the manifest does not
    // ask for (its one scope is `read:jira-work`), so the call would fail on every page load.
    // The header shows the context's account id.
    load_rights(ctx).await;
}

/// Asks Jira (`/myself`, through the page's transport) for the signed-in person's name, for
/// the header. Spawned beside the server's `/me`, so no page waits for it; the answer stays
/// in the tab. Without one (no answer, no name) the header keeps what it knows: nothing on
/// Connect. Not asked on Forge (see `start_forge`).
async fn load_user_name(ctx: Ctx) {
    let Some(transport) = ctx
        .jira
        .with_untracked(|site| site.as_ref().map(|s| s.transport.clone()))
    else {
        return;
    };
    if let Ok(me) = crate::api::jira::myself(&transport).await {
        ctx.user_name.set(me.name_shown().map(str::to_string));
    }
}

/// Asks the server what the user may do.
async fn load_rights(ctx: Ctx) {
    match ctx.server() {
        Ok(server) => match server.me().await {
            Ok(rights) => ctx.rights.set(Some(rights)),
            Err(e) => ctx.startup_error.set(Some(e)),
        },
        Err(e) => ctx.startup_error.set(Some(e)),
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
        <a class="skip-link" href="#main">
            "Skip to content"
        </a>
        <header class="app-header">
            <a class="brand" href="#/">
                <span class="brand-mark" aria-hidden="true">
                    "◷"
                </span>
                " Dwell"
            </a>
            <nav aria-label="Main">
                <a href="#/" aria-current=move || current(Route::Reports)>
                    "Reports"
                </a>
                <Show when=is_admin>
                    <a
                        href=Route::Admin(AdminPage::Calendars).to_hash()
                        aria-current=move || current(Route::Admin(AdminPage::Calendars))
                    >
                        "Administration"
                    </a>
                </Show>
                <Show when=move || !ctx.in_jira()>
                    <a href="#/connection" aria-current=move || current(Route::Connection)>
                        "Jira connection"
                    </a>
                </Show>
            </nav>
            <p class="site">
                {move || match ctx.jira.get() {
                    Some(site) => {
                        let name = ctx.user_name.get();
                        let who = crate::view::signed_in::label(
                                name.as_deref(),
                                site.user.as_deref(),
                                site.time_zone.as_deref(),
                            )
                            .unwrap_or_default();
                        format!("{} · {}{who}", site.flavour.label(), site.site)
                    }
                    None if ctx.in_jira() => "Connecting to Jira…".to_string(),
                    None => "Not connected to Jira".to_string(),
                }}
            </p>
        </header>
        <main id="main" tabindex="-1">
            {move || {
                ctx.startup_error
                    .get()
                    .map(|e| {
                        view! {
                            <crate::components::ErrorPanel error=e title="Dwell could not start" />
                        }
                    })
            }}
            <crate::components::Notice message=ctx.notice />
            {move || {
                if ctx.in_jira() && ctx.jira.with(Option::is_none) {
                    let waiting = ctx.startup_error.with(Option::is_none);
                    waiting
                        .then(|| {
                            // Until all.js has loaded (or the Forge context has come), a page could
                            // reach neither Jira nor the server: wait for it.
                            view! { <p class="loading">"Connecting to Jira…"</p> }
                        })
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
            view! { <crate::editor_loader::EditorHost /> }.into_any()
        }
        Route::Report { id, overrides } => view! {
            <pages::run::RunPage source=pages::run::RunSource::Saved {
                id,
                overrides,
            } />
        }
        .into_any(),
        Route::Draft => {
            view! { <pages::run::RunPage source=pages::run::RunSource::Draft /> }.into_any()
        }
        Route::Connection => view! { <pages::connection::ConnectionPage /> }.into_any(),
        Route::NotFound(path) => view! {
            <section class="page">
                <h1>"Page not found"</h1>
                <p>
                    "There is no page at " <code>{path}</code> ". "
                    <a href="#/">"Back to the reports"</a>
                </p>
            </section>
        }
        .into_any(),
    }
}
