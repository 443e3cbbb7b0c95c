//! A list of changelog histories, reduced while it is read to the status and assignee changes
//! it holds: never built as a tree. The serde visitor here reads any shape; while a data set is
//! loading, the list is first handed to the scanner ([`super::scan`]) as a raw slice, and the
//! visitor only reads what the scanner steps aside for.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::dataset::{Change, NO_HISTORY_ID};
use crate::time::Millis;

use super::scan::{scan_histories, scan_items};
use super::shapes::{Str, WireItem, WireTime};
use super::sink::{push_change, streaming};

/// Jira history ids are decimal numbers; anything else is kept apart from deduplication.
pub(super) fn history_number(id: &str) -> u64 {
    id.trim().parse::<u64>().unwrap_or(NO_HISTORY_ID)
}

/// A list of histories, reduced while it is read to the status and assignee changes it holds.
#[derive(Default)]
pub(super) struct Histories {
    pub(super) changes: Vec<Change>,
    /// Histories read, whatever they changed.
    pub(super) count: u64,
}

/// The serde path for histories: a visitor that streams each history into changes.
pub(super) struct HistoriesVisitor;

impl<'de> Visitor<'de> for HistoriesVisitor {
    type Value = Histories;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of changelog histories")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Histories, A::Error> {
        let mut out = Histories::default();
        while seq
            .next_element_seed(HistorySeed(&mut out.changes))?
            .is_some()
        {
            out.count += 1;
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for Histories {
    /// Histories are most of a changelog's bytes. While loading, the list is taken as a raw
    /// slice (serde_json has validated it) and read by [`scan_histories`]; any history shape
    /// the scanner does not know sends the whole list through the serde visitor instead.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !streaming() {
            return d.deserialize_seq(HistoriesVisitor);
        }
        let raw: &'de RawValue = Deserialize::deserialize(d)?;
        let mut out = Histories::default();
        if scan_histories(raw.get(), &mut out).is_some() {
            return Ok(out);
        }
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let out = de
            .deserialize_seq(HistoriesVisitor)
            .and_then(|h| de.end().map(|()| h))
            .map_err(de::Error::custom)?;
        Ok(out)
    }
}

/// Reads one history into `changes`.
pub(super) struct HistorySeed<'o>(&'o mut Vec<Change>);

impl<'de> DeserializeSeed<'de> for HistorySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HistorySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a changelog history")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let out = self.0;
        let start = out.len();
        let mut id: Option<Str<'de>> = None;
        let mut at: Option<Millis> = None;
        // Items seen before `created` wait for it (key order is not guaranteed).
        let mut pending: Vec<WireItem<'de>> = Vec::new();
        let mut raw_items: Option<&'de RawValue> = None;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            match &*key.0 {
                "id" => id = map.next_value()?,
                "created" => at = map.next_value::<Option<WireTime>>()?.map(|t| t.0),
                "items" if streaming() => {
                    let raw: &'de RawValue = map.next_value()?;
                    match at {
                        Some(at) => items(raw.get(), at, out).map_err(de::Error::custom)?,
                        None => raw_items = Some(raw),
                    }
                }
                "items" => match at {
                    Some(at) => map.next_value_seed(ItemsSeed { at, out: &mut *out })?,
                    None => pending = map.next_value()?,
                },
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(raw) = raw_items {
            pending = serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
        }
        match at {
            Some(at) => {
                for (seq, item) in pending.iter().enumerate() {
                    push_change(out, at, seq, item);
                }
            }
            None if pending.iter().any(|i| i.what().is_some()) => {
                let id = id.as_ref().map_or("(no id)", |i| &*i.0);
                return Err(de::Error::custom(format!(
                    "history {id} has no `created` time"
                )));
            }
            None => {}
        }
        let history = id.map_or(NO_HISTORY_ID, |i| history_number(&i.0));
        for c in &mut out[start..] {
            c.history = history;
        }
        Ok(())
    }
}

/// Reads a history's `items` (a raw JSON slice) into changes. Items are the bulk of a
/// changelog, and nearly all are flat objects of plain strings and nulls, so a small scanner
/// reads those, several times faster than a general parser; anything else (escapes, numbers,
/// nesting, bad syntax) goes to serde_json, which reads it or says what is wrong.
pub(super) fn items(raw: &str, at: Millis, out: &mut Vec<Change>) -> Result<(), serde_json::Error> {
    let start = out.len();
    if scan_items(raw, at, out).is_some() {
        return Ok(());
    }
    out.truncate(start);
    let list: Vec<WireItem<'_>> = serde_json::from_str(raw)?;
    for (seq, item) in list.iter().enumerate() {
        push_change(out, at, seq, item);
    }
    Ok(())
}

/// Reads a history's items, keeping status and assignee changes.
pub(super) struct ItemsSeed<'o> {
    pub(super) at: Millis,
    pub(super) out: &'o mut Vec<Change>,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of change items")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut k = 0;
        while let Some(item) = seq.next_element::<WireItem<'de>>()? {
            push_change(self.out, self.at, k, &item);
            k += 1;
        }
        Ok(())
    }
}
