//! The fast path for histories: a small scanner over a raw JSON slice that serde_json has
//! already validated. It reads the shapes Jira writes (flat change items of plain strings and
//! nulls, `created` before `items`) several times faster than a general parser, and answers
//! `None` for anything else, which then goes through the serde visitor: `None` means "use
//! serde", never "bad input". None of it can panic.

use std::borrow::Cow;

use crate::dataset::{Change, NO_HISTORY_ID};
use crate::time::{Millis, in_range, parse_millis};

use super::histories::{Histories, history_number};
use super::shapes::{Str, WireItem};
use super::sink::push_change;

/// The fast path of [`items`]: `None` as soon as the input is anything but a list of flat
/// objects whose values are strings without escapes, or null.
pub(super) fn scan_items(raw: &str, at: Millis, out: &mut Vec<Change>) -> Option<()> {
    let mut c = Cursor::new(raw);
    c.items(at, out)?;
    c.ws();
    c.done().then_some(())
}

/// The fast path of [`Histories`]: a list of histories whose `created` comes before their
/// `items` (as Jira writes them), items as [`scan_items`] reads them, and anything else under
/// other keys (authors, metadata) skipped. `None` means "use serde", never "bad input": the
/// slice was already validated as JSON by serde_json, which also reports real errors.
pub(super) fn scan_histories(raw: &str, out: &mut Histories) -> Option<()> {
    let mut c = Cursor::new(raw);
    c.expect(b'[')?;
    if c.peek()? == b']' {
        c.i += 1;
    } else {
        loop {
            c.expect(b'{')?;
            let start = out.changes.len();
            let mut history = NO_HISTORY_ID;
            let mut at: Option<Millis> = None;
            if c.peek()? == b'}' {
                c.i += 1;
            } else {
                loop {
                    c.ws();
                    let key = c.string()?;
                    c.expect(b':')?;
                    c.ws();
                    match key {
                        "id" => history = history_number(c.scalar()?),
                        "created" => {
                            at = match c.peek()? {
                                b'"' => Some(parse_millis(c.string()?).ok()?),
                                b'n' => {
                                    c.skip_value()?;
                                    None
                                }
                                _ => {
                                    Some(c.scalar()?.parse::<i64>().ok().filter(|&m| in_range(m))?)
                                }
                            }
                        }
                        "items" => c.items(at?, &mut out.changes)?,
                        _ => c.skip_value()?,
                    }
                    match c.peek()? {
                        b',' => c.i += 1,
                        b'}' => {
                            c.i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            for change in &mut out.changes[start..] {
                change.history = history;
            }
            out.count += 1;
            match c.peek()? {
                b',' => c.i += 1,
                b']' => {
                    c.i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    c.ws();
    c.done().then_some(())
}

/// A position in a JSON text already validated by serde_json, for the scanners above. Every
/// method returns `None` on a shape it does not read; none can panic.
struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor {
            s,
            b: s.as_bytes(),
            i: 0,
        }
    }

    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\n' | b'\r' | b'\t') {
            self.i += 1;
        }
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }

    /// The next byte after whitespace.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string without escapes, at the cursor.
    fn string(&mut self) -> Option<&'a str> {
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        let from = self.i + 1;
        let end = quote_or_backslash(self.b, from)?;
        if self.b[end] != b'"' {
            return None;
        }
        self.i = end + 1;
        self.s.get(from..end)
    }

    /// A string without escapes or a bare number, as text.
    fn scalar(&mut self) -> Option<&'a str> {
        if self.b.get(self.i) == Some(&b'"') {
            return self.string();
        }
        let from = self.i;
        while self.i < self.b.len() && matches!(self.b[self.i], b'0'..=b'9' | b'-') {
            self.i += 1;
        }
        (self.i > from).then(|| self.s.get(from..self.i)).flatten()
    }

    /// Skips any value: strings (with escapes), numbers, literals, objects and arrays.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.b.get(self.i)? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let from = self.i;
                while self.i < self.b.len()
                    && !matches!(
                        self.b[self.i],
                        b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'
                    )
                {
                    self.i += 1;
                }
                (self.i > from).then_some(())
            }
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        let mut at = self.i + 1;
        loop {
            let end = quote_or_backslash(self.b, at)?;
            if self.b[end] == b'"' {
                self.i = end + 1;
                return Some(());
            }
            at = end + 2;
        }
    }

    /// A list of change items, each pushed as a change at `at`.
    fn items(&mut self, at: Millis, out: &mut Vec<Change>) -> Option<()> {
        self.expect(b'[')?;
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        let mut seq = 0usize;
        loop {
            self.expect(b'{')?;
            let mut item = WireItem::default();
            if self.peek()? == b'}' {
                self.i += 1;
            } else {
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.expect(b':')?;
                    let value = match self.peek()? {
                        b'"' => Some(self.string()?),
                        b'n' if self.b.get(self.i..self.i + 4) == Some(b"null") => {
                            self.i += 4;
                            None
                        }
                        _ => return None,
                    };
                    let mut ignored = None;
                    let slot = match key {
                        "field" => &mut item.field,
                        "fieldId" => &mut item.field_id,
                        "from" => &mut item.from,
                        "to" => &mut item.to,
                        "fromString" => &mut item.from_string,
                        "toString" => &mut item.to_string,
                        _ => &mut ignored,
                    };
                    *slot = value.map(|v| Str(Cow::Borrowed(v)));
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            push_change(out, at, seq, &item);
            seq += 1;
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// The index of the first `"` or `\\` at or after `from`, eight bytes at a time (the classic
/// "has a zero byte" word trick), as string scanning is most of the scanner's work.
fn quote_or_backslash(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= b.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let q = w ^ (ONES * u64::from(b'"'));
        let s = w ^ (ONES * u64::from(b'\\'));
        let hit = (q.wrapping_sub(ONES) & !q | s.wrapping_sub(ONES) & !s) & HIGHS;
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|p| i + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::histories::{HistoriesVisitor, items};
    use crate::wire::sink::lend_empty_sink;
    use serde::de::Deserializer;

    #[test]
    fn finds_quotes_and_backslashes_in_every_position() {
        for len in 0..20 {
            for at in 0..len {
                for c in [b'"', b'\\'] {
                    let mut b = vec![b'a'; len];
                    b[at] = c;
                    assert_eq!(quote_or_backslash(&b, 0), Some(at), "{len} {at}");
                    assert_eq!(quote_or_backslash(&b, at), Some(at));
                }
            }
            assert_eq!(quote_or_backslash(&vec![b'x'; len], 0), None);
        }
        assert_eq!(quote_or_backslash("é\"".as_bytes(), 0), Some(2));
    }

    /// The scanner and serde_json agree, and the scanner steps aside for what it does not read.
    #[test]
    fn item_scanner_matches_serde() {
        let cases = [
            r#"[]"#,
            r#" [ { } ] "#,
            r#"[{"field":"status","fieldtype":"jira","fieldId":"status","from":"1","fromString":"To Do","to":"3","toString":"Done"}]"#,
            r#"[{"field":"resolution","from":null,"to":"1"},{"field":"assignee","from":null,"to":"a","toString":"Ann"}]"#,
            r#"[{"field":"status","from":"1","to":"2","toString":"In \"Dev\""}]"#,
            r#"[{"field":"status","from":1,"to":2}]"#,
            r#"[{"field":"Status","from":"1","to":"2","extra":{"nested":[1,2]}}]"#,
        ];
        for raw in cases {
            let _lent = lend_empty_sink();
            let mut fast = Vec::new();
            items(raw, 0, &mut fast).unwrap();
            let mut slow = Vec::new();
            let list: Vec<WireItem<'_>> = serde_json::from_str(raw).unwrap();
            for (seq, item) in list.iter().enumerate() {
                push_change(&mut slow, 0, seq, item);
            }
            let key = |c: &Change| (c.seq, c.what as u8, c.from, c.to);
            assert_eq!(
                fast.iter().map(key).collect::<Vec<_>>(),
                slow.iter().map(key).collect::<Vec<_>>(),
                "{raw}"
            );
        }
        let mut out = Vec::new();
        assert!(items("[{\"field\":", 0, &mut out).is_err());
    }

    /// The history scanner and the serde visitor read the same changes, and the scanner steps
    /// aside for shapes it does not read.
    #[test]
    fn history_scanner_matches_serde() {
        let cases = [
            (r#"[]"#, true),
            (r#"[{}]"#, true),
            (
                r#"[{"id":"10","author":{"accountId":"a","avatarUrls":{"16x16":"u"},"active":true,"n":[1,{"x":"}"}]},"created":"2026-06-01T01:00:00.000+0000","items":[{"field":"status","fieldtype":"jira","fieldId":"status","from":"1","fromString":"To Do","to":"3","toString":"Done"}]}]"#,
                true,
            ),
            (
                r#"[ { "created" : 1780272000000 , "items" : [ { "field" : "assignee" , "from" : null , "to" : "b" } ] , "id" : 7 } ]"#,
                true,
            ),
            (
                r#"[{"id":"11","created":"2026-06-01T01:00:00.000+0000","historyMetadata":{"type":"x","description":"a \"quoted\" \\ text"},"items":[]}]"#,
                true,
            ),
            (
                r#"[{"items":[{"field":"status","from":"1","to":"2"}],"created":"2026-06-01T01:00:00.000+0000","id":"12"}]"#,
                false,
            ),
            (
                r#"[{"id":"13","created":"2026-06-01T01:00:00.000+0000","items":[{"field":"status","from":"1","to":"2","toString":"In \"Dev\""}]}]"#,
                false,
            ),
            (r#"[{"id":"14","created":1.78e12,"items":[]}]"#, false),
        ];
        for (raw, fast_path) in cases {
            let _lent = lend_empty_sink();
            let mut fast = Histories::default();
            let scanned = scan_histories(raw, &mut fast).is_some();
            let slow = serde_json::Deserializer::from_str(raw)
                .deserialize_seq(HistoriesVisitor)
                .unwrap();
            let through_serde: Histories = serde_json::from_str(raw).unwrap();
            assert_eq!(scanned, fast_path, "{raw}");
            let key = |c: &Change| (c.at, c.history, c.seq, c.what as u8, c.from, c.to);
            let keys = |h: &Histories| (h.count, h.changes.iter().map(key).collect::<Vec<_>>());
            if scanned {
                assert_eq!(keys(&fast), keys(&slow), "{raw}");
            }
            assert_eq!(keys(&through_serde), keys(&slow), "{raw}");
        }
    }
}
