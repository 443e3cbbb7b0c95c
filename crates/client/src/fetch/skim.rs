//! What the page thread reads of Jira's answers: only what steers the fetch (next-page
//! tokens, issue ids, counts, per-issue errors, which issues carry only some of their
//! worklogs). Every document then goes to the worker
//! unread, where `engine::wire` is the one reader of issues and histories.
//!
//! The key design decision: answers are skimmed, never built. serde skips everything but the
//! few fields named here (`IgnoredAny`), arrays of issues are counted rather than collected,
//! and tokens and messages are borrowed from the body while it is read; the only allocations
//! are the results themselves (a page's ids, one token, one message). The skim reads the
//! answer's bytes as they came (`serde_json::from_slice`), so no text is made of a body the
//! page only passes on ([`crate::api::body`]).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::worklogs::PartialWorklogs;
use crate::api::body::Body;
use crate::weburl::WebUrl;

/// A `search/jql` page of ids (Jira Cloud).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdsPage {
    /// How many issues the page lists.
    pub issues: u64,
    /// Each issue's id (its key when it has no id), in Jira's order; issues with neither are
    /// listed but cannot be fetched.
    pub ids: Vec<String>,
    /// The next page's token; `None` on the last page.
    pub next_page_token: Option<String>,
}

/// An `issue/bulkfetch` page: how many issues it holds, and the issues Jira could not return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuesPage {
    pub issues: u64,
    pub errors: u64,
    /// The first error's message, for the person reading the partial-result reason.
    pub first_error: Option<String>,
    /// Issues whose `worklog` field holds fewer worklogs than its `total` (Jira embeds at
    /// most 20): their other worklogs must be read.
    pub more_worklogs: Vec<PartialWorklogs>,
}

/// A Data Center `search` page: its issues (counted) and the result's total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcPage {
    pub issues: u64,
    pub total: Option<u64>,
    /// The numeric ids of the page's first and last issues: where a keyset page ends, and the
    /// span of a query sorted by id. `None` when the page is empty or its ids are not numbers.
    pub first_id: Option<u64>,
    pub last_id: Option<u64>,
    /// As [`IssuesPage::more_worklogs`].
    pub more_worklogs: Vec<PartialWorklogs>,
}

/// A page of `GET /rest/api/{2,3}/issue/{id}/worklog`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorklogPage {
    pub start_at: u64,
    pub worklogs: u64,
    pub total: u64,
}

/// `search/approximate-count`: the estimate.
pub fn count(body: &[u8]) -> Result<u64, String> {
    #[derive(Deserialize)]
    struct Raw {
        count: u64,
    }
    Ok(parse::<Raw>(body)?.count)
}

/// A `search/jql` page of ids. The page is the last when Jira says so or gives no token.
pub fn ids_page(body: &[u8]) -> Result<IdsPage, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw<'a> {
        #[serde(default)]
        issues: Ids,
        #[serde(default, borrow)]
        next_page_token: Option<Cow<'a, str>>,
        #[serde(default)]
        is_last: Option<bool>,
    }
    let raw: Raw<'_> = parse(body)?;
    let next = raw.next_page_token.filter(|t| !t.is_empty());
    Ok(IdsPage {
        issues: raw.issues.listed,
        ids: raw.issues.ids,
        next_page_token: match raw.is_last {
            Some(true) => None,
            _ => next.map(Cow::into_owned),
        },
    })
}

/// An `issue/bulkfetch` page.
pub fn issues_page(body: &[u8]) -> Result<IssuesPage, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        #[serde(default)]
        issues: IssueList,
        #[serde(default)]
        issue_errors: Errors,
    }
    let raw: Raw = parse(body)?;
    Ok(IssuesPage {
        issues: raw.issues.count,
        more_worklogs: raw.issues.more_worklogs,
        errors: raw.issue_errors.count,
        first_error: raw.issue_errors.first,
    })
}

/// A `changelog/bulkfetch` page: the next page's token, `None` on the last page.
pub fn changelog_next_page(body: &[u8]) -> Result<Option<String>, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw<'a> {
        #[serde(default, borrow)]
        next_page_token: Option<Cow<'a, str>>,
    }
    let raw: Raw<'_> = parse(body)?;
    Ok(raw
        .next_page_token
        .filter(|t| !t.is_empty())
        .map(Cow::into_owned))
}

/// A Data Center `search` page.
pub fn dc_page(body: &[u8]) -> Result<DcPage, String> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(default)]
        total: Option<u64>,
        #[serde(default)]
        issues: IssueList,
    }
    let raw: Raw = parse(body)?;
    Ok(DcPage {
        issues: raw.issues.count,
        total: raw.total,
        first_id: raw.issues.first,
        last_id: raw.issues.last,
        more_worklogs: raw.issues.more_worklogs,
    })
}

/// An issue's worklog page: where it starts, how many it holds, and the total.
pub fn worklog_page(body: &[u8]) -> Result<WorklogPage, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        #[serde(default)]
        start_at: u64,
        total: u64,
        #[serde(default)]
        worklogs: Counted,
    }
    let raw: Raw = parse(body)?;
    Ok(WorklogPage {
        start_at: raw.start_at,
        worklogs: raw.worklogs.0,
        total: raw.total,
    })
}

/// A page of `GET .../worklog/updated`: each worklog id with its update time (epoch ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPage {
    pub values: Vec<(String, i64)>,
    /// Where the next page starts: the `since` of `nextPage`, else `until`; `None` on the
    /// last page.
    pub next_since: Option<i64>,
}

pub fn worklog_feed(body: &[u8]) -> Result<FeedPage, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw<'a> {
        values: Vec<Value>,
        #[serde(default)]
        until: Option<i64>,
        #[serde(default, borrow)]
        next_page: Option<Cow<'a, str>>,
        #[serde(default)]
        last_page: Option<bool>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Value {
        worklog_id: Id,
        #[serde(default)]
        updated_time: Option<i64>,
    }
    let raw: Raw<'_> = parse(body)?;
    let mut values = Vec::with_capacity(raw.values.len());
    for v in raw.values {
        let id = v.worklog_id.0.ok_or("a worklog id is not an id")?;
        let at = v
            .updated_time
            .ok_or_else(|| format!("worklog {id} has no `updatedTime`"))?;
        values.push((id, at));
    }
    let last = raw.last_page.unwrap_or(raw.next_page.is_none()) || values.is_empty();
    let from_link = raw.next_page.as_deref().and_then(|url| {
        let query = WebUrl::parse(url)?.query;
        config::page::first_param(&query, "since")?
            .parse::<i64>()
            .ok()
    });
    let next_since = if last {
        None
    } else {
        let next = from_link
            .or(raw.until)
            .or(values.last().map(|v| v.1))
            .ok_or("a page that is not the last says not where the next starts")?;
        Some(next)
    };
    Ok(FeedPage { values, next_since })
}

/// A `POST .../worklog/list` answer: each worklog's issue and id.
pub fn worklog_list(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head {
        #[serde(default)]
        issue_id: Option<Id>,
        #[serde(default)]
        id: Option<Id>,
    }
    let raw: Vec<Head> = parse(body)?;
    raw.into_iter()
        .map(|h| {
            let issue = h.issue_id.and_then(|i| i.0);
            let id = h.id.and_then(|i| i.0);
            issue
                .zip(id)
                .ok_or_else(|| "a listed worklog names no `issueId` or no `id`".to_string())
        })
        .collect()
}

/// Reads `body` as `T` straight from its bytes (no text is made of them first).
fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| Body::explain(body, &e))
}

/// The length of an array whose elements are skipped unread.
#[derive(Default)]
struct Counted(u64);

impl<'de> Deserialize<'de> for Counted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Count;
        impl<'de> Visitor<'de> for Count {
            type Value = Counted;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Counted, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Counted(n))
            }
        }
        d.deserialize_seq(Count)
    }
}

/// An array of issues counted, with the numeric ids of its first and last elements and the
/// issues whose embedded worklogs are fewer than their total.
#[derive(Default)]
struct IssueList {
    count: u64,
    first: Option<u64>,
    last: Option<u64>,
    more_worklogs: Vec<PartialWorklogs>,
}

impl<'de> Deserialize<'de> for IssueList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Issue {
            #[serde(default)]
            id: Option<Id>,
            #[serde(default)]
            fields: Option<Fields>,
        }
        #[derive(Deserialize)]
        struct Fields {
            #[serde(default)]
            worklog: Option<Worklogs>,
        }
        #[derive(Deserialize)]
        struct Worklogs {
            #[serde(default)]
            total: Option<u64>,
            #[serde(default)]
            worklogs: Vec<Embedded>,
        }
        #[derive(Deserialize)]
        struct Embedded {
            #[serde(default)]
            id: Option<Id>,
            #[serde(default)]
            created: Option<Id>,
        }
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = IssueList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of issues")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IssueList, A::Error> {
                let mut out = IssueList::default();
                while let Some(issue) = seq.next_element::<Issue>()? {
                    let id = issue.id.and_then(|i| i.0);
                    let number = id.as_deref().and_then(|i| i.parse().ok());
                    if out.count == 0 {
                        out.first = number;
                    }
                    out.last = number;
                    out.count += 1;
                    let worklogs = issue.fields.and_then(|f| f.worklog);
                    if let (Some(w), Some(id)) = (worklogs, id)
                        && let Some(total) = w.total
                        && total > w.worklogs.len() as u64
                    {
                        let newest_embedded_ms = w
                            .worklogs
                            .iter()
                            .map(|e| e.created.as_ref().and_then(|c| c.0.as_deref()))
                            .map(|c| c.and_then(|c| engine::parse_millis(c).ok()))
                            .try_fold(i64::MIN, |hi, t| t.map(|t| hi.max(t)));
                        out.more_worklogs.push(PartialWorklogs {
                            issue: id,
                            total,
                            embedded: w.worklogs.into_iter().filter_map(|e| e.id?.0).collect(),
                            newest_embedded_ms: newest_embedded_ms.filter(|&t| t != i64::MIN),
                        });
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_seq(List)
    }
}

/// The ids of an array of issues, each read for its `id` (or `key`) only.
#[derive(Default)]
struct Ids {
    listed: u64,
    ids: Vec<String>,
}

impl<'de> Deserialize<'de> for Ids {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Issue<'a> {
            #[serde(default)]
            id: Option<Id>,
            #[serde(default, borrow)]
            key: Option<Cow<'a, str>>,
        }
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Ids;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of issues")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ids, A::Error> {
                let mut out = Ids::default();
                while let Some(issue) = seq.next_element::<Issue<'de>>()? {
                    out.listed += 1;
                    let id = match (issue.id.and_then(|i| i.0), issue.key) {
                        (Some(id), _) => id,
                        (None, Some(key)) => key.into_owned(),
                        (None, None) => continue,
                    };
                    if !id.is_empty() {
                        out.ids.push(id);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_seq(List)
    }
}

/// An issue id: Jira writes strings; some endpoints and simulators write numbers. Anything
/// else is no id (the issue's key stands in).
struct Id(Option<String>);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StringOrNumber;
        impl<'de> Visitor<'de> for StringOrNumber {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id, as a string or a number")
            }
            fn visit_str<E>(self, v: &str) -> Result<Id, E> {
                Ok(Id(Some(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Id, E> {
                Ok(Id(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Id, E> {
                Ok(Id(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Id, E> {
                Ok(Id(Some(v.to_string())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Id, E> {
                Ok(Id(None))
            }
            fn visit_unit<E>(self) -> Result<Id, E> {
                Ok(Id(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Id, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Id(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Id, A::Error> {
                IgnoredAny.visit_map(map).map(|_| Id(None))
            }
        }
        d.deserialize_any(StringOrNumber)
    }
}

/// Per-issue errors: how many, and the first message.
#[derive(Default)]
struct Errors {
    count: u64,
    first: Option<String>,
}

impl<'de> Deserialize<'de> for Errors {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Error<'a> {
            #[serde(default, borrow)]
            error_message: Option<Cow<'a, str>>,
        }
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Errors;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of issue errors")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Errors, A::Error> {
                let mut errors = Errors::default();
                while let Some(e) = seq.next_element::<Error<'de>>()? {
                    errors.count += 1;
                    if errors.first.is_none() {
                        errors.first = e.error_message.map(Cow::into_owned);
                    }
                }
                Ok(errors)
            }
        }
        d.deserialize_seq(List)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ids_page_gives_ids_in_order_and_the_token_unless_it_is_the_last() {
        let page = ids_page(
            br#"{"issues":[{"id":"10001","key":"A-1","fields":{"x":[1,{"y":"z"}]}},
                {"id":10002},{"key":"A-3"},{"id":""},{},{"id":{"no":1},"key":"A-6"}],
                "nextPageToken":"t\"2","isLast":false,"names":{}}"#,
        );
        assert_eq!(
            page,
            Ok(IdsPage {
                issues: 6,
                ids: vec!["10001".into(), "10002".into(), "A-3".into(), "A-6".into()],
                next_page_token: Some("t\"2".into()),
            })
        );
        let last = ids_page(br#"{"issues":[{"id":"1"}],"nextPageToken":"t","isLast":true}"#);
        assert_eq!(last.map(|p| p.next_page_token), Ok(None));
        let empty_token = ids_page(br#"{"issues":[],"nextPageToken":""}"#);
        assert_eq!(empty_token.map(|p| p.next_page_token), Ok(None));
    }

    #[test]
    fn issue_pages_are_counted_with_their_errors_and_the_first_message() {
        let page = issues_page(
            br#"{"expand":"names","issues":[{"id":"1","fields":{"status":{"name":"Open"}}},{"id":"2"}],
                "issueErrors":[{"issueIdsOrKeys":["3"],"status":404},
                {"errorMessage":"Issue does not exist or you do not have permission"}]}"#,
        );
        assert_eq!(
            page,
            Ok(IssuesPage {
                issues: 2,
                errors: 2,
                first_error: Some("Issue does not exist or you do not have permission".into()),
                more_worklogs: Vec::new(),
            })
        );
    }

    #[test]
    fn changelog_and_data_center_pages_give_their_token_and_total() {
        let body =
            br#"{"issueChangeLogs":[{"issueId":"1","changeHistories":[]}],"nextPageToken":"n"}"#;
        assert_eq!(changelog_next_page(body), Ok(Some("n".into())));
        assert_eq!(changelog_next_page(br#"{"issueChangeLogs":[]}"#), Ok(None));
        assert_eq!(
            dc_page(br#"{"startAt":0,"total":2500,"issues":[{},{},{}]}"#),
            Ok(DcPage {
                issues: 3,
                total: Some(2500),
                first_id: None,
                last_id: None,
                more_worklogs: Vec::new(),
            })
        );
        assert_eq!(
            dc_page(
                br#"{"total":9,"issues":[{"id":"10040","changelog":{"histories":[{"id":"7"}]}},
                    {"id":"A-1"},{"id":10077,"fields":{"id":"1"}}]}"#
            ),
            Ok(DcPage {
                issues: 3,
                total: Some(9),
                first_id: Some(10040),
                last_id: Some(10077),
                more_worklogs: Vec::new(),
            })
        );
        assert_eq!(count(br#"{"count":42}"#), Ok(42));
    }

    #[test]
    fn issues_with_only_some_of_their_worklogs_embedded_are_named() {
        let body = br#"{"issues":[
            {"id":"1","fields":{"worklog":{"startAt":0,"maxResults":20,"total":21,
                "worklogs":[{"id":"9","comment":{"type":"doc"},
                    "created":"2026-06-20T15:04:05.000+0000"},
                    {"id":"10","created":"2026-06-20T17:04:05.250+0200"}]}}},
            {"id":"2","fields":{"worklog":{"startAt":0,"maxResults":20,"total":2,
                "worklogs":[{"id":"11"},{"id":"12"}]}}},
            {"id":"3","fields":{"status":{"name":"Open"}}},
            {"id":"4","fields":{"worklog":{"total":1,"worklogs":[]}}},
            {"id":"5","fields":{"worklog":{"total":3,"worklogs":[{"id":"13",
                "created":1750431845000},{"id":14}]}}}]}"#;
        let page = issues_page(body).unwrap();
        assert_eq!(page.issues, 5);
        let partial = |issue: &str, total, embedded: &[&str], newest| PartialWorklogs {
            issue: issue.into(),
            total,
            embedded: embedded.iter().map(|e| e.to_string()).collect(),
            newest_embedded_ms: newest,
        };
        assert_eq!(
            page.more_worklogs,
            vec![
                // 15:04:05.250 UTC is the later of the two.
                partial("1", 21, &["9", "10"], Some(1_781_967_845_250)),
                partial("4", 1, &[], None),
                // One without `created`: nothing is known of when the rest were created.
                partial("5", 3, &["13", "14"], None),
            ]
        );
        assert_eq!(dc_page(body).unwrap().more_worklogs, page.more_worklogs);
        assert!(worklog_page(br#"{"worklogs":[]}"#).is_err(), "no total");
    }

    /// Instants as Jira writes them, read with the engine's reader (the worker reads the
    /// same fields with it); the expected values were computed apart, with Python's
    /// `datetime` (`datetime(2026,6,20,15,4,5,250000,tzinfo=timezone.utc).timestamp()`).
    #[test]
    fn jira_instants_read_as_epoch_milliseconds() {
        let cases = [
            ("2026-06-20T15:04:05.250+0000", Some(1_781_967_845_250)),
            ("2026-06-20T17:04:05.250+0200", Some(1_781_967_845_250)),
            ("2026-06-20T17:04:05.25+02:00", Some(1_781_967_845_250)),
            ("2026-06-20T15:04:05Z", Some(1_781_967_845_000)),
            ("2024-02-29T00:00:00.000-0545", Some(1_709_185_500_000)),
            ("1969-12-31T23:59:59.999+0000", Some(-1)),
            ("1750431845000", Some(1_750_431_845_000)),
            ("2026-13-20T15:04:05.000+0000", None),
            ("2026-02-30T15:04:05.000+0000", None),
            // No offset is UTC, as the worker reads it (the page's own reader refused it).
            ("2026-06-20 15:04:05", Some(1_781_967_845_000)),
            ("2026-06-20T15:04:05.000", Some(1_781_967_845_000)),
            ("2026-06-20T15:04:05.000 UTC", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(engine::parse_millis(text).ok(), want, "{text}");
        }
    }

    #[test]
    fn a_feed_page_says_where_the_next_starts_and_the_last_says_nothing() {
        let page = worklog_feed(
            br#"{"values":[{"worklogId":10001,"updatedTime":5,"properties":[]},
                {"worklogId":"10002","updatedTime":9}],"since":1,"until":9,
                "self":"https://x/rest/api/3/worklog/updated?since=1",
                "nextPage":"https://x/rest/api/3/worklog/updated?since=8","lastPage":false}"#,
        )
        .unwrap();
        assert_eq!(
            page,
            FeedPage {
                values: vec![("10001".into(), 5), ("10002".into(), 9)],
                next_since: Some(8),
            }
        );
        // `nextPage` read as a URL: its `since` wherever it stands, whatever follows it.
        let linked = worklog_feed(
            br#"{"values":[{"worklogId":1,"updatedTime":5}],"until":9,"lastPage":false,
                "nextPage":"https://x/rest/api/3/worklog/updated?until=20&since=8#more"}"#,
        );
        assert_eq!(linked.map(|p| p.next_since), Ok(Some(8)));
        let by_until = worklog_feed(
            br#"{"values":[{"worklogId":1,"updatedTime":5}],"until":5,"lastPage":false}"#,
        );
        assert_eq!(by_until.map(|p| p.next_since), Ok(Some(5)));
        let last = worklog_feed(
            br#"{"values":[{"worklogId":1,"updatedTime":5}],"until":5,"lastPage":true}"#,
        );
        assert_eq!(last.map(|p| p.next_since), Ok(None));
        let empty = worklog_feed(br#"{"values":[],"since":3,"until":3,"lastPage":false}"#);
        assert_eq!(
            empty.map(|p| p.next_since),
            Ok(None),
            "no value, no progress"
        );
        assert!(worklog_feed(br#"{"values":[{"worklogId":1}],"lastPage":true}"#).is_err());
    }

    #[test]
    fn a_list_names_each_worklogs_issue_and_id() {
        let body = br#"[{"id":"7","issueId":"10001","comment":{"a":[1,2]}} ,
            {"issueId":10002,"id":8}]"#;
        assert_eq!(
            worklog_list(body),
            Ok(vec![
                ("10001".to_string(), "7".to_string()),
                ("10002".to_string(), "8".to_string())
            ])
        );
        assert!(worklog_list(br#"[{"id":"7"}]"#).is_err(), "no issue");
        assert!(worklog_list(br#"{"values":[]}"#).is_err());
    }

    #[test]
    fn a_body_that_is_not_the_page_it_should_be_is_refused_with_a_reason() {
        assert!(count(br#"{"total":42}"#).is_err());
        assert!(ids_page(br#"{"issues":{"id":"1"}}"#).is_err());
        assert!(issues_page(b"<html>").is_err());
        assert!(changelog_next_page(br#"{"nextPageToken":3}"#).is_err());
        assert!(dc_page(br#"{"issues":[1,2"#).is_err());
    }

    #[test]
    fn a_body_that_is_not_utf8_is_refused_as_such() {
        // A token is read, so a byte that is not UTF-8 in it is refused, saying so.
        let latin1 = b"{\"issueChangeLogs\":[],\"nextPageToken\":\"caf\xe9\"}";
        assert_eq!(
            changelog_next_page(latin1),
            Err("the answer is not UTF-8 text (an invalid byte at offset 42)".into())
        );
        let id = b"{\"issues\":[{\"id\":\"\xff1\"}]}";
        assert!(ids_page(id).unwrap_err().contains("not UTF-8"));
        // What the page skips it does not check: the worker reads those fields, and checks
        // every one it reads.
        let skipped = b"{\"issueChangeLogs\":[{\"x\":\"caf\xe9\"}]}";
        assert_eq!(changelog_next_page(skipped), Ok(None));
        // Text that is not JSON keeps the reader's own words.
        assert_eq!(
            count(b"{\"count\":"),
            Err("EOF while parsing a value at line 1 column 9".into())
        );
    }
}
