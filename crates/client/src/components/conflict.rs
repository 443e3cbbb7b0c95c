//! The 409 screen: someone saved the same record first. Both versions are shown field by field;
//! the user keeps theirs (overwriting), takes the server's (their own stays copyable), or
//! copies their version as JSON. Nothing is lost either way.

use leptos::prelude::*;
use serde_json::Value;

use super::table_head;
use crate::view::conflict::differences;

#[component]
pub fn ConflictPanel(
    mine: Value,
    theirs: Value,
    /// Who saved the server's version, and when.
    #[prop(into)]
    saved_by: String,
    on_keep_mine: Callback<()>,
    on_take_theirs: Callback<()>,
) -> impl IntoView {
    let diffs = differences(&mine, &theirs);
    let mine_json = crate::view::pretty_json(&mine);
    let copy_id = super::unique_id("mine-json");
    view! {
        <section class="panel panel-warning" role="alert" aria-labelledby="conflict-title">
            <p class="panel-title" id="conflict-title">
                "Someone else saved this first"
            </p>
            <p>{saved_by}" Your changes are not lost: compare the two versions and choose."</p>
            <table class="conflict-table">
                {table_head(
                    "Fields that differ",
                    ["Field", "Your version", "Saved version"],
                    false,
                )}
                <tbody>
                    {diffs
                        .into_iter()
                        .map(|d| {
                            view! {
                                <tr>
                                    <th scope="row">
                                        <code>{d.path}</code>
                                    </th>
                                    <td>{d.mine.unwrap_or_else(|| "(absent)".into())}</td>
                                    <td>{d.theirs.unwrap_or_else(|| "(absent)".into())}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <div class="actions">
                <button
                    type="button"
                    class="button button-primary"
                    on:click=move |_| on_keep_mine.run(())
                >
                    "Save mine over theirs"
                </button>
                <button type="button" class="button" on:click=move |_| on_take_theirs.run(())>
                    "Load the saved version"
                </button>
            </div>
            <details>
                <summary>"Your version as JSON (to copy)"</summary>
                <label class="visually-hidden" for=copy_id.clone()>
                    "Your version as JSON"
                </label>
                <textarea id=copy_id class="code" readonly rows="12">
                    {mine_json}
                </textarea>
            </details>
        </section>
    }
}
