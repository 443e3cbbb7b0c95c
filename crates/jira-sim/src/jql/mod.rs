//! The JQL subset jira-sim understands: a real parser ([`parse`]) and a compiler that resolves
//! fields and values against the site, so a query runs as a plain predicate over the compact
//! issues.
//!
//! Fields: `project`, `status`, `statusCategory`, `issuetype`/`type`, `assignee`, `reporter`,
//! `priority`, `resolution`, `labels`, `component`, `key`/`issuekey`, `id`, and the dates
//! `created`, `updated`, `resolved`/`resolutiondate` (absolute dates, periods such as `-30d`, `now()`,
//! `startOfDay()`, `endOfDay()`). Operators `=`, `!=`, `in`, `not in`, `>`, `>=`, `<`, `<=`,
//! `is [not] EMPTY`; `AND`, `OR`, `NOT`, parentheses; `ORDER BY` several keys. As in Jira, `!=`
//! and `not in` never match an empty field. Everything else is refused with Jira's messages.
//!
//! Worklog clauses match an issue when any worklog the searcher may see does
//! ([`crate::data::worklog::visible`]; an app sees only unrestricted ones), each clause on its own, as
//! in Jira: `worklogDate` with `=`, `>`, `>=`, `<`, `<=` and a date (days in UTC, like the other
//! absolute dates here; `now()`, periods and `startOfDay()` name the day they fall in);
//! `worklogAuthor` with `=` or `in` and users (account id, login, e-mail or display name) or
//! `currentUser()`; `worklogComment ~ "words"`, every word in the comment, ignoring case.

pub mod parse;

use std::cmp::Ordering;

use crate::data::worklog::{self, Viewer, Worklog};
use crate::data::{Dataset, Issue};
use crate::site::Category;
use crate::site::Flavor;
use parse::{Clause, Op, Operand, Query, Value};

/// A query ready to run: the predicate and the order.
#[derive(Debug, Clone)]
pub struct Compiled {
    pred: Option<Pred>,
    order: Vec<(SortField, bool)>,
}

/// What the query may refer to besides the data: the clock, the signed-in user and the flavour
/// (whose statuses a query may name).
#[derive(Debug, Clone, Copy)]
pub struct Env {
    pub now_ms: i64,
    pub flavor: Flavor,
    pub current_user: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Project,
    Status,
    Category,
    IssueType,
    Assignee,
    Reporter,
    Priority,
    Resolution,
    Labels,
    Component,
    Key,
    Created,
    Updated,
    Resolved,
}

impl Field {
    fn lookup(name: &str) -> Option<Field> {
        let n = name.to_ascii_lowercase();
        Some(match n.as_str() {
            "project" => Field::Project,
            "status" => Field::Status,
            "statuscategory" => Field::Category,
            "issuetype" | "type" => Field::IssueType,
            "assignee" => Field::Assignee,
            "reporter" => Field::Reporter,
            "priority" => Field::Priority,
            "resolution" => Field::Resolution,
            "labels" => Field::Labels,
            "component" => Field::Component,
            "key" | "issuekey" | "id" | "issue" => Field::Key,
            "created" | "createddate" => Field::Created,
            "updated" | "updateddate" => Field::Updated,
            "resolved" | "resolutiondate" => Field::Resolved,
            _ => return None,
        })
    }

    fn is_date(self) -> bool {
        matches!(self, Field::Created | Field::Updated | Field::Resolved)
    }
}

/// Jira fields that exist but are outside jira-sim's subset.
const KNOWN_UNSUPPORTED: [&str; 10] = [
    "summary",
    "description",
    "text",
    "comment",
    "sprint",
    "fixversion",
    "affectedversion",
    "parent",
    "creator",
    "duedate",
];

/// A compiled condition. Sets are bitmaps over the catalogue's indices.
#[derive(Debug, Clone)]
enum Pred {
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    Not(Box<Pred>),
    /// The field's value is in `set` (or, with `empty`, the field is empty); `negate` keeps
    /// issues whose non-empty value is outside `set`.
    In {
        field: Field,
        set: Vec<u32>,
        empty: bool,
        negate: bool,
    },
    Date {
        field: Field,
        op: Op,
        ms: i64,
    },
    IsEmpty {
        field: Field,
        empty: bool,
    },
    /// Some worklog the viewer may see matches.
    Worklog {
        cond: WorklogCond,
        viewer: Viewer,
    },
    /// `id > 10500`: the issue's numeric id against a bound, as Jira compares ids (the way
    /// a client pages past Data Center's result window by keyset).
    IdCmp {
        op: Op,
        id: u32,
    },
    /// `key > DW-5`: issues of the key's project whose number compares so, as in Jira.
    KeyCmp {
        op: Op,
        project: u8,
        number: u32,
    },
}

/// What a worklog clause asks of one worklog.
#[derive(Debug, Clone)]
enum WorklogCond {
    /// Started in `[from, until)`.
    Started {
        from: i64,
        until: i64,
    },
    Author(Vec<u8>),
    /// Every word, lower-cased, in the comment.
    Comment(Vec<String>),
}

impl WorklogCond {
    fn matches(&self, data: &Dataset, w: &Worklog) -> bool {
        match self {
            WorklogCond::Started { from, until } => w.started_ms >= *from && w.started_ms < *until,
            WorklogCond::Author(users) => users.contains(&w.author),
            WorklogCond::Comment(words) => worklog::comment(&data.site, w).is_some_and(|c| {
                let c = c.to_lowercase();
                words.iter().all(|word| c.contains(word.as_str()))
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortField {
    Key,
    /// The numeric id: `ORDER BY id`, which keyset paging relies on. Keys sort by project key
    /// first, so across projects the two orders differ.
    Id,
    Created,
    Updated,
    Resolved,
    Priority,
    Status,
    Project,
    Assignee,
    Reporter,
    IssueType,
}

/// A JQL failure: Jira's messages (several semantic errors are reported together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JqlError(pub Vec<String>);

impl Compiled {
    /// Parses and resolves `text` against the data set.
    pub fn new(text: &str, data: &Dataset, env: Env) -> Result<Compiled, JqlError> {
        let query = parse::parse(text).map_err(|m| JqlError(vec![m]))?;
        compile(&query, data, env)
    }

    /// Whether the query restricts the search (Cloud's enhanced search refuses unbounded
    /// queries).
    pub fn is_bounded(&self) -> bool {
        self.pred.is_some()
    }

    pub fn matches(&self, data: &Dataset, issue: &Issue) -> bool {
        self.pred.as_ref().is_none_or(|p| eval(p, data, issue))
    }

    /// The matching issues' indices, in the query's order (ties broken by id).
    pub fn run(&self, data: &Dataset, default_order: DefaultOrder) -> Vec<u32> {
        let mut hits: Vec<u32> = data
            .issues
            .iter()
            .enumerate()
            .filter(|(_, i)| self.matches(data, i))
            .map(|(n, _)| n as u32)
            .collect();
        let order: Vec<(SortField, bool)> = if self.order.is_empty() {
            match default_order {
                DefaultOrder::CreatedDesc => vec![(SortField::Created, true)],
                DefaultOrder::KeyAsc => vec![(SortField::Key, false)],
            }
        } else {
            self.order.clone()
        };
        hits.sort_by(|&a, &b| {
            let (ia, ib) = (&data.issues[a as usize], &data.issues[b as usize]);
            for &(f, desc) in &order {
                let o = compare(data, f, ia, ib);
                let o = if desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            ia.id.cmp(&ib.id)
        });
        hits
    }
}

/// The order of a query without `ORDER BY`.
#[derive(Debug, Clone, Copy)]
pub enum DefaultOrder {
    CreatedDesc,
    KeyAsc,
}

fn compare(data: &Dataset, f: SortField, a: &Issue, b: &Issue) -> Ordering {
    let site = &data.site;
    match f {
        SortField::Id => a.id.cmp(&b.id),
        SortField::Key => (&site.projects[usize::from(a.project)].key, a.number)
            .cmp(&(&site.projects[usize::from(b.project)].key, b.number)),
        SortField::Created => a.created_ms.cmp(&b.created_ms),
        SortField::Updated => a.updated_ms.cmp(&b.updated_ms),
        SortField::Resolved => none_last(a.resolved_ms, b.resolved_ms),
        // Index 0 is Highest: ascending means least important first, as in Jira.
        SortField::Priority => b.priority.cmp(&a.priority),
        SortField::Status => a.status.cmp(&b.status),
        SortField::Project => site.projects[usize::from(a.project)]
            .key
            .cmp(&site.projects[usize::from(b.project)].key),
        SortField::Assignee => none_last(
            a.assignee.map(|u| &site.users[usize::from(u)].display_name),
            b.assignee.map(|u| &site.users[usize::from(u)].display_name),
        ),
        SortField::Reporter => site.users[usize::from(a.reporter)]
            .display_name
            .cmp(&site.users[usize::from(b.reporter)].display_name),
        SortField::IssueType => site.issue_types[usize::from(a.issue_type)]
            .name
            .cmp(&site.issue_types[usize::from(b.issue_type)].name),
    }
}

fn none_last<T: Ord>(a: Option<T>, b: Option<T>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn compile(q: &Query, data: &Dataset, env: Env) -> Result<Compiled, JqlError> {
    let mut errors = Vec::new();
    let pred = q
        .clause
        .as_ref()
        .and_then(|c| clause(c, data, env, &mut errors));
    let mut order = Vec::new();
    for k in &q.order_by {
        let f = match k.field.to_ascii_lowercase().as_str() {
            "key" | "issuekey" => Some(SortField::Key),
            "id" => Some(SortField::Id),
            "created" | "createddate" => Some(SortField::Created),
            "updated" | "updateddate" => Some(SortField::Updated),
            "resolved" | "resolutiondate" => Some(SortField::Resolved),
            "priority" => Some(SortField::Priority),
            "status" => Some(SortField::Status),
            "project" => Some(SortField::Project),
            "assignee" => Some(SortField::Assignee),
            "reporter" => Some(SortField::Reporter),
            "issuetype" | "type" => Some(SortField::IssueType),
            _ => None,
        };
        match f {
            Some(f) => order.push((f, k.descending.unwrap_or(false))),
            None if Field::lookup(&k.field).is_some() => {
                errors.push(format!("Field '{}' does not support sorting.", k.field));
            }
            None => errors.push(no_field(&k.field)),
        }
    }
    if errors.is_empty() {
        Ok(Compiled { pred, order })
    } else {
        Err(JqlError(errors))
    }
}

fn no_field(name: &str) -> String {
    format!("Field '{name}' does not exist or you do not have permission to view it.")
}

fn clause(c: &Clause, data: &Dataset, env: Env, errors: &mut Vec<String>) -> Option<Pred> {
    match c {
        Clause::And(a, b) => {
            let a = clause(a, data, env, errors);
            let b = clause(b, data, env, errors);
            Some(Pred::And(Box::new(a?), Box::new(b?)))
        }
        Clause::Or(a, b) => {
            let a = clause(a, data, env, errors);
            let b = clause(b, data, env, errors);
            Some(Pred::Or(Box::new(a?), Box::new(b?)))
        }
        Clause::Not(a) => Some(Pred::Not(Box::new(clause(a, data, env, errors)?))),
        Clause::Term(t) => term(t, data, env, errors),
    }
}

fn term(t: &parse::Term, data: &Dataset, env: Env, errors: &mut Vec<String>) -> Option<Pred> {
    let name = t.field.to_ascii_lowercase();
    if name.starts_with("worklog") {
        let cond = worklog_term(t, &name, data, env, errors)?;
        let viewer = env.current_user.map_or(Viewer::App, Viewer::User);
        return Some(Pred::Worklog { cond, viewer });
    }
    let Some(field) = Field::lookup(&t.field) else {
        if KNOWN_UNSUPPORTED.contains(&t.field.to_ascii_lowercase().as_str()) {
            errors.push(format!(
                "Field '{}' is not supported by jira-sim's JQL subset.",
                t.field
            ));
        } else {
            errors.push(no_field(&t.field));
        }
        return None;
    };
    let unsupported = || {
        format!(
            "The operator '{}' is not supported by the '{}' field.",
            t.op, t.field
        )
    };
    match t.op {
        Op::Is | Op::IsNot => {
            if matches!(
                field,
                Field::Project | Field::Status | Field::Category | Field::IssueType | Field::Key
            ) {
                errors.push(unsupported());
                return None;
            }
            return Some(Pred::IsEmpty {
                field,
                empty: t.op == Op::Is,
            });
        }
        Op::Like | Op::NotLike => {
            errors.push(unsupported());
            return None;
        }
        _ => {}
    }
    if field.is_date() {
        return date_term(t, field, env, errors);
    }
    if matches!(t.op, Op::Lt | Op::Le | Op::Gt | Op::Ge) {
        if field == Field::Key {
            return key_comparison(t, data, errors);
        }
        errors.push(unsupported());
        return None;
    }
    let list_op = matches!(t.op, Op::In | Op::NotIn);
    let values: Vec<&Value> = match (&t.operand, list_op) {
        (Operand::List(vs), true) => vs.iter().collect(),
        (Operand::Value(v), false) => vec![v],
        (Operand::Empty, false) => {
            return Some(Pred::IsEmpty {
                field,
                empty: t.op == Op::Eq,
            });
        }
        (Operand::Value(Value::Function(..)), true) => {
            // `assignee in membersOf(...)`-style functions are outside the subset.
            errors.push(unsupported());
            return None;
        }
        _ => {
            errors.push(if list_op {
                format!(
                    "The operator '{}' must be followed by a list of values, e.g. (a, b).",
                    t.op
                )
            } else {
                format!(
                    "The operator '{}' does not take a list of values for the field '{}'.",
                    t.op, t.field
                )
            });
            return None;
        }
    };
    let mut set = Vec::new();
    let mut empty = false;
    let mut ok = true;
    for v in values {
        match v {
            Value::Empty => empty = true,
            Value::Function(name, _) => {
                if field_is_user(field) && name.eq_ignore_ascii_case("currentUser") {
                    // An app (no user) matches nobody.
                    if let Some(u) = env.current_user {
                        set.push(u32::from(u));
                    }
                } else {
                    errors.push(format!("Unable to find JQL function '{name}()'."));
                    ok = false;
                }
            }
            Value::Text(text) => match resolve(field, text, data, env.flavor) {
                Some(ids) => set.extend(ids),
                None => {
                    errors.push(if field == Field::Key {
                        format!(
                            "An issue with key '{text}' does not exist for field '{}'.",
                            t.field
                        )
                    } else {
                        format!(
                            "The value '{text}' does not exist for the field '{}'.",
                            t.field
                        )
                    });
                    ok = false;
                }
            },
        }
    }
    ok.then_some(Pred::In {
        field,
        set,
        empty,
        negate: matches!(t.op, Op::Ne | Op::NotIn),
    })
}

fn field_is_user(f: Field) -> bool {
    matches!(f, Field::Assignee | Field::Reporter)
}

/// The catalogue indices (or issue ids for keys) a value names; `None` when nothing does.
fn resolve(field: Field, text: &str, data: &Dataset, flavor: Flavor) -> Option<Vec<u32>> {
    let site = &data.site;
    let by_id = text.parse::<u32>().ok();
    let hits: Vec<u32> = match field {
        Field::Project => site
            .projects
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                Some(p.id) == by_id
                    || p.key.eq_ignore_ascii_case(text)
                    || p.name.eq_ignore_ascii_case(text)
            })
            .map(|(i, _)| i as u32)
            .collect(),
        // A name matches every status with that name (team-managed projects reuse names). On
        // Data Center, whose issues show team-managed statuses folded into the shared ones, a
        // status matches the issues it is shown on.
        Field::Status => (0..site.statuses.len() as u8)
            .filter(|&i| {
                let s = &site.statuses[usize::from(site.status_for(i, flavor))];
                Some(s.id) == by_id || s.name.eq_ignore_ascii_case(text)
            })
            .map(u32::from)
            .collect(),
        Field::Category => Category::ALL
            .iter()
            .filter(|c| {
                Some(c.id()) == by_id
                    || c.key().eq_ignore_ascii_case(text)
                    || c.name().eq_ignore_ascii_case(text)
            })
            .map(|c| *c as u32)
            .collect(),
        Field::IssueType => site
            .issue_types
            .iter()
            .enumerate()
            .filter(|(_, t)| Some(t.id) == by_id || t.name.eq_ignore_ascii_case(text))
            .map(|(i, _)| i as u32)
            .collect(),
        Field::Priority => site
            .priorities
            .iter()
            .enumerate()
            .filter(|(_, p)| Some(p.id) == by_id || p.name.eq_ignore_ascii_case(text))
            .map(|(i, _)| i as u32)
            .collect(),
        Field::Resolution => site
            .resolutions
            .iter()
            .enumerate()
            .filter(|(_, r)| Some(r.id) == by_id || r.name.eq_ignore_ascii_case(text))
            .map(|(i, _)| i as u32)
            .collect(),
        Field::Assignee | Field::Reporter => site
            .users
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.account_id == text
                    || u.login.eq_ignore_ascii_case(text)
                    || u.email.eq_ignore_ascii_case(text)
                    || u.display_name.eq_ignore_ascii_case(text)
            })
            .map(|(i, _)| i as u32)
            .collect(),
        Field::Labels => {
            // Any label is a valid value; unknown ones simply match nothing.
            return Some(
                site.labels
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.as_str() == text)
                    .map(|(i, _)| i as u32)
                    .collect(),
            );
        }
        Field::Component => {
            let mut v = Vec::new();
            for (p, proj) in site.projects.iter().enumerate() {
                for c in 0..proj.components.len() {
                    let id = crate::site::Site::component_id(p as u8, c);
                    if Some(id) == by_id
                        || site.component_name(p as u8, c).eq_ignore_ascii_case(text)
                    {
                        v.push(id);
                    }
                }
            }
            v
        }
        Field::Key => {
            let issue = data.find(text)?;
            vec![issue.id]
        }
        Field::Created | Field::Updated | Field::Resolved => return None,
    };
    (!hits.is_empty()).then_some(hits)
}

/// `worklogDate`, `worklogAuthor` or `worklogComment` (`name` lower-cased).
fn worklog_term(
    t: &parse::Term,
    name: &str,
    data: &Dataset,
    env: Env,
    errors: &mut Vec<String>,
) -> Option<WorklogCond> {
    let unsupported = |errors: &mut Vec<String>| {
        errors.push(format!(
            "The operator '{}' is not supported by the '{}' field.",
            t.op, t.field
        ));
        None
    };
    match name {
        "worklogdate" => {
            let (Operand::Value(value), Op::Eq | Op::Lt | Op::Le | Op::Gt | Op::Ge) =
                (&t.operand, t.op)
            else {
                return unsupported(errors);
            };
            let ms = date_value(value, &t.field, env, errors)?;
            let day = ms - ms.rem_euclid(DAY);
            let (from, until) = match t.op {
                Op::Eq => (day, day + DAY),
                Op::Gt => (day + DAY, i64::MAX),
                Op::Ge => (day, i64::MAX),
                Op::Lt => (i64::MIN, day),
                _ => (i64::MIN, day + DAY),
            };
            Some(WorklogCond::Started { from, until })
        }
        "worklogauthor" => {
            let values: Vec<&Value> = match (&t.operand, t.op) {
                (Operand::Value(v), Op::Eq) => vec![v],
                (Operand::List(vs), Op::In) => vs.iter().collect(),
                _ => return unsupported(errors),
            };
            let mut users = Vec::new();
            let mut ok = true;
            for v in values {
                match v {
                    Value::Function(f, _) if f.eq_ignore_ascii_case("currentUser") => {
                        // An app (no user) matches nobody.
                        users.extend(env.current_user);
                    }
                    Value::Function(f, _) => {
                        errors.push(format!("Unable to find JQL function '{f}()'."));
                        ok = false;
                    }
                    Value::Text(text) => match resolve(Field::Assignee, text, data, env.flavor) {
                        Some(ids) => users.extend(ids.into_iter().map(|u| u as u8)),
                        None => {
                            errors.push(format!(
                                "The value '{text}' does not exist for the field '{}'.",
                                t.field
                            ));
                            ok = false;
                        }
                    },
                    Value::Empty => return unsupported(errors),
                }
            }
            ok.then_some(WorklogCond::Author(users))
        }
        "worklogcomment" => {
            let (Operand::Value(Value::Text(text)), Op::Like) = (&t.operand, t.op) else {
                return unsupported(errors);
            };
            let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
            if words.is_empty() {
                errors.push(format!(
                    "The field '{}' needs a word to search for.",
                    t.field
                ));
                return None;
            }
            Some(WorklogCond::Comment(words))
        }
        _ => {
            errors.push(no_field(&t.field));
            None
        }
    }
}

/// A date operand in milliseconds: an absolute date (UTC), a period, `now()`, `startOfDay()`
/// or `endOfDay()`; Jira's messages otherwise.
fn date_value(value: &Value, field: &str, env: Env, errors: &mut Vec<String>) -> Option<i64> {
    let ms = match value {
        Value::Text(s) => parse_date(s, env.now_ms),
        Value::Function(name, _) => match name.to_ascii_lowercase().as_str() {
            "now" => Some(env.now_ms),
            "startofday" => Some(env.now_ms - env.now_ms.rem_euclid(DAY)),
            "endofday" => Some(env.now_ms - env.now_ms.rem_euclid(DAY) + DAY - 1),
            _ => {
                errors.push(format!("Unable to find JQL function '{name}()'."));
                return None;
            }
        },
        Value::Empty => None,
    };
    if ms.is_none() {
        let shown = match value {
            Value::Text(s) => s.clone(),
            _ => String::new(),
        };
        errors.push(format!(
            "Date value '{shown}' for field '{field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
        ));
    }
    ms
}

fn date_term(t: &parse::Term, field: Field, env: Env, errors: &mut Vec<String>) -> Option<Pred> {
    let value = match (&t.operand, t.op) {
        (Operand::Value(v), Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge) => v,
        (Operand::Empty, Op::Eq | Op::Ne) => {
            return Some(Pred::IsEmpty {
                field,
                empty: t.op == Op::Eq,
            });
        }
        _ => {
            errors.push(format!(
                "The operator '{}' is not supported by the '{}' field.",
                t.op, t.field
            ));
            return None;
        }
    };
    let ms = date_value(value, &t.field, env, errors)?;
    Some(Pred::Date {
        field,
        op: t.op,
        ms,
    })
}

/// `id >= 10500` or `issuekey < DW-40`: a number compares ids, a key compares numbers inside
/// the key's project.
fn key_comparison(t: &parse::Term, data: &Dataset, errors: &mut Vec<String>) -> Option<Pred> {
    let Operand::Value(Value::Text(text)) = &t.operand else {
        errors.push(format!(
            "The operator '{}' must be followed by an issue key or id for the field '{}'.",
            t.op, t.field
        ));
        return None;
    };
    if let Ok(id) = text.trim().parse::<u32>() {
        return Some(Pred::IdCmp { op: t.op, id });
    }
    match data.find(text) {
        Some(issue) => Some(Pred::KeyCmp {
            op: t.op,
            project: issue.project,
            number: issue.number,
        }),
        None => {
            errors.push(format!(
                "An issue with key '{text}' does not exist for field '{}'.",
                t.field
            ));
            None
        }
    }
}

fn compare_op<T: Ord>(op: Op, v: T, bound: T) -> bool {
    match op {
        Op::Lt => v < bound,
        Op::Le => v <= bound,
        Op::Gt => v > bound,
        Op::Ge => v >= bound,
        _ => false,
    }
}

const DAY: i64 = 86_400_000;

/// An absolute date (UTC) or a period relative to `now_ms`.
pub fn parse_date(s: &str, now_ms: i64) -> Option<i64> {
    let s = s.trim();
    if let Some(ms) = parse_period(s) {
        return Some(now_ms + ms);
    }
    let normal = s.replace('/', "-");
    let (date, time) = match normal.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (normal.as_str(), None),
    };
    let d: jiff::civil::Date = date.parse().ok()?;
    let dt = match time {
        None => d.at(0, 0, 0, 0),
        Some(t) => {
            let (h, m) = t.split_once(':')?;
            d.at(h.parse().ok()?, m.parse().ok()?, 0, 0)
        }
    };
    let ts = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(ts.as_millisecond())
}

/// `-5d`, `4w 2d`, `+3h`, `-30m`: a signed duration in milliseconds.
fn parse_period(s: &str) -> Option<i64> {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut total = 0i64;
    let mut any = false;
    for part in rest.split_whitespace() {
        let unit = part.chars().last()?;
        let n: i64 = part[..part.len() - unit.len_utf8()].parse().ok()?;
        let ms = match unit.to_ascii_lowercase() {
            'w' => 7 * DAY,
            'd' => DAY,
            'h' => 3_600_000,
            'm' => 60_000,
            _ => return None,
        };
        total += n * ms;
        any = true;
    }
    any.then_some(sign * total)
}

fn eval(p: &Pred, data: &Dataset, issue: &Issue) -> bool {
    match p {
        Pred::And(a, b) => eval(a, data, issue) && eval(b, data, issue),
        Pred::Or(a, b) => eval(a, data, issue) || eval(b, data, issue),
        Pred::Not(a) => !eval(a, data, issue),
        Pred::IsEmpty { field, empty } => is_empty(*field, issue) == *empty,
        Pred::Worklog { cond, viewer } => {
            let index = issue.id.saturating_sub(crate::data::FIRST_ISSUE_ID) as usize;
            data.worklogs.of(index).iter().any(|w| {
                worklog::visible(&data.site, &data.issues, w, *viewer) && cond.matches(data, w)
            })
        }
        Pred::IdCmp { op, id } => compare_op(*op, issue.id, *id),
        Pred::KeyCmp {
            op,
            project,
            number,
        } => issue.project == *project && compare_op(*op, issue.number, *number),
        Pred::Date { field, op, ms } => {
            let Some(v) = date_of(*field, issue) else {
                return false;
            };
            match op {
                Op::Eq => v == *ms,
                Op::Ne => v != *ms,
                Op::Lt => v < *ms,
                Op::Le => v <= *ms,
                Op::Gt => v > *ms,
                Op::Ge => v >= *ms,
                _ => false,
            }
        }
        Pred::In {
            field,
            set,
            empty,
            negate,
        } => {
            let values = values_of(*field, data, issue);
            if values.is_empty() {
                return *empty && !*negate;
            }
            let hit = values.iter().any(|v| set.contains(v));
            if *negate { !hit } else { hit }
        }
    }
}

fn is_empty(field: Field, issue: &Issue) -> bool {
    match field {
        Field::Assignee => issue.assignee.is_none(),
        Field::Resolution => issue.resolution.is_none(),
        Field::Resolved => issue.resolved_ms.is_none(),
        Field::Labels => issue.labels == 0,
        Field::Component => issue.components == 0,
        _ => false,
    }
}

fn date_of(field: Field, issue: &Issue) -> Option<i64> {
    match field {
        Field::Created => Some(issue.created_ms),
        Field::Updated => Some(issue.updated_ms),
        _ => issue.resolved_ms,
    }
}

fn values_of(field: Field, data: &Dataset, issue: &Issue) -> Vec<u32> {
    match field {
        Field::Project => vec![u32::from(issue.project)],
        Field::Status => vec![u32::from(issue.status)],
        Field::Category => vec![data.site.statuses[usize::from(issue.status)].category as u32],
        Field::IssueType => vec![u32::from(issue.issue_type)],
        Field::Priority => vec![u32::from(issue.priority)],
        Field::Assignee => issue.assignee.map(u32::from).into_iter().collect(),
        Field::Reporter => vec![u32::from(issue.reporter)],
        Field::Resolution => issue.resolution.map(u32::from).into_iter().collect(),
        Field::Labels => (0..8u32).filter(|i| issue.labels & (1 << i) != 0).collect(),
        Field::Component => (0..4usize)
            .filter(|i| issue.components & (1 << i) != 0)
            .map(|i| crate::site::Site::component_id(issue.project, i))
            .collect(),
        Field::Key => vec![issue.id],
        Field::Created | Field::Updated | Field::Resolved => Vec::new(),
    }
}
