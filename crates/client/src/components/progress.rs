//! The progress panel of a report run: issues read of the estimate, requests in flight, the
//! rate-limit wait, and the cancel button.

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
