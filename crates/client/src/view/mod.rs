//! View logic in plain structs and functions: what the pages show and how typed text becomes
//! configuration. No DOM here, so all of it is unit-tested natively; the components only wire
//! these to signals.

pub mod calendar;
pub mod chart;
pub mod conflict;
pub mod connection;
pub mod editor;
pub mod errors;
pub mod header;
pub mod latest;
pub mod principals;
pub mod progress;
pub mod signed_in;
pub mod table;
pub mod templates;

/// JSON text of a value, pretty-printed. Everything the page writes goes through
/// `serde_json::to_value`, so each type's serializer is compiled once.
pub fn pretty_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_default()
}

/// JSON text of a value, compact (see [`pretty_json`]).
pub fn compact_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with its noun: `1 request`, `1,200 requests`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// Splits a comma- or newline-separated list, trimming blanks away.
pub fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    /// Regression: a report with one warning said "1 things to know about these numbers".
    #[test]
    fn counts_take_the_singular_for_one() {
        let things = |n| plural(n, "thing to know", "things to know");
        assert_eq!(things(1), "1 thing to know");
        assert_eq!(things(0), "0 things to know");
        assert_eq!(things(2500), "2,500 things to know");
    }
}
