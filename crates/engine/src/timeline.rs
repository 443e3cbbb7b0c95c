//! An issue's life as consecutive segments, one per status (or assignee) it was in.

use crate::dataset::{Issue, NONE, Sym, What};

/// A stretch of an issue's life in one status (or with one assignee), in epoch milliseconds
/// (Jira's precision: durations are rounded only when shown or exported). The
/// segments of an issue are contiguous: each starts where the previous ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seg {
    pub sym: Sym,
    pub start: i64,
    pub end: i64,
    /// Whether `start` is a real entry (creation or a change), not a cut at `trimBefore`.
    pub entered: bool,
}

/// Appends the segments of `issue` for `what` to `out` and says whether the last change leads
/// somewhere else than `current` (the field's value now).
///
/// The initial value is the `from` of the earliest change (the current value when there is
/// none). Each change is clamped into `[created, now]`, so a change stamped before `created`
/// starts the issue's life in its `to`, and none is ever negative. With `trim`, time before it
/// is cut off.
pub(crate) fn build(
    issue: &Issue,
    what: What,
    current: Option<Sym>,
    created: i64,
    now: i64,
    trim: Option<i64>,
    out: &mut Vec<Seg>,
) -> bool {
    let base = out.len();
    let mut changes = issue.changes.iter().filter(|c| c.what == what).peekable();
    let initial = match changes.peek() {
        Some(c) => c.from,
        None => match current {
            Some(s) => s,
            None => return false,
        },
    };
    let mut cur = initial;
    let mut start = created;
    let mut last_to = None;
    for c in changes {
        if what == What::Status && c.to == NONE {
            continue;
        }
        let t = c.at.clamp(created, now);
        out.push(Seg {
            sym: cur,
            start,
            end: t,
            entered: true,
        });
        cur = c.to;
        start = t;
        last_to = Some(c.to);
    }
    out.push(Seg {
        sym: cur,
        start,
        end: now,
        entered: true,
    });
    if what == What::Status {
        // A status the history does not name (an item without `from`) is unknown time.
        let mut i = base;
        while i < out.len() {
            if out[i].sym == NONE {
                out.remove(i);
            } else {
                i += 1;
            }
        }
    }
    if let Some(lo) = trim.filter(|&lo| lo > created) {
        let lo = lo.min(now);
        let mut keep = base;
        while keep < out.len() && out[keep].end <= lo && out[keep].start < lo {
            keep += 1;
        }
        out.drain(base..keep);
        if let Some(s) = out.get_mut(base)
            && s.start < lo
        {
            s.start = lo;
            s.entered = false;
        }
    }
    matches!((last_to, current), (Some(a), Some(b)) if a != b)
}

/// Maximal runs of consecutive segments whose value is in `set`: the visits to a column.
pub(crate) fn runs<'a>(segs: &'a [Seg], set: &'a [bool]) -> impl Iterator<Item = &'a [Seg]> + 'a {
    let inside = move |s: &Seg| set.get(s.sym as usize).copied().unwrap_or(false);
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < segs.len() && !inside(&segs[i]) {
            i += 1;
        }
        if i >= segs.len() {
            return None;
        }
        let start = i;
        while i < segs.len() && inside(&segs[i]) {
            i += 1;
        }
        Some(&segs[start..i])
    })
}
