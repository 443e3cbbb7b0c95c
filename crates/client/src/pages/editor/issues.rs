//! The editor's "Issues" section: the JQL, what Jira says of it, and the optional date range
//! that narrows the issues after the search.
//!
//! The key decision: the JQL is checked by Jira itself (a count query as the user, a little
//! after typing stops), since no local parser knows a site's fields and functions; only the
//! latest answer is shown.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::api::jira::check_jql;
use crate::components::Form;
use crate::context::Ctx;
use crate::view::editor::{DATE_FIELDS, DATE_FROM, DATE_TO, JQL, date_field, set_date_field};

/// What Jira said of the JQL.
#[derive(Debug, Clone, PartialEq)]
pub enum JqlCheck {
    Idle,
    Checking,
    Matches(u64),
    Refused(ClientError),
}

/// Asks Jira about the form's JQL a little after typing stops; the answer to the latest JQL
/// is the signal's value. Made by the page, so it outlives the controls it rebuilds.
pub fn check_jql_as_you_type(ctx: Ctx, form: Form) -> RwSignal<JqlCheck> {
    let jql_check = RwSignal::new(JqlCheck::Idle);
    let jql_generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let jql = form.config.with(|c| c.jql.as_str().to_string());
        let Some(site) = ctx.jira.get() else {
            jql_check.set(JqlCheck::Idle);
            return;
        };
        jql_generation.update_value(|g| *g += 1);
        let mine = jql_generation.get_value();
        spawn_local(async move {
            crate::platform::sleep(700.0).await;
            // `try_`: the page may be gone by now, and a disposed value is no longer there
            // to read or set.
            if jql_generation.try_get_value() != Some(mine) {
                return;
            }
            jql_check.try_set(JqlCheck::Checking);
            let result = check_jql(&site.transport, site.flavour, &jql).await;
            if jql_generation.try_get_value() == Some(mine) {
                jql_check.try_set(match result {
                    Ok(n) => JqlCheck::Matches(n),
                    Err(e) => JqlCheck::Refused(e),
                });
            }
        });
    });
    jql_check
}

#[component]
pub fn Issues(form: Form, jql_check: RwSignal<JqlCheck>) -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        <fieldset class="section">
            <legend>"Issues"</legend>
            {form
                .text(
                    "JQL",
                    Some("Which issues the report covers, in Jira's query language."),
                    JQL,
                    3,
                )}
            <div class="jql-check" role="status" aria-live="polite">
                {move || match jql_check.get() {
                    JqlCheck::Idle if ctx.jira.get().is_none() => {
                        view! { <p class="muted">"Connect to Jira to check the query."</p> }
                            .into_any()
                    }
                    JqlCheck::Idle => view! { <span></span> }.into_any(),
                    JqlCheck::Checking => view! { <p class="muted">"Asking Jira…"</p> }.into_any(),
                    JqlCheck::Matches(n) => {
                        view! {
                            <p class="ok">
                                {format!("Jira finds about {} issues.", crate::view::thousands(n))}
                            </p>
                        }
                            .into_any()
                    }
                    JqlCheck::Refused(e) => {
                        view! { <p class="field-problem">{e.to_string()}</p> }.into_any()
                    }
                }}
            </div>
            <div class="field-row">
                {form.select("Only issues by date", &DATE_FIELDS, date_field, set_date_field)}
                <Show when=move || {
                    form.config.with(|c| c.date_range.is_some())
                }>
                    {form
                        .text(
                            "From",
                            Some("A date (2026-01-31), or -30 for 30 days before the run."),
                            DATE_FROM,
                            1,
                        )} {form.text("To", Some("Inclusive; empty means up to now."), DATE_TO, 1)}
                </Show>
            </div>
        </fieldset>
    }
}
