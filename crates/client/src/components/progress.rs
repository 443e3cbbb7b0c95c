//! The progress panel of a report run: issues read of the estimate, requests in flight, the
//! rate-limit wait, and the cancel button; and the busy panel of a phase with nothing to
//! count (the engine computing), whose bar slides rather than stand still.

use leptos::prelude::*;

use crate::fetch::Progress;
use crate::view::progress::ProgressView;

#[component]
pub fn ProgressPanel(
    #[prop(into)] progress: Signal<Progress>,
    #[prop(into)] running: Signal<bool>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let view_model = Memo::new(move |_| ProgressView::new(&progress.get()));
    view! {
        <section class="progress" aria-label="Progress">
            <p class="progress-headline" role="status" aria-live="polite">
                {move || view_model.get().headline}
            </p>
            <div
                class="progress-bar"
                role="progressbar"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || view_model.get().percent.map(|p| p.round().to_string())
                aria-label="Issues read"
            >
                <div
                    class="progress-fill"
                    class:indeterminate=move || view_model.get().percent.is_none()
                    style:width=move || {
                        view_model.get().percent.map_or("30%".to_string(), |p| format!("{p}%"))
                    }
                ></div>
            </div>
            <p class="progress-detail">{move || view_model.get().detail}</p>
            {move || {
                view_model
                    .get()
                    .waiting
                    .map(|w| {
                        view! {
                            <p class="progress-waiting" role="status">
                                {w}
                            </p>
                        }
                    })
            }}
            <Show when=move || running.get()>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </Show>
        </section>
    }
}

/// A phase that moves without a count: an indeterminate bar (it slides, on the compositor,
/// while the worker works) under `label`.
#[component]
pub fn BusyPanel(label: &'static str) -> impl IntoView {
    view! {
        <section class="progress" aria-label="Progress">
            <p class="progress-headline loading" role="status" aria-live="polite">
                {label}
            </p>
            <div class="progress-bar" role="progressbar" aria-label=label>
                <div class="progress-fill indeterminate" style:width="30%"></div>
            </div>
        </section>
    }
}
