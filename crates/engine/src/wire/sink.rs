//! The data set's interners, lent to the reader for the length of one document, so status and
//! assignee ids are interned as histories stream past. They live in a thread-local because
//! serde's `Deserialize` takes no context; [`parse_into`] lends them and always takes them back.

use std::cell::RefCell;
use std::collections::HashSet;

use serde::Deserialize;

use crate::dataset::{Change, Dataset, NO_HISTORY_ID, NONE, People, RANK_HISTORY, Statuses, What};
use crate::time::Millis;

use super::WireError;
use super::locate::locate;
use super::shapes::{WireItem, s};

/// While one response is parsed, the data set's interners and its field filter live here, so
/// histories are reduced to changes as they stream past instead of being built as trees.
struct Sink {
    statuses: Statuses,
    people: People,
    keep: Option<HashSet<String>>,
}

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

/// [`super::locate::parse`], with the data set's interners lent to the history reader.
pub(super) fn parse_into<'a, T: Deserialize<'a>>(
    ds: &mut Dataset,
    json: &'a [u8],
) -> Result<T, WireError> {
    let sink = Sink {
        statuses: std::mem::take(&mut ds.statuses),
        people: std::mem::take(&mut ds.people),
        keep: ds.keep_fields.take(),
    };
    SINK.with(|s| *s.borrow_mut() = Some(sink));
    let result = serde_json::from_slice(json);
    if let Some(sink) = SINK.with(|s| s.borrow_mut().take()) {
        ds.statuses = sink.statuses;
        ds.people = sink.people;
        ds.keep_fields = sink.keep;
    }
    result.map_err(|e| locate(json, &e))
}

/// Whether the data set keeps issue field `id` (always, outside a [`parse_into`]).
pub(super) fn kept(id: &str) -> bool {
    SINK.with(|s| {
        s.borrow()
            .as_ref()
            .and_then(|s| s.keep.as_ref())
            .is_none_or(|k| k.contains(id))
    })
}

/// Whether histories are being read into a data set (not re-read for an error message).
pub(super) fn streaming() -> bool {
    SINK.with(|s| s.borrow().is_some())
}

/// Interns a status or assignee item's values and records the change.
pub(super) fn push_change(out: &mut Vec<Change>, at: Millis, seq: usize, item: &WireItem<'_>) {
    let Some(what) = item.what() else { return };
    let (from, to) = SINK.with(|sink| {
        let mut sink = sink.borrow_mut();
        let Some(sink) = sink.as_mut() else {
            return (NONE, NONE);
        };
        match what {
            What::Status => (
                sink.statuses
                    .intern(s(&item.from), s(&item.from_string), RANK_HISTORY, at)
                    .unwrap_or(NONE),
                sink.statuses
                    .intern(s(&item.to), s(&item.to_string), RANK_HISTORY, at)
                    .unwrap_or(NONE),
            ),
            What::Assignee => (
                sink.people.intern(s(&item.from), s(&item.from_string), at),
                sink.people.intern(s(&item.to), s(&item.to_string), at),
            ),
        }
    });
    out.push(Change {
        at,
        history: NO_HISTORY_ID,
        seq: u16::try_from(seq).unwrap_or(u16::MAX),
        what,
        from,
        to,
    });
}

/// Lends empty interners until the guard drops, as [`parse_into`] does for a document: for
/// tests that read histories outside a data set.
#[cfg(test)]
pub(super) fn lend_empty_sink() -> impl Drop {
    struct Lent;
    impl Drop for Lent {
        fn drop(&mut self) {
            SINK.with(|s| s.borrow_mut().take());
        }
    }
    SINK.with(|s| {
        *s.borrow_mut() = Some(Sink {
            statuses: Statuses::default(),
            people: People::default(),
            keep: None,
        })
    });
    Lent
}
