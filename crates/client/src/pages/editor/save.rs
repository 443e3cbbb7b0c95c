//! Saving the report: create it or update its version, and when someone saved a newer
//! version meanwhile, show both side by side and let the user keep theirs or take the other.
//!
//! The key decision: nothing typed is lost. A save waits until every control reads as a
//! value; the server's problems land on the controls by JSON path; taking the other version
//! keeps the user's own as JSON text on the page.

use config::ReportId;
use config::api::{NewReport, ReportAccess, ReportRecord, ReportUpdate};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::api::server::Saved;
use crate::components::{ConflictPanel, Form};
use crate::context::Ctx;
use crate::route::Route;
use crate::view::errors::FieldErrors;

/// What a saved report adds to its configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedMeta {
    pub id: ReportId,
    pub version: u64,
    pub access: ReportAccess,
}

impl SavedMeta {
    pub fn of(r: &ReportRecord) -> Self {
        SavedMeta {
            id: r.id.clone(),
            version: r.version,
            access: r.access.clone(),
        }
    }
}

/// The state of saving. Copy: signals only.
#[derive(Debug, Clone, Copy)]
pub struct Saving {
    /// The saved report's id, version and access; none until it is first saved.
    pub saved: RwSignal<Option<SavedMeta>>,
    /// The newer version that refused the last save.
    pub conflict: RwSignal<Option<ReportRecord>>,
    /// The user's version, as JSON, after they took the other one.
    pub discarded: RwSignal<Option<String>>,
    /// Why the last save (or download) failed.
    pub failure: RwSignal<Option<ClientError>>,
    /// A save is under way.
    pub saving: RwSignal<bool>,
}

impl Saving {
    pub fn new(saved: Option<SavedMeta>) -> Self {
        Saving {
            saved: RwSignal::new(saved),
            conflict: RwSignal::new(None),
            discarded: RwSignal::new(None),
            failure: RwSignal::new(None),
            saving: RwSignal::new(false),
        }
    }

    /// Saves the form's configuration: a new report, or the next version of the saved one
    /// (over `overwrite_version` when the user keeps theirs in a conflict).
    pub fn save(self, ctx: Ctx, form: Form, overwrite_version: Option<u64>) {
        let Saving {
            saved,
            conflict,
            failure,
            saving,
            ..
        } = self;
        if !form.all_read() {
            failure.set(Some(ClientError::Invalid {
                message: "some fields do not read as values yet".into(),
                details: Vec::new(),
            }));
            return;
        }
        let config = form.config.get_untracked();
        let meta = saved.get_untracked();
        failure.set(None);
        saving.set(true);
        spawn_local(async move {
            let server = match ctx.server() {
                Ok(s) => s,
                Err(e) => {
                    failure.set(Some(e));
                    saving.set(false);
                    return;
                }
            };
            let outcome = match meta {
                None => server
                    .create_report(&NewReport {
                        config,
                        access: ReportAccess::default(),
                    })
                    .await
                    .map(Saved::Saved),
                Some(meta) => {
                    server
                        .update_report(
                            &meta.id,
                            &ReportUpdate {
                                version: overwrite_version.unwrap_or(meta.version),
                                config,
                                access: meta.access,
                            },
                        )
                        .await
                }
            };
            saving.set(false);
            match outcome {
                Ok(Saved::Saved(record)) => {
                    let was_new = saved.get_untracked().is_none();
                    saved.set(Some(SavedMeta::of(&record)));
                    conflict.set(None);
                    ctx.notice.set(Some(format!(
                        "Saved \u{201c}{}\u{201d}.",
                        record.config.name
                    )));
                    if was_new {
                        ctx.go(Route::EditReport { id: record.id });
                    }
                }
                Ok(Saved::Conflict(current)) => conflict.set(Some(current)),
                Err(ClientError::Invalid { message, details }) => {
                    let details: Vec<_> = details
                        .into_iter()
                        .map(|mut d| {
                            d.path = d
                                .path
                                .strip_prefix("config.")
                                .unwrap_or(&d.path)
                                .to_string();
                            d
                        })
                        .collect();
                    form.problems.set(FieldErrors(details.clone()));
                    failure.set(Some(ClientError::Invalid { message, details }));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    }
}

/// The conflict, while there is one: both versions side by side, with who saved the other.
pub fn conflict_panel(
    ctx: Ctx,
    form: Form,
    saving: Saving,
    revision: RwSignal<u32>,
) -> impl IntoView {
    let Saving {
        saved,
        conflict,
        discarded,
        ..
    } = saving;
    move || {
        conflict.get().map(|current| {
            let mine = serde_json::to_value(form.config.get_untracked()).unwrap_or_default();
            let theirs = serde_json::to_value(&current.config).unwrap_or_default();
            let by = format!(
                "Version {} was saved by {} at {}.",
                current.version,
                current.updated_by,
                crate::platform::local_time(&current.updated_at.to_string()),
            );
            let version = current.version;
            let keep = Callback::new(move |_| saving.save(ctx, form, Some(version)));
            let take = Callback::new(move |_| {
                let Some(current) = conflict.get_untracked() else { return };
                discarded.set(Some(crate::view::pretty_json(&form.config.get_untracked())));
                saved.set(Some(SavedMeta::of(&current)));
                form.replace(current.config);
                conflict.set(None);
                revision.update(|r| *r += 1);
            });
            view! { <ConflictPanel mine theirs saved_by=by on_keep_mine=keep on_take_theirs=take /> }
        })
    }
}

/// The user's version after they took the other one, as JSON to copy from.
pub fn discarded_version(saving: Saving) -> impl IntoView {
    move || {
        saving.discarded.get().map(|json| {
            view! {
                <details class="panel">
                    <summary>"Your replaced version, as JSON"</summary>
                    <textarea class="code" readonly rows="10" aria-label="Your replaced version">
                        {json}
                    </textarea>
                </details>
            }
        })
    }
}
