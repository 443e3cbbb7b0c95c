//! The editor's "About" section: the report's name and description, as the report list
//! shows them. Plain text controls; the parts they edit are `view::editor::{NAME,
//! DESCRIPTION}`.

use leptos::prelude::*;

use crate::components::Form;
use crate::view::editor::{DESCRIPTION, NAME};

#[component]
pub fn About(form: Form) -> impl IntoView {
    view! {
        <fieldset class="section">
            <legend>"About"</legend>
            {form.text("Name", None, NAME, 1)}
            {form.text("Description", Some("Shown in the report list."), DESCRIPTION, 3)}
        </fieldset>
    }
}
