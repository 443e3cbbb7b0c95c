//! The results table's logic: which rows to render for a scroll position, and what a click
//! on a header sorts by.

use crate::worker_session::SortBy;

/// Height of one table row, in CSS pixels (the stylesheet fixes it).
pub const ROW_HEIGHT: f64 = 32.0;
/// Rows rendered above and below the visible ones.
pub const OVERSCAN: usize = 10;
/// The most rows visible at once before the table scrolls.
pub const VISIBLE: usize = 18;

/// The part of the table the page should supply: rows `start..start + count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub start: usize,
    pub count: usize,
}

impl Window {
    /// The rows to render for a scroll position: the visible ones plus the overscan, with the
    /// start rounded down to a multiple of ten so small scrolls ask for nothing new.
    pub fn for_scroll(scroll_top: f64, viewport: f64, total: usize) -> Window {
        let first = (scroll_top / ROW_HEIGHT).floor().max(0.0) as usize;
        let shown = (viewport / ROW_HEIGHT).ceil() as usize + 1;
        let start = first.saturating_sub(OVERSCAN) / 10 * 10;
        let end = (first + shown + OVERSCAN).min(total);
        Window {
            start: start.min(total),
            count: end.saturating_sub(start).max(shown.min(total)) + 10,
        }
    }
}

pub fn sort_state(sort: Option<SortBy>, this: SortBy) -> Option<&'static str> {
    let same = match (sort, this) {
        (Some(SortBy::Label { .. }), SortBy::Label { .. })
        | (Some(SortBy::Total { .. }), SortBy::Total { .. }) => true,
        (Some(SortBy::Field { index: a, .. }), SortBy::Field { index: b, .. })
        | (Some(SortBy::Column { index: a, .. }), SortBy::Column { index: b, .. }) => a == b,
        _ => false,
    };
    match sort {
        Some(s) if same => Some(if s.descending() {
            "descending"
        } else {
            "ascending"
        }),
        _ => None,
    }
}

/// The next sort when a header is clicked: ascending first for text, descending first for
/// numbers (the largest times are usually what people look for), then the other way.
pub fn next_sort(current: Option<SortBy>, clicked: SortBy) -> SortBy {
    let flip = |d: bool| match clicked {
        SortBy::Label { .. } => SortBy::Label { descending: d },
        SortBy::Field { index, .. } => SortBy::Field {
            index,
            descending: d,
        },
        SortBy::Column { index, .. } => SortBy::Column {
            index,
            descending: d,
        },
        SortBy::Total { .. } => SortBy::Total { descending: d },
    };
    match sort_state(current, clicked) {
        Some("descending") => flip(false),
        Some(_) => flip(true),
        None => flip(matches!(
            clicked,
            SortBy::Column { .. } | SortBy::Total { .. }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_viewport_and_overscan() {
        let w = Window::for_scroll(0.0, 18.0 * ROW_HEIGHT, 50_000);
        assert_eq!(w.start, 0);
        assert!(w.count >= 19 + OVERSCAN, "{w:?}");
        let w = Window::for_scroll(1000.0 * ROW_HEIGHT, 18.0 * ROW_HEIGHT, 50_000);
        assert!(
            w.start <= 1000 - OVERSCAN && w.start.is_multiple_of(10),
            "{w:?}"
        );
        assert!(w.start + w.count >= 1000 + 19 + OVERSCAN, "{w:?}");
        let tail = Window::for_scroll(1e9, 100.0, 30);
        assert!(tail.start <= 30);
    }

    #[test]
    fn numbers_sort_largest_first_then_flip() {
        let col = SortBy::Column {
            index: 2,
            descending: false,
        };
        let first = next_sort(None, col);
        assert_eq!(
            first,
            SortBy::Column {
                index: 2,
                descending: true
            }
        );
        assert_eq!(
            next_sort(Some(first), col),
            SortBy::Column {
                index: 2,
                descending: false
            }
        );
        let label = next_sort(Some(first), SortBy::Label { descending: true });
        assert_eq!(label, SortBy::Label { descending: false });
    }
}
