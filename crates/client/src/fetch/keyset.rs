//! Reading a Data Center search past its result window: the user's query cut into id ranges.
//!
//! Jira Data Center serves a search only up to `jira.search.platform.max.result.window`
//! (10,000 by default; `startAt` beyond it is an error). A query that matches more is read by
//! keyset instead: the user's JQL without its `ORDER BY`, narrowed to `id >= a AND id <= b`
//! and sorted by id. The key design decision: ranges, not one sequential `id > last` chain.
//! Once two one-issue probes tell the lowest and highest matching id, the span is cut into
//! ranges expected to hold half a window each, and every range is paged by `startAt` in
//! parallel like a small query. A range that still holds more than a window (ids are not
//! spread evenly) keeps its first page and splits the rest in two, so any size is read in full
//! with a handful of extra round trips.

/// An inclusive range of issue ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdRange {
    pub lo: u64,
    pub hi: u64,
}

/// The query without a trailing `ORDER BY` clause, trimmed. Quoted text is skipped, so an
/// `order by` inside a string or a summary search stays part of the condition.
pub fn without_order_by(jql: &str) -> &str {
    let bytes = jql.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if starts_order_by(jql, i) => return jql[..i].trim(),
            None => {}
        }
        i += 1;
    }
    jql.trim()
}

/// Whether the keywords `ORDER BY` start at byte `i` as whole words.
fn starts_order_by(jql: &str, i: usize) -> bool {
    let bytes = jql.as_bytes();
    let word_start = i == 0 || !is_word(bytes[i - 1]);
    if !word_start || !jql.is_char_boundary(i) {
        return false;
    }
    let rest = &jql[i..];
    let Some(after_order) = strip_keyword(rest, "order") else {
        return false;
    };
    let trimmed = after_order.trim_start();
    trimmed.len() < after_order.len() && strip_keyword(trimmed, "by").is_some()
}

/// `text` after `keyword` (any case) when the keyword ends there as a whole word.
fn strip_keyword<'a>(text: &'a str, keyword: &str) -> Option<&'a str> {
    let head = text.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = &text[keyword.len()..];
    match rest.as_bytes().first() {
        Some(&c) if is_word(c) => None,
        _ => Some(rest),
    }
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The user's condition (its `ORDER BY` dropped) narrowed by `clause`: `(<condition>) AND
/// <clause>`, or the clause alone when the query has no condition.
pub fn and_clause(jql: &str, clause: &str) -> String {
    match without_order_by(jql) {
        "" => clause.to_string(),
        condition => format!("({condition}) AND {clause}"),
    }
}

/// The user's condition with the range's bounds, sorted by id.
pub fn range_jql(jql: &str, range: IdRange) -> String {
    let bounds = format!("id >= {} AND id <= {}", range.lo, range.hi);
    format!("{} ORDER BY id ASC", and_clause(jql, &bounds))
}

/// The query for one end of the span: the lowest (or highest) matching id comes first.
pub fn span_jql(jql: &str, highest: bool) -> String {
    let direction = if highest { "DESC" } else { "ASC" };
    match without_order_by(jql) {
        "" => format!("ORDER BY id {direction}"),
        condition => format!("{condition} ORDER BY id {direction}"),
    }
}

/// `lo..=hi` cut into equal ranges expected to hold at most `per_range` of `total` issues each
/// (at least one range; never more ranges than ids).
pub fn split(lo: u64, hi: u64, total: u64, per_range: u64) -> Vec<IdRange> {
    if hi < lo {
        return Vec::new();
    }
    let width = hi - lo + 1;
    let count = total.div_ceil(per_range.max(1)).clamp(1, width);
    let step = width.div_ceil(count);
    let mut out = Vec::new();
    let mut start = lo;
    loop {
        let end = start.saturating_add(step - 1).min(hi);
        out.push(IdRange { lo: start, hi: end });
        if end >= hi {
            return out;
        }
        start = end + 1;
    }
}

/// What is left of `range` after its first page ended at id `last`, in two halves (one when
/// a single id is left, none when nothing is).
pub fn split_rest(range: IdRange, last: u64) -> Vec<IdRange> {
    let Some(lo) = last.checked_add(1).filter(|&lo| lo <= range.hi) else {
        return Vec::new();
    };
    if lo == range.hi {
        return vec![IdRange { lo, hi: range.hi }];
    }
    let mid = lo + (range.hi - lo) / 2;
    vec![
        IdRange { lo, hi: mid },
        IdRange {
            lo: mid + 1,
            hi: range.hi,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_by_is_cut_where_it_is_a_clause_and_kept_inside_quotes() {
        assert_eq!(
            without_order_by("project = DW ORDER BY created DESC"),
            "project = DW"
        );
        assert_eq!(
            without_order_by("project = DW order\n  by key"),
            "project = DW"
        );
        assert_eq!(without_order_by("ORDER BY rank"), "");
        assert_eq!(
            without_order_by(r#"summary ~ "order by" AND labels = 'x\' ORDER BY y'"#),
            r#"summary ~ "order by" AND labels = 'x\' ORDER BY y'"#
        );
        assert_eq!(
            without_order_by("labels = reorder_by"),
            "labels = reorder_by"
        );
        assert_eq!(
            without_order_by("labels = orderly BY"),
            "labels = orderly BY"
        );
        assert_eq!(without_order_by("  status = Done  "), "status = Done");
        assert_eq!(
            without_order_by("summary ~ \"é\" order by id"),
            "summary ~ \"é\""
        );
    }

    #[test]
    fn range_and_span_queries_keep_the_condition_in_parentheses() {
        let r = IdRange { lo: 10, hi: 20 };
        assert_eq!(
            range_jql("a = 1 OR b = 2 ORDER BY key", r),
            "(a = 1 OR b = 2) AND id >= 10 AND id <= 20 ORDER BY id ASC"
        );
        assert_eq!(range_jql("", r), "id >= 10 AND id <= 20 ORDER BY id ASC");
        assert_eq!(
            span_jql("a = 1 ORDER BY key", true),
            "a = 1 ORDER BY id DESC"
        );
        assert_eq!(span_jql("order by key", false), "ORDER BY id ASC");
    }

    #[test]
    fn a_span_is_cut_into_equal_ranges_that_cover_it_once() {
        assert_eq!(
            split(100, 199, 25_000, 5_000),
            vec![
                IdRange { lo: 100, hi: 119 },
                IdRange { lo: 120, hi: 139 },
                IdRange { lo: 140, hi: 159 },
                IdRange { lo: 160, hi: 179 },
                IdRange { lo: 180, hi: 199 },
            ]
        );
        assert_eq!(split(5, 5, 1, 5_000), vec![IdRange { lo: 5, hi: 5 }]);
        // More issues than ids (impossible, but never more ranges than ids).
        assert_eq!(split(1, 3, 1_000_000, 1).len(), 3);
        assert_eq!(split(9, 3, 10, 5), Vec::new());
        let near_max = split(u64::MAX - 10, u64::MAX, 30, 10);
        assert_eq!(near_max.last().map(|r| r.hi), Some(u64::MAX));
    }

    #[test]
    fn the_rest_of_a_dense_range_splits_in_two() {
        let r = IdRange { lo: 0, hi: 100 };
        assert_eq!(
            split_rest(r, 40),
            vec![IdRange { lo: 41, hi: 70 }, IdRange { lo: 71, hi: 100 }]
        );
        assert_eq!(split_rest(r, 99), vec![IdRange { lo: 100, hi: 100 }]);
        assert_eq!(split_rest(r, 100), Vec::new());
        assert_eq!(
            split_rest(
                IdRange {
                    lo: 0,
                    hi: u64::MAX
                },
                u64::MAX
            ),
            Vec::new()
        );
    }
}
