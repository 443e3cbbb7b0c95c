//! The serde shapes of Jira's documents. They borrow from the input where they can, read ids
//! as strings or numbers and timestamps in every form Jira writes, and summarise any other
//! field's value for display; histories are not shapes here but [`super::histories`], which
//! reduces them while they are read.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::dataset::{FieldValue, What};
use crate::time::{Millis, in_range, parse_millis};

use super::histories::Histories;
use super::sink::kept;

pub(super) fn s<'a>(v: &'a Option<Str<'_>>) -> Option<&'a str> {
    v.as_ref().map(|s| &*s.0)
}

/// Every top-level key any supported response has; which ones are present tells the shape.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Page<'a> {
    #[serde(borrow, default)]
    pub(super) issues: Option<Vec<WireIssue<'a>>>,
    #[serde(borrow, default)]
    pub(super) issue_change_logs: Option<Vec<WireIssueChangeLog<'a>>>,
    #[serde(default)]
    pub(super) values: Option<Histories>,
    #[serde(default)]
    pub(super) histories: Option<Histories>,
    #[serde(default)]
    pub(super) next_page_token: Option<String>,
    #[serde(default)]
    pub(super) is_last: Option<bool>,
    #[serde(default)]
    pub(super) start_at: Option<u64>,
    #[serde(default)]
    pub(super) max_results: Option<u64>,
    #[serde(default)]
    pub(super) total: Option<u64>,
    #[serde(default)]
    pub(super) names: Option<HashMap<String, String>>,
    #[serde(rename = "self", borrow, default)]
    pub(super) self_url: Option<Cow<'a, str>>,
    // A single issue (`GET /issue/{key}`).
    #[serde(borrow, default)]
    pub(super) id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) key: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) fields: Option<WireFields<'a>>,
    #[serde(default)]
    pub(super) changelog: Option<WireChangelog>,
    // A page of one issue's worklogs (`GET /issue/{key}/worklog`).
    #[serde(borrow, default)]
    pub(super) worklogs: Option<Vec<WireWorklog<'a>>>,
}

/// One worklog (`Worklog`): who, when it started and for how long. Its comment, visibility and
/// update history are never read (serde skips them), so they cannot reach the data set.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireWorklog<'a> {
    #[serde(borrow, default)]
    pub(super) id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) issue_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) author: Option<WireUser<'a>>,
    #[serde(default)]
    pub(super) started: Option<WireTime>,
    #[serde(default)]
    pub(super) time_spent_seconds: Option<i64>,
}

/// An issue's `worklog` field: at most 20 worklogs, with the `total` that says if there are
/// more.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireWorklogField<'a> {
    #[serde(default)]
    pub(super) start_at: Option<u64>,
    #[serde(default)]
    pub(super) total: Option<u64>,
    #[serde(borrow, default)]
    pub(super) worklogs: Vec<WireWorklog<'a>>,
}

/// A page of a group's members (`GET /rest/api/3/group/member`, `PageBeanUserDetails`; Data
/// Center's `/rest/api/2/group/member` has the same keys with user names).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireGroupPage<'a> {
    #[serde(borrow, default)]
    pub(super) values: Vec<WireUser<'a>>,
    #[serde(default)]
    pub(super) is_last: Option<bool>,
    #[serde(default)]
    pub(super) start_at: Option<u64>,
    #[serde(default)]
    pub(super) total: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireIssue<'a> {
    #[serde(borrow, default)]
    pub(super) id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) key: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) fields: Option<WireFields<'a>>,
    #[serde(default)]
    pub(super) changelog: Option<WireChangelog>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireChangelog {
    #[serde(default)]
    pub(super) start_at: Option<u64>,
    #[serde(default)]
    pub(super) max_results: Option<u64>,
    #[serde(default)]
    pub(super) total: Option<u64>,
    #[serde(default)]
    pub(super) histories: Histories,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireIssueChangeLog<'a> {
    #[serde(borrow, default)]
    pub(super) issue_id: Option<Str<'a>>,
    #[serde(default)]
    pub(super) change_histories: Histories,
}

/// A history as a tree: only for finding the history at fault in an error message, so its
/// fields are read (and checked) but never used.
#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialised only to find the history at fault")]
pub(super) struct WireHistory<'a> {
    #[serde(borrow, default)]
    pub(super) id: Option<Str<'a>>,
    #[serde(default)]
    pub(super) created: Option<WireTime>,
    #[serde(borrow, default)]
    pub(super) items: Vec<WireItem<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireItem<'a> {
    #[serde(borrow, default)]
    pub(super) field: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) field_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) from: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) to: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) from_string: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) to_string: Option<Str<'a>>,
}

impl WireItem<'_> {
    /// Status and assignee items, recognised by `fieldId`, or by `field` when old entries lack
    /// the id.
    pub(super) fn what(&self) -> Option<What> {
        let name = self.field_id.as_ref().or(self.field.as_ref())?;
        if name.0.eq_ignore_ascii_case("status") {
            Some(What::Status)
        } else if name.0.eq_ignore_ascii_case("assignee") {
            Some(What::Assignee)
        } else {
            None
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireStatus {
    #[serde(default)]
    pub(super) id: Option<StrOwned>,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default, rename = "statusCategory", deserialize_with = "category_key")]
    pub(super) category: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct WireField {
    #[serde(default)]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) name: Option<String>,
}

/// An element of a top-level list: a status or a field, told apart by field-only keys.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListItem {
    #[serde(default)]
    pub(super) id: Option<StrOwned>,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default, deserialize_with = "category_key")]
    pub(super) status_category: Option<String>,
    #[serde(default)]
    pub(super) custom: Option<bool>,
    #[serde(default)]
    pub(super) clause_names: Option<IgnoredAny>,
    #[serde(default)]
    pub(super) schema: Option<IgnoredAny>,
    #[serde(default)]
    pub(super) time_spent_seconds: Option<IgnoredAny>,
}

impl ListItem {
    /// An element of `POST /worklog/list`'s answer.
    pub(super) fn looks_like_worklog(&self) -> bool {
        self.time_spent_seconds.is_some()
    }

    pub(super) fn looks_like_field(&self) -> bool {
        self.status_category.is_none()
            && (self.custom.is_some() || self.clause_names.is_some() || self.schema.is_some())
    }

    pub(super) fn into_field(self) -> WireField {
        WireField {
            id: self.id.map(|s| s.0),
            name: self.name,
        }
    }

    pub(super) fn into_status(self) -> WireStatus {
        WireStatus {
            id: self.id,
            name: self.name,
            category: self.status_category,
        }
    }
}

fn category_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Cat {
        #[serde(default)]
        key: Option<String>,
    }
    Ok(Option::<Cat>::deserialize(d)?.and_then(|c| c.key))
}

/// `fields` of an issue: the ones the engine models, and a display summary of every other.
#[derive(Default)]
pub(super) struct WireFields<'a> {
    pub(super) created: Option<Option<Millis>>,
    pub(super) updated: Option<Option<Millis>>,
    pub(super) resolved: Option<Option<Millis>>,
    pub(super) status: Option<CurrentStatus<'a>>,
    /// `Some(None)` when the field is present and null: unassigned.
    pub(super) assignee: Option<Option<WireUser<'a>>>,
    /// The embedded worklogs, when the field was asked for.
    pub(super) worklog: Option<WireWorklogField<'a>>,
    pub(super) other: Vec<(Box<str>, Option<FieldValue>)>,
}

/// An issue's `status` field.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CurrentStatus<'a> {
    #[serde(borrow, default)]
    pub(super) id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) name: Option<Str<'a>>,
    #[serde(borrow, default, rename = "statusCategory")]
    pub(super) category: Option<CategoryRef<'a>>,
}

#[derive(Deserialize)]
pub(super) struct CategoryRef<'a> {
    #[serde(borrow, default)]
    pub(super) key: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireUser<'a> {
    #[serde(borrow, default)]
    pub(super) account_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) key: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) display_name: Option<Str<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for WireFields<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = WireFields<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an issue's `fields` object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireFields<'a>, A::Error> {
                let mut out = WireFields::default();
                while let Some(key) = map.next_key::<Str<'de>>()? {
                    let time = |t: Option<WireTime>| t.map(|t| t.0);
                    // created, updated, resolution date and status are served from the issue's
                    // own fields (see `filter::value`), so they are not kept twice.
                    match &*key.0 {
                        "created" => out.created = Some(time(map.next_value()?)),
                        "updated" => out.updated = Some(time(map.next_value()?)),
                        "resolutiondate" => out.resolved = Some(time(map.next_value()?)),
                        "status" => out.status = map.next_value()?,
                        "worklog" if kept("worklog") => out.worklog = map.next_value()?,
                        "assignee" => {
                            let u: Option<WireUser<'a>> = map.next_value()?;
                            if kept("assignee") {
                                let name =
                                    u.as_ref().and_then(|u| s(&u.display_name).or(s(&u.name)));
                                out.other.push((
                                    "assignee".into(),
                                    name.map(|n| FieldValue::Text(n.into())),
                                ));
                            }
                            out.assignee = Some(u);
                        }
                        k if kept(k) => {
                            let Summary(v) = map.next_value()?;
                            out.other.push((k.into(), v));
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A field value of any shape, summarised: users by display name, options by value, objects by
/// name or key, lists as lists, Atlassian Document Format as its text.
struct Summary(Option<FieldValue>);

impl Summary {
    fn text(self) -> Option<String> {
        match self.0? {
            FieldValue::Text(t) => Some(t.into()),
            FieldValue::Number(n) => Some(n.to_string()),
            FieldValue::List(l) => Some(l.join(" ")),
        }
    }
}

impl<'de> Deserialize<'de> for Summary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SummaryVisitor)
    }
}

struct SummaryVisitor;

impl<'de> Visitor<'de> for SummaryVisitor {
    type Value = Summary;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Summary, E> {
        Ok(Summary(None))
    }
    fn visit_none<E>(self) -> Result<Summary, E> {
        Ok(Summary(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Summary, D::Error> {
        Summary::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Summary, E> {
        Ok(Summary(Some(FieldValue::Text(v.to_string().into()))))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Summary, E> {
        Ok(Summary(Some(FieldValue::Number(v as f64))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Summary, E> {
        Ok(Summary(Some(FieldValue::Number(v as f64))))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Summary, E> {
        Ok(Summary(Some(FieldValue::Number(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Summary, E> {
        Ok(Summary((!v.is_empty()).then(|| FieldValue::Text(v.into()))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Summary, A::Error> {
        let mut items: Vec<Box<str>> = Vec::new();
        while let Some(Summary(v)) = seq.next_element()? {
            match v {
                Some(FieldValue::List(l)) => items.extend(l.into_vec()),
                Some(other) => {
                    if let Some(t) = Summary(Some(other)).text() {
                        items.push(t.into());
                    }
                }
                None => {}
            }
        }
        Ok(Summary(
            (!items.is_empty()).then(|| FieldValue::List(items.into_boxed_slice())),
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Summary, A::Error> {
        let (mut display, mut name, mut value, mut key, mut text, mut content) =
            (None, None, None, None, None, None);
        while let Some(k) = map.next_key::<Str<'de>>()? {
            let slot = match &*k.0 {
                "displayName" => &mut display,
                "name" => &mut name,
                "value" => &mut value,
                "key" => &mut key,
                "text" => &mut text,
                "content" => &mut content,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let Summary(v) = map.next_value()?;
            *slot = v;
        }
        let best = display.or(name).or(value).or(key).or(text);
        let best = best.or_else(|| Summary(content).text().map(|t| FieldValue::Text(t.into())));
        Ok(Summary(best))
    }
}

/// A timestamp as Jira writes it: a string in one of its formats, or epoch milliseconds.
#[derive(Clone, Copy)]
pub(super) struct WireTime(pub(super) Millis);

impl<'de> Deserialize<'de> for WireTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = WireTime;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a timestamp (ISO 8601 text or epoch milliseconds)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WireTime, E> {
                parse_millis(v).map(WireTime).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<WireTime, E> {
                if in_range(v) {
                    Ok(WireTime(v))
                } else {
                    Err(E::custom(format!("invalid timestamp {v}")))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<WireTime, E> {
                match i64::try_from(v) {
                    Ok(v) => self.visit_i64(v),
                    Err(_) => Err(E::custom(format!("invalid timestamp {v}"))),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<WireTime, E> {
                if v.is_finite() && v.abs() < 1e17 {
                    self.visit_i64(v as i64)
                } else {
                    Err(E::custom(format!("invalid timestamp {v}")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A scalar read as text: Jira writes ids as strings or numbers depending on the endpoint.
/// Borrows from the input when it can.
pub(super) struct Str<'a>(pub(super) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// [`Str`] without the borrow, for small lists.
pub(super) struct StrOwned(String);

impl std::ops::Deref for StrOwned {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for StrOwned {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Str::deserialize(d).map(|s| StrOwned(s.0.into_owned()))
    }
}
