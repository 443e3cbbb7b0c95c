//! The saved calendars and status groups the editor's pickers offer, loaded from the
//! metadata server once per editor.
//!
//! The key decision: a failure to load is shown beside its picker, never taken for an empty
//! list; only Direct mode, which has no server, offers nothing saved without a word.

use leptos::prelude::*;

use crate::api::ClientError;
use crate::api::server::Shared;
use crate::components::ErrorPanel;
use crate::context::Ctx;

/// Saved records a picker offers: loaded from the server, or why they could not be.
pub type SavedList<T> = LocalResource<Result<Vec<T>, ClientError>>;

/// Direct mode has no server, so nothing saved to offer; any other failure is shown.
fn none_without_server<T>(e: ClientError) -> Result<Vec<T>, ClientError> {
    match e {
        ClientError::NoServer => Ok(Vec::new()),
        e => Err(e),
    }
}

/// The tenant's saved calendars or status groups.
pub fn saved<R: Shared + Clone + Send + Sync + 'static>(ctx: Ctx) -> SavedList<R> {
    LocalResource::new(move || async move {
        match ctx.server() {
            Ok(s) => s.list_shared::<R>().await,
            Err(e) => none_without_server(e),
        }
    })
}

/// The records of `list` once loaded: none while loading, and none when loading failed
/// ([`load_failure`] says why beside the picker).
pub fn loaded<T: Clone + Send + Sync + 'static>(list: SavedList<T>) -> Vec<T> {
    list.get().and_then(Result::ok).unwrap_or_default()
}

/// Why `list` could not load, for as long as that is so.
pub fn load_failure<T: Clone + Send + Sync + 'static>(
    list: SavedList<T>,
    title: &'static str,
) -> impl IntoView {
    move || {
        list.get()
            .and_then(Result::err)
            .map(|e| view! { <ErrorPanel error=e title=title /> })
    }
}
