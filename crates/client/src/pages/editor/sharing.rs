//! The editor's "Sharing" section, for a saved report: who may see it and who may change it,
//! typed as people and groups.
//!
//! The key decision: the grantees are read by `view::principals` for the platform in use
//! (`Grants`: no Jira groups on Forge), and applied to the saved report's access, which the
//! next save sends with the configuration.

use config::api::ReportAccess;
use leptos::prelude::*;

use super::save::SavedMeta;
use crate::components::{Field, Shape, text_box};
use crate::context::Ctx;
use crate::view::principals::{format_principals, parse_principals};

/// Who may see and change a saved report.
#[component]
pub fn Sharing(saved: RwSignal<Option<SavedMeta>>, meta: SavedMeta) -> impl IntoView {
    let grants = Ctx::get().grants();
    let viewers = RwSignal::new(format_principals(&meta.access.viewers));
    let editors = RwSignal::new(format_principals(&meta.access.editors));
    let problems = RwSignal::new(Vec::<String>::new());
    let apply = move || {
        let v = parse_principals(&viewers.get_untracked(), grants);
        let e = parse_principals(&editors.get_untracked(), grants);
        match (v, e) {
            (Ok(v), Ok(e)) => {
                problems.set(Vec::new());
                saved.update(|s| {
                    if let Some(s) = s {
                        s.access = ReportAccess {
                            viewers: v,
                            editors: e,
                        }
                    }
                });
            }
            (v, e) => problems.set(v.err().into_iter().chain(e.err()).flatten().collect()),
        }
    };
    let box_for = move |label: &'static str, value: RwSignal<String>| {
        view! {
            <Field
                label=label
                hint=format!("{} Empty: everyone with access to Dwell.", grants.hint())
                control=move |id, described| {
                    text_box(
                        id,
                        described,
                        Shape::area(3),
                        value.into(),
                        move |v| {
                            value.set(v);
                            apply();
                        },
                    )
                }
            />
        }
    };
    view! {
        <fieldset class="section">
            <legend>"Sharing"</legend>
            {box_for("Who may see this report", viewers)}
            {box_for("Who may change it", editors)}
            <ul class="field-problems">
                {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
        </fieldset>
    }
}
