//! Direct mode: which Jira to reach and how to sign in. Credentials live in this tab's memory
//! only; nothing is stored, so they are asked again in a new tab. An address that came with
//! the link (`?jira=`) gets a credential only once the person confirmed its host
//! ([`LinkedAddress`]).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::api::direct::{Credentials, DirectTransport, normalize_base_url};
use crate::api::http::BrowserHttp;
use crate::api::jira::{Flavour, identify};
use crate::components::{ErrorPanel, Field, TextInput};
use crate::context::{Ctx, JiraSite, JiraTransport};
use crate::env::Environment;
use crate::view::connection::LinkedAddress;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Token,
    Basic,
    Anonymous,
}

#[component]
pub fn ConnectionPage() -> impl IntoView {
    let ctx = Ctx::get();
    if ctx.in_jira() {
        return view! {
            <section class="page">
                <h1>"Jira connection"</h1>
                <p>
                    "Inside Jira Cloud, Dwell reaches Jira as you through Jira itself: there is nothing to set up."
                </p>
            </section>
        }
        .into_any();
    }
    let suggested = ctx.env.with_value(|e| match e {
        Environment::Direct { jira } => jira.clone().unwrap_or_default(),
        Environment::Connect { .. } | Environment::Forge => String::new(),
    });
    let linked = StoredValue::new(LinkedAddress::new(
        Some(suggested.as_str()).filter(|s| !s.is_empty()),
    ));
    let url = RwSignal::new(suggested);
    // The host the person confirmed, if any: a confirmation holds for that host only.
    let confirmed = RwSignal::new(None::<String>);
    let method = RwSignal::new(Method::Token);
    let token = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let url_problem = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ClientError>);

    let connect = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let base = match normalize_base_url(&url.get_untracked()) {
            Ok(b) => b,
            Err(e) => {
                url_problem.set(vec![e.to_string()]);
                return;
            }
        };
        let sends_credentials = method.get_untracked() != Method::Anonymous;
        if let Some(host) = linked.with_value(|l| l.host_to_confirm(&base, sends_credentials))
            && confirmed.get_untracked().as_deref() != Some(host.as_str())
        {
            url_problem.set(vec![format!(
                "this address came with the link you opened: confirm below that {host} is your Jira before signing in"
            )]);
            return;
        }
        url_problem.set(Vec::new());
        let credentials = match method.get_untracked() {
            Method::Token => Credentials::Token(token.get_untracked()),
            Method::Basic => Credentials::Basic {
                user: user.get_untracked(),
                secret: secret.get_untracked(),
            },
            Method::Anonymous => Credentials::Anonymous,
        };
        let transport = DirectTransport::new(base.clone(), credentials, BrowserHttp);
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            match identify(&transport).await {
                Ok((info, me)) => {
                    let flavour = Flavour::from_deployment_type(&info.deployment_type);
                    let who = (!me.display_name.is_empty()).then_some(me.display_name);
                    ctx.jira.set(Some(JiraSite {
                        transport: JiraTransport::Direct(transport),
                        flavour,
                        site: base,
                        user: who,
                        time_zone: None,
                    }));
                    ctx.notice
                        .set(Some(format!("Connected to {}.", flavour.label())));
                    ctx.go(crate::route::Route::Reports);
                }
                Err(e) => failure.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let radio = move |value: Method, label: &'static str| {
        view! {
            <label class="radio">
                <input
                    type="radio"
                    name="sign-in"
                    prop:checked=move || method.get() == value
                    on:change=move |_| method.set(value)
                />
                {label}
            </label>
        }
    };

    view! {
        <section class="page narrow">
            <h1>"Connect to Jira"</h1>
            <p>
                "Dwell reads issues straight from Jira into this browser tab. Your sign-in stays in this tab's memory: it is never stored or sent anywhere but to Jira."
            </p>
            <form on:submit=connect>
                <Field
                    label="Jira address"
                    hint="For Jira Data Center, an administrator must allow this app's address in Jira's CORS allowlist."
                    problems=Signal::from(url_problem)
                    control=move |id, described| {
                        view! {
                            <input
                                id=id
                                type="url"
                                required
                                placeholder="https://jira.example.com"
                                aria-describedby=described
                                prop:value=move || url.get()
                                on:input=move |ev| url.set(event_target_value(&ev))
                            />
                        }
                    }
                />
                {move || {
                    let sends = method.get() != Method::Anonymous;
                    let host = linked.with_value(|l| l.host_to_confirm(&url.get(), sends))?;
                    let checked = {
                        let host = host.clone();
                        move || confirmed.get().as_deref() == Some(host.as_str())
                    };
                    let toggle = {
                        let host = host.clone();
                        move |ev: leptos::ev::Event| {
                            confirmed.set(event_target_checked(&ev).then(|| host.clone()));
                        }
                    };
                    Some(
                        view! {
                            <div class="field confirm-host">
                                <p>
                                    "This Jira address came with the link you opened. Your sign-in will be sent to "
                                    <strong>{host.clone()}</strong>
                                    ": go on only if that is your Jira."
                                </p>
                                <label class="radio">
                                    <input
                                        type="checkbox"
                                        name="confirm-host"
                                        prop:checked=checked
                                        on:change=toggle
                                    />
                                    {format!("{host} is my Jira")}
                                </label>
                            </div>
                        },
                    )
                }}
                <fieldset class="field">
                    <legend>"Sign in with"</legend>
                    {radio(Method::Token, "A personal access token")}
                    {radio(Method::Basic, "User name and password (or e-mail and API token)")}
                    {radio(Method::Anonymous, "No sign-in (public Jira or the demo simulator)")}
                </fieldset>
                <Show when=move || method.get() == Method::Token>
                    <TextInput
                        label="Personal access token"
                        kind="password"
                        autocomplete="off"
                        value=token
                    />
                </Show>
                <Show when=move || method.get() == Method::Basic>
                    <TextInput label="User name or e-mail" autocomplete="username" value=user />
                    <TextInput
                        label="Password or API token"
                        kind="password"
                        autocomplete="current-password"
                        value=secret
                    />
                </Show>
                <div class="actions">
                    <button type="submit" class="button button-primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Connecting…" } else { "Connect" }}
                    </button>
                </div>
            </form>
            {move || {
                failure.get().map(|e| view! { <ErrorPanel error=e title="Could not connect" /> })
            }}
        </section>
    }
    .into_any()
}
