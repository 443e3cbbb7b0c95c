//! Jira's JSON for the compact model, written here and nowhere else. Only what a request asks
//! for is rendered, one issue at a time.
//!
//! Shapes follow Atlassian's OpenAPI (`IssueBean`, `Changelog`, `ChangeDetails`, `User`,
//! `StatusDetails`, ...). Where the spec and real Jira disagree, Jira wins: change items carry
//! `"from": null` for empty values, as every captured sample does.

use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

use crate::data::worklog::{self, Restriction, Viewer, Worklog};
use crate::data::{Change, Dataset, History, Issue};
use crate::site::{
    CUSTOMER, Category, FLAGGED, Flavor, IMPEDIMENT_OPTION, STORY_POINTS, TEAM, UNDEFINED_CATEGORY,
};

/// The fields a request selected, in catalogue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSel {
    pub fields: Vec<&'static str>,
    /// The `worklog` field, named explicitly. jira-sim leaves it out of `*all` and `*navigable`
    /// (real Jira puts it in), so the pages clients already read keep their bytes.
    pub worklog: bool,
}

impl FieldSel {
    /// Parses Jira's `fields` list: ids, `*all`, `*navigable`, `-id` to exclude. Unknown ids
    /// are ignored, as Jira does. `default` applies when the list is empty.
    pub fn parse(data: &Dataset, specs: &[String], default: &str) -> FieldSel {
        let mut parts: Vec<String> = specs
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if parts.is_empty() {
            parts.push(default.to_string());
        }
        let catalogue = &data.site.fields;
        let mut on = vec![false; catalogue.len()];
        for p in &parts {
            match p.as_str() {
                "*all" => on.iter_mut().for_each(|b| *b = true),
                "*navigable" => {
                    for (b, f) in on.iter_mut().zip(catalogue) {
                        *b |= f.navigable;
                    }
                }
                _ if p.starts_with('-') => {}
                name => {
                    if let Some(i) = catalogue.iter().position(|f| f.id == name) {
                        on[i] = true;
                    }
                }
            }
        }
        for p in parts.iter().filter_map(|p| p.strip_prefix('-')) {
            if let Some(i) = catalogue.iter().position(|f| f.id == p) {
                on[i] = false;
            }
        }
        let ids = parts.iter().any(|p| p == "id" || p == "key");
        let mut fields: Vec<&'static str> = catalogue
            .iter()
            .zip(on)
            .filter(|(f, b)| *b && f.id != "issuekey")
            .map(|(f, _)| f.id)
            .collect();
        let worklog = parts.iter().any(|p| p == "worklog");
        if ids && fields.is_empty() && !worklog && parts.iter().any(|p| p == "key") {
            fields.push("issuekey");
        }
        FieldSel { fields, worklog }
    }

    /// Only `id` (and maybe `key`): the cheap selection Cloud pages 5000 at a time.
    pub fn ids_only(&self) -> bool {
        !self.worklog && self.fields.iter().all(|f| *f == "issuekey")
    }
}

/// Renders for one request: the data, the base URL, the API version, the flavour and the time
/// zone of the user who asked.
#[derive(Clone, Copy)]
pub struct Renderer<'a> {
    pub data: &'a Dataset,
    pub base: &'a str,
    /// 2 or 3.
    pub api: u8,
    pub flavor: Flavor,
    /// Every timestamp is written in this zone, as Jira writes them in the caller's (worklogs'
    /// `started` excepted: see [`Renderer::worklog`]).
    pub tz: &'a TimeZone,
    /// Who asked: restricted worklogs are shown only to those who may see them.
    pub viewer: Viewer,
}

impl<'a> Renderer<'a> {
    fn time(&self, ms: i64) -> String {
        crate::data::jira_time(ms, self.tz)
    }

    /// The statuses `/status` lists: Data Center has no project-scoped ones.
    pub fn statuses(&self) -> Vec<Value> {
        let site = &self.data.site;
        (0..site.statuses.len() as u8)
            .filter(|&s| {
                self.flavor == Flavor::Cloud || site.statuses[usize::from(s)].project.is_none()
            })
            .map(|s| self.status(s))
            .collect()
    }

    fn url(&self, path: &str) -> String {
        format!("{}/rest/api/{}/{path}", self.base, self.api)
    }

    fn avatars(&self, kind: &str, id: &str) -> Value {
        let u = |size: u32| format!("{}/secure/{kind}avatar?size={size}&id={id}", self.base);
        json!({"48x48": u(48), "24x24": u(24), "16x16": u(16), "32x32": u(32)})
    }

    pub fn user(&self, u: u8) -> Value {
        let user = &self.data.site.users[usize::from(u)];
        match self.flavor {
            Flavor::Cloud => json!({
                "self": self.url(&format!("user?accountId={}", user.account_id)),
                "accountId": user.account_id,
                "emailAddress": user.email,
                "avatarUrls": self.avatars("user", &user.account_id),
                "displayName": user.display_name,
                "active": true,
                "timeZone": user.time_zone,
                "accountType": "atlassian",
            }),
            Flavor::Dc => json!({
                "self": self.url(&format!("user?username={}", user.login)),
                "name": user.login,
                "key": user.login,
                "emailAddress": user.email,
                "avatarUrls": self.avatars("user", user.login),
                "displayName": user.display_name,
                "active": true,
                "timeZone": user.time_zone,
            }),
        }
    }

    /// How a change item refers to a user: accountId on Cloud, user key on Data Center.
    fn user_ref(&self, u: u8) -> String {
        let user = &self.data.site.users[usize::from(u)];
        match self.flavor {
            Flavor::Cloud => user.account_id.clone(),
            Flavor::Dc => user.login.to_string(),
        }
    }

    pub fn status_category(&self, c: Category) -> Value {
        json!({
            "self": self.url(&format!("statuscategory/{}", c.id())),
            "id": c.id(),
            "key": c.key(),
            "colorName": c.color(),
            "name": c.name(),
        })
    }

    pub fn undefined_category(&self) -> Value {
        let (id, key, color, name) = UNDEFINED_CATEGORY;
        json!({
            "self": self.url(&format!("statuscategory/{id}")),
            "id": id, "key": key, "colorName": color, "name": name,
        })
    }

    /// Status `s` as this flavour shows it (see [`crate::site::Site::status_for`]).
    pub fn status(&self, s: u8) -> Value {
        let s = self.data.site.status_for(s, self.flavor);
        let st = &self.data.site.statuses[usize::from(s)];
        let mut v = json!({
            "self": self.url(&format!("status/{}", st.id)),
            "description": st.description,
            "iconUrl": format!("{}/images/icons/statuses/generic.png", self.base),
            "name": st.name,
            "untranslatedName": st.name,
            "id": st.id.to_string(),
            "statusCategory": self.status_category(st.category),
        });
        if let Some(p) = st.project {
            v["scope"] = json!({
                "type": "PROJECT",
                "project": {"id": self.data.site.projects[p].id.to_string()},
            });
        }
        v
    }

    pub fn project(&self, p: u8) -> Value {
        let proj = &self.data.site.projects[usize::from(p)];
        let mut v = json!({
            "self": self.url(&format!("project/{}", proj.id)),
            "id": proj.id.to_string(),
            "key": proj.key,
            "name": proj.name,
            "projectTypeKey": "software",
            "avatarUrls": self.avatars("project", &proj.id.to_string()),
        });
        // Data Center has no team-managed projects and no `simplified` attribute.
        if self.flavor == Flavor::Cloud {
            v["simplified"] = json!(proj.simplified);
        }
        v
    }

    /// A project as `/project/search` lists it.
    pub fn project_full(&self, p: u8) -> Value {
        let proj = &self.data.site.projects[usize::from(p)];
        let mut v = self.project(p);
        v["expand"] = json!("description,lead,issueTypes,url,projectKeys,permissions,insight");
        v["description"] = json!(format!("The {} team's work", proj.name));
        v["lead"] = self.user(proj.lead);
        v["style"] = json!(
            if self.data.site.team_managed(usize::from(p), self.flavor) {
                "next-gen"
            } else {
                "classic"
            }
        );
        v["isPrivate"] = json!(false);
        v["properties"] = json!({});
        v["issueTypes"] = Value::Array(
            (0..self.data.site.issue_types.len() as u8)
                .map(|t| self.issue_type(t))
                .collect(),
        );
        v
    }

    pub fn issue_type(&self, t: u8) -> Value {
        let it = &self.data.site.issue_types[usize::from(t)];
        json!({
            "self": self.url(&format!("issuetype/{}", it.id)),
            "id": it.id.to_string(),
            "description": it.description,
            "iconUrl": format!("{}/images/icons/issuetypes/{}.svg", self.base, it.name.to_lowercase()),
            "name": it.name,
            "subtask": false,
            "hierarchyLevel": 0,
        })
    }

    pub fn priority(&self, p: u8) -> Value {
        let pr = &self.data.site.priorities[usize::from(p)];
        json!({
            "self": self.url(&format!("priority/{}", pr.id)),
            "iconUrl": format!("{}/images/icons/priorities/{}.svg", self.base, pr.name.to_lowercase()),
            "name": pr.name,
            "id": pr.id.to_string(),
        })
    }

    pub fn resolution(&self, r: u8) -> Value {
        let res = &self.data.site.resolutions[usize::from(r)];
        json!({
            "self": self.url(&format!("resolution/{}", res.id)),
            "id": res.id.to_string(),
            "description": format!("{} resolution", res.name),
            "name": res.name,
        })
    }

    fn description(&self, issue: &Issue) -> Value {
        self.rich_text(self.data.description(issue))
    }

    /// Text as this API version serves it: a one-paragraph document (ADF) on v3, a string
    /// on v2.
    fn rich_text(&self, text: String) -> Value {
        if self.api == 3 {
            json!({
                "type": "doc",
                "version": 1,
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
            })
        } else {
            Value::String(text)
        }
    }

    fn field_value(&self, issue: &Issue, field: &str) -> Value {
        let data = self.data;
        match field {
            "summary" => Value::String(data.summary(issue)),
            "description" => self.description(issue),
            "project" => self.project(issue.project),
            "issuetype" => self.issue_type(issue.issue_type),
            "status" => self.status(issue.status),
            "priority" => self.priority(issue.priority),
            "assignee" => issue.assignee.map_or(Value::Null, |u| self.user(u)),
            "reporter" | "creator" => self.user(issue.reporter),
            "created" => Value::String(self.time(issue.created_ms)),
            "updated" => Value::String(self.time(issue.updated_ms)),
            "resolutiondate" => issue
                .resolved_ms
                .map_or(Value::Null, |t| Value::String(self.time(t))),
            "resolution" => issue.resolution.map_or(Value::Null, |r| self.resolution(r)),
            "labels" => json!(data.labels(issue.labels)),
            "components" => Value::Array(
                (0..4usize)
                    .filter(|c| issue.components & (1 << c) != 0)
                    .map(|c| {
                        let id = crate::site::Site::component_id(issue.project, c);
                        json!({
                            "self": self.url(&format!("component/{id}")),
                            "id": id.to_string(),
                            "name": data.site.component_name(issue.project, c),
                        })
                    })
                    .collect(),
            ),
            "statuscategorychangedate" => {
                Value::String(self.time(issue.status_category_changed_ms))
            }
            STORY_POINTS => issue
                .story_points
                .map_or(Value::Null, |p| json!(f64::from(p))),
            crate::site::RANK => Value::String(format!("0|i{:05x}:", issue.id)),
            FLAGGED if issue.flagged => json!([{
                "self": format!("{}/rest/api/{}/customFieldOption/{IMPEDIMENT_OPTION}", self.base, self.api),
                "value": "Impediment",
                "id": IMPEDIMENT_OPTION.to_string(),
            }]),
            CUSTOMER => data.customer(issue).map_or(Value::Null, Value::String),
            TEAM => data.team(issue).map_or(Value::Null, |(id, value)| {
                json!({
                    "self": format!("{}/rest/api/{}/customFieldOption/{id}", self.base, self.api),
                    "value": value,
                    "id": id.to_string(),
                })
            }),
            "timetracking" => json!({}),
            _ => Value::Null,
        }
    }

    /// One issue with the selected fields and expansions.
    pub fn issue(&self, issue: &Issue, sel: &FieldSel, expand: &Expand) -> Value {
        let mut v = Map::new();
        v.insert(
            "expand".into(),
            json!(
                "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
            ),
        );
        v.insert("id".into(), json!(issue.id.to_string()));
        v.insert(
            "self".into(),
            json!(self.url(&format!("issue/{}", issue.id))),
        );
        v.insert("key".into(), json!(self.data.key(issue)));
        let mut fields = Map::new();
        for f in &sel.fields {
            if *f != "issuekey" {
                fields.insert((*f).to_string(), self.field_value(issue, f));
            }
        }
        if sel.worklog {
            fields.insert("worklog".into(), self.embedded_worklogs(issue));
        }
        v.insert("fields".into(), Value::Object(fields));
        if expand.names {
            v.insert("names".into(), self.names(sel));
        }
        if let Some(limit) = expand.changelog {
            v.insert("changelog".into(), self.embedded_changelog(issue, limit));
        }
        Value::Object(v)
    }

    /// The `names` expansion: field id to field name.
    pub fn names(&self, sel: &FieldSel) -> Value {
        let mut m = Map::new();
        for f in &self.data.site.fields {
            if sel.fields.contains(&f.id) {
                m.insert(f.id.to_string(), json!(f.name));
            }
        }
        Value::Object(m)
    }

    /// `changelog` inside an issue. Cloud keeps only the newest `limit` histories, newest
    /// first; Data Center gives every history, oldest first.
    pub fn embedded_changelog(&self, issue: &Issue, limit: ChangelogLimit) -> Value {
        let hs = self.data.histories_of(issue);
        let total = hs.len();
        let histories: Vec<Value> = match limit {
            ChangelogLimit::NewestFirst(n) => hs
                .iter()
                .rev()
                .take(n)
                .map(|h| self.history(h, None))
                .collect(),
            ChangelogLimit::All => hs.iter().map(|h| self.history(h, None)).collect(),
        };
        json!({
            "startAt": 0,
            "maxResults": histories.len(),
            "total": total,
            "histories": histories,
        })
    }

    /// One history; with `only`, just the items of those field ids (`None` when none remain).
    pub fn history(&self, h: &History, only: Option<&[String]>) -> Value {
        self.history_filtered(h, only).unwrap_or(Value::Null)
    }

    pub fn history_filtered(&self, h: &History, only: Option<&[String]>) -> Option<Value> {
        let items: Vec<Value> = self
            .data
            .items_of(h)
            .iter()
            .filter(|c| only.is_none_or(|ids| ids.iter().any(|id| id == c.field_id())))
            .map(|c| self.item(c, h))
            .collect();
        if items.is_empty() {
            return None;
        }
        Some(json!({
            "id": h.id.to_string(),
            "author": self.user(h.author),
            "created": self.time(h.created_ms),
            "items": items,
        }))
    }

    fn item(&self, c: &Change, h: &History) -> Value {
        let site = &self.data.site;
        let s = |x: String| Value::String(x);
        let opt = |x: Option<String>| x.map_or(Value::Null, Value::String);
        let (field, fieldtype, from, from_s, to, to_s) = match *c {
            Change::Status { from, to } => {
                let (from, to) = (
                    site.status_for(from, self.flavor),
                    site.status_for(to, self.flavor),
                );
                (
                    "status",
                    "jira",
                    s(site.statuses[usize::from(from)].id.to_string()),
                    s(site.status_name_at(from, h.created_ms).to_string()),
                    s(site.statuses[usize::from(to)].id.to_string()),
                    s(site.status_name_at(to, h.created_ms).to_string()),
                )
            }
            Change::Assignee { from, to } => (
                "assignee",
                "jira",
                opt(from.map(|u| self.user_ref(u))),
                opt(from.map(|u| site.users[usize::from(u)].display_name.clone())),
                opt(to.map(|u| self.user_ref(u))),
                opt(to.map(|u| site.users[usize::from(u)].display_name.clone())),
            ),
            Change::Priority { from, to } => (
                "priority",
                "jira",
                s(site.priorities[usize::from(from)].id.to_string()),
                s(site.priorities[usize::from(from)].name.to_string()),
                s(site.priorities[usize::from(to)].id.to_string()),
                s(site.priorities[usize::from(to)].name.to_string()),
            ),
            Change::Resolution { from, to } => (
                "resolution",
                "jira",
                opt(from.map(|r| site.resolutions[usize::from(r)].id.to_string())),
                opt(from.map(|r| site.resolutions[usize::from(r)].name.to_string())),
                opt(to.map(|r| site.resolutions[usize::from(r)].id.to_string())),
                opt(to.map(|r| site.resolutions[usize::from(r)].name.to_string())),
            ),
            Change::Labels { from, to } => (
                "labels",
                "jira",
                Value::Null,
                s(self.data.labels(from).join(" ")),
                Value::Null,
                s(self.data.labels(to).join(" ")),
            ),
            Change::StoryPoints { from, to } => (
                "Story point estimate",
                "custom",
                Value::Null,
                opt(from.map(|p| p.to_string())),
                Value::Null,
                opt(to.map(|p| p.to_string())),
            ),
            Change::Rank { higher } => (
                "Rank",
                "custom",
                s(String::new()),
                s(String::new()),
                s(String::new()),
                s(if higher {
                    "Ranked higher"
                } else {
                    "Ranked lower"
                }
                .to_string()),
            ),
            // As Jira Software writes it: the option ids in brackets, the option's value.
            Change::Flagged { on } => {
                let (id, value) = (
                    s(format!("[{IMPEDIMENT_OPTION}]")),
                    s("Impediment".to_string()),
                );
                if on {
                    ("Flagged", "custom", Value::Null, Value::Null, id, value)
                } else {
                    ("Flagged", "custom", id, value, Value::Null, Value::Null)
                }
            }
        };
        let mut m = Map::new();
        m.insert("field".into(), json!(field));
        m.insert("fieldtype".into(), json!(fieldtype));
        if !h.legacy {
            m.insert("fieldId".into(), json!(c.field_id()));
        }
        m.insert("from".into(), from);
        m.insert("fromString".into(), from_s);
        m.insert("to".into(), to);
        m.insert("toString".into(), to_s);
        Value::Object(m)
    }

    /// `/field`.
    pub fn fields(&self) -> Value {
        Value::Array(
            self.data
                .site
                .fields
                .iter()
                .map(|f| {
                    let mut v = json!({
                        "id": f.id,
                        "key": f.id,
                        "name": f.name,
                        "custom": f.custom,
                        "orderable": f.orderable,
                        "navigable": f.navigable,
                        "searchable": f.searchable,
                        "clauseNames": f.clause_names,
                    });
                    if let Some((ty, items, system, custom_id)) = f.schema {
                        let mut schema = json!({"type": ty});
                        if let Some(items) = items {
                            schema["items"] = json!(items);
                        }
                        match custom_id {
                            Some(id) => {
                                schema["custom"] = json!(system);
                                schema["customId"] = json!(id);
                            }
                            None => schema["system"] = json!(system),
                        }
                        v["schema"] = schema;
                    }
                    v
                })
                .collect(),
        )
    }
}

/// The `worklog` field of an issue holds at most this many worklogs (the oldest), with `total`.
pub const EMBEDDED_WORKLOG_MAX: usize = 20;

impl Renderer<'_> {
    /// The worklogs of `issue` this request's viewer may see, oldest first.
    pub fn visible_worklogs(&self, issue: &Issue) -> impl Iterator<Item = &Worklog> + '_ {
        let index = issue.id.saturating_sub(crate::data::FIRST_ISSUE_ID) as usize;
        let data = self.data;
        let viewer = self.viewer;
        data.worklogs
            .of(index)
            .iter()
            .filter(move |w| worklog::visible(&data.site, &data.issues, w, viewer))
    }

    /// The `worklog` field: `startAt`, `maxResults`, `total` and the oldest
    /// [`EMBEDDED_WORKLOG_MAX`] worklogs the viewer may see.
    pub fn embedded_worklogs(&self, issue: &Issue) -> Value {
        let all: Vec<&Worklog> = self.visible_worklogs(issue).collect();
        let shown: Vec<Value> = all
            .iter()
            .take(EMBEDDED_WORKLOG_MAX)
            .map(|w| self.worklog(w))
            .collect();
        json!({
            "startAt": 0,
            "maxResults": shown.len(),
            "total": all.len(),
            "worklogs": shown,
        })
    }

    /// One worklog (`Worklog` of the spec). `started` is written in the author's zone, the
    /// offset it was logged with, so one page mixes offsets; `created` and `updated` in the
    /// caller's. The comment is ADF on v3 and text on v2, and absent when there is none.
    pub fn worklog(&self, w: &Worklog) -> Value {
        let data = self.data;
        let issue = &data.issues[w.issue as usize];
        let author_tz = &data.site.users[usize::from(w.author)].tz;
        let mut m = Map::new();
        m.insert(
            "self".into(),
            json!(self.url(&format!("issue/{}/worklog/{}", issue.id, w.id))),
        );
        m.insert("author".into(), self.user(w.author));
        m.insert("updateAuthor".into(), self.user(w.update_author));
        if let Some(text) = worklog::comment(&data.site, w) {
            m.insert("comment".into(), self.rich_text(text));
        }
        m.insert("created".into(), json!(self.time(w.created_ms)));
        m.insert("updated".into(), json!(self.time(w.updated_ms)));
        m.insert(
            "started".into(),
            json!(crate::data::jira_time(w.started_ms, author_tz)),
        );
        m.insert("timeSpent".into(), json!(worklog::time_spent(w.seconds)));
        m.insert("timeSpentSeconds".into(), json!(w.seconds));
        m.insert("id".into(), json!(w.id.to_string()));
        m.insert("issueId".into(), json!(issue.id.to_string()));
        if let Some(r) = w.restriction {
            m.insert("visibility".into(), self.visibility(r));
        }
        Value::Object(m)
    }

    /// `{"type": "group", "value": name}` (Cloud adds the group's `identifier`) or
    /// `{"type": "role", "value": name}` (Cloud adds the role's id as `identifier`).
    fn visibility(&self, r: Restriction) -> Value {
        let (kind, value, identifier) = match r {
            Restriction::Group(g) => (
                "group",
                crate::site::GROUPS[usize::from(g)],
                crate::site::group_id(usize::from(g)),
            ),
            Restriction::Role(role) => ("role", role.name(), role.id().to_string()),
        };
        let mut v = json!({"type": kind, "value": value});
        if self.flavor == Flavor::Cloud {
            v["identifier"] = json!(identifier);
        }
        v
    }
}

/// How many histories an embedded changelog carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangelogLimit {
    /// Cloud: the newest n, newest first.
    NewestFirst(usize),
    /// Data Center: all, oldest first.
    All,
}

/// The expansions a request asked for.
#[derive(Debug, Clone, Default)]
pub struct Expand {
    pub changelog: Option<ChangelogLimit>,
    pub names: bool,
}

impl Expand {
    /// Parses Jira's comma-separated `expand`; unknown expansions are ignored.
    pub fn parse(specs: &[String], changelog: ChangelogLimit) -> Expand {
        let mut e = Expand::default();
        for part in specs.iter().flat_map(|s| s.split(',')).map(str::trim) {
            match part {
                "changelog" => e.changelog = Some(changelog),
                "names" => e.names = true,
                _ => {}
            }
        }
        e
    }
}
