//! The simulated Jira site's fixed catalogue: projects, statuses and their workflow, issue types,
//! priorities, resolutions, fields, users and groups. Issues refer to these by small indices.
//!
//! Two quirks of real sites are built in on purpose:
//! - the status "Review" was called "Code Review" until [`Site::rename_at`]; history items
//!   written before then carry the old name, `/status` shows the new one;
//! - the team-managed project MOB has its own "To Do", "In Progress" and "Done", with other
//!   ids than the company-managed statuses of the same names. Team-managed projects exist on
//!   Cloud only: the Data Center flavour shows MOB as a company-managed project whose issues
//!   use the shared statuses ([`Site::status_for`]);
//! - every user has a time zone of their own (one with a half-hour offset, one at +05:45,
//!   several with daylight saving time), and Jira writes every timestamp in the zone of the
//!   user who asks, so clients' offset handling is exercised on every run;
//! - blocked issues carry Jira Software's "Flagged" field ([`FLAGGED`]), set and cleared in
//!   the same history as the status change.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Which Jira the simulator plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    /// Jira Cloud: accountId users, `search/jql` with page tokens, bulk changelogs.
    Cloud,
    /// Jira Data Center: username/key users, `/rest/api/2/search` with `startAt`/`total`.
    Dc,
}

/// The prefix of every marker `--canary` mode puts into issue content: one search for it finds
/// any kind.
pub const CANARY: &str = "ZZCANARY";

/// A kind of issue content `--canary` mode marks, each with a marker of its own
/// (`ZZCANARY` + the kind in capitals), so that a leak names what leaked. Markers are letters
/// only, because a project key can hold nothing else: an issue key is marked by its project
/// key (`PLATZZCANARYKEY-12`), the project's name separately (`Platform ZZCANARYPROJECT`).
/// No marker is a prefix of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canary {
    Key,
    Summary,
    Description,
    Label,
    Component,
    /// The value of the text custom field [`CUSTOMER`].
    TextField,
    /// The option of the select custom field [`TEAM`].
    Option,
    /// Every person's display name: assignee, reporter, creator, changelog and worklog authors.
    Person,
    Status,
    IssueType,
    Priority,
    Resolution,
    Project,
    WorklogComment,
}

impl Canary {
    pub const ALL: [Canary; 14] = [
        Canary::Key,
        Canary::Summary,
        Canary::Description,
        Canary::Label,
        Canary::Component,
        Canary::TextField,
        Canary::Option,
        Canary::Person,
        Canary::Status,
        Canary::IssueType,
        Canary::Priority,
        Canary::Resolution,
        Canary::Project,
        Canary::WorklogComment,
    ];

    /// The marker: [`CANARY`] followed by the kind's name in capitals.
    pub fn marker(self) -> &'static str {
        match self {
            Canary::Key => "ZZCANARYKEY",
            Canary::Summary => "ZZCANARYSUMMARY",
            Canary::Description => "ZZCANARYDESCRIPTION",
            Canary::Label => "ZZCANARYLABEL",
            Canary::Component => "ZZCANARYCOMPONENT",
            Canary::TextField => "ZZCANARYTEXTFIELD",
            Canary::Option => "ZZCANARYOPTION",
            Canary::Person => "ZZCANARYPERSON",
            Canary::Status => "ZZCANARYSTATUS",
            Canary::IssueType => "ZZCANARYISSUETYPE",
            Canary::Priority => "ZZCANARYPRIORITY",
            Canary::Resolution => "ZZCANARYRESOLUTION",
            Canary::Project => "ZZCANARYPROJECT",
            Canary::WorklogComment => "ZZCANARYWORKLOG",
        }
    }
}

/// Jira's four status categories, with their fixed ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    ToDo,
    InProgress,
    Done,
}

impl Category {
    pub fn id(self) -> u32 {
        match self {
            Category::ToDo => 2,
            Category::InProgress => 4,
            Category::Done => 3,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Category::ToDo => "new",
            Category::InProgress => "indeterminate",
            Category::Done => "done",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Category::ToDo => "To Do",
            Category::InProgress => "In Progress",
            Category::Done => "Done",
        }
    }
    pub fn color(self) -> &'static str {
        match self {
            Category::ToDo => "blue-gray",
            Category::InProgress => "yellow",
            Category::Done => "green",
        }
    }
    pub const ALL: [Category; 3] = [Category::ToDo, Category::InProgress, Category::Done];
}

/// The "No Category" category Jira also lists (no status uses it here).
pub const UNDEFINED_CATEGORY: (u32, &str, &str, &str) =
    (1, "undefined", "medium-gray", "No Category");

/// A workflow status.
#[derive(Debug, Clone)]
pub struct Status {
    pub id: u32,
    pub name: String,
    /// The name this status had before [`Site::rename_at`], if it was renamed.
    pub old_name: Option<String>,
    pub category: Category,
    /// Team-managed statuses belong to one project (index into [`Site::projects`]).
    pub project: Option<usize>,
    pub description: &'static str,
}

/// Status indices, for the generator's workflow.
pub mod st {
    pub const TODO: u8 = 0;
    pub const IN_PROGRESS: u8 = 1;
    pub const REVIEW: u8 = 2;
    pub const QA: u8 = 3;
    pub const BLOCKED: u8 = 4;
    pub const DONE: u8 = 5;
    pub const MOB_TODO: u8 = 6;
    pub const MOB_IN_PROGRESS: u8 = 7;
    pub const MOB_DONE: u8 = 8;
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: u32,
    pub key: String,
    pub name: String,
    /// Team-managed ("next-gen") projects have their own statuses.
    pub simplified: bool,
    pub components: [&'static str; 4],
    /// Relative share of the generated issues.
    pub weight: u32,
    /// Users (indices) who work on it.
    pub team: &'static [u8],
    pub lead: u8,
}

#[derive(Debug, Clone)]
pub struct IssueType {
    pub id: u32,
    pub name: String,
    pub description: &'static str,
    pub weight: u32,
}

#[derive(Debug, Clone)]
pub struct Named {
    pub id: u32,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct User {
    pub account_id: String,
    /// Data Center's user name and key.
    pub login: &'static str,
    pub display_name: String,
    pub email: String,
    pub groups: &'static [&'static str],
    /// The zone Jira writes this user's timestamps in (IANA name, as `timeZone` shows it).
    pub time_zone: &'static str,
    pub tz: TimeZone,
}

/// A field of `/rest/api/{2,3}/field`.
#[derive(Debug, Clone)]
pub struct Field {
    pub id: &'static str,
    pub name: &'static str,
    pub custom: bool,
    pub navigable: bool,
    pub orderable: bool,
    pub searchable: bool,
    pub clause_names: &'static [&'static str],
    /// `schema.type`, `schema.items`, `schema.system`/`custom`, `schema.customId`.
    pub schema: Option<(
        &'static str,
        Option<&'static str>,
        &'static str,
        Option<u32>,
    )>,
}

/// The story points custom field (Cloud's "Story point estimate").
pub const STORY_POINTS: &str = "customfield_10016";
/// The rank custom field; its changes are the noise that fills long changelogs.
pub const RANK: &str = "customfield_10019";
/// A text custom field ("Customer"), on canary sites only: the proof's free-text field value.
pub const CUSTOMER: &str = "customfield_10030";
/// A single-select custom field ("Team"), on canary sites only: the proof's option value.
pub const TEAM: &str = "customfield_10031";
/// The options of [`TEAM`], with their ids.
pub const TEAM_OPTIONS: [(u32, &str); 3] = [(10040, "Red"), (10041, "Blue"), (10042, "Green")];
/// Jira Software's "Flagged" field (a checkbox field with the one option "Impediment").
pub const FLAGGED: &str = "customfield_10021";
/// The id of the "Impediment" option of [`FLAGGED`].
pub const IMPEDIMENT_OPTION: u32 = 10019;

pub const LABELS: [&str; 8] = [
    "backend",
    "frontend",
    "tech-debt",
    "customer",
    "security",
    "performance",
    "ux",
    "regression",
];

pub const GROUPS: [&str; 7] = [
    "site-admins",
    "jira-administrators",
    "jira-software-users",
    "team-platform",
    "team-web",
    "team-data",
    "team-mobile",
];

/// The id Cloud gives group `GROUPS[n]` (`groupId`, and a worklog visibility's `identifier`).
pub fn group_id(n: usize) -> String {
    format!("5eed{n:04}-0000-4000-8000-{:012x}", n + 1)
}

#[derive(Debug, Clone)]
pub struct Site {
    pub statuses: Vec<Status>,
    pub projects: Vec<Project>,
    pub issue_types: Vec<IssueType>,
    pub priorities: Vec<Named>,
    pub resolutions: Vec<Named>,
    pub users: Vec<User>,
    pub fields: Vec<Field>,
    /// Labels as served (with the canary marker in canary mode).
    pub labels: Vec<String>,
    /// When "Code Review" became "Review".
    pub rename_at: Timestamp,
    /// The site's default time zone: apps' timestamps are written in it.
    pub default_tz: TimeZone,
    pub canary: bool,
}

impl Site {
    /// The catalogue; `rename_at` is when the renamed status got its current name.
    pub fn new(canary: bool, rename_at: Timestamp) -> Site {
        // Names get the marker after a space; keys and labels, which hold no spaces, right
        // after the name.
        let mark = |kind: Canary, s: &str| {
            if canary {
                format!("{s} {}", kind.marker())
            } else {
                s.to_string()
            }
        };
        let glue = |kind: Canary, s: &str| {
            if canary {
                format!("{s}{}", kind.marker())
            } else {
                s.to_string()
            }
        };
        let statuses = vec![
            status(
                10000,
                "To Do",
                None,
                Category::ToDo,
                None,
                "Work that has not started",
            ),
            status(
                3,
                "In Progress",
                None,
                Category::InProgress,
                None,
                "Work under way",
            ),
            status(
                10001,
                "Review",
                Some("Code Review"),
                Category::InProgress,
                None,
                "Waiting for a reviewer",
            ),
            status(
                10002,
                "QA",
                None,
                Category::InProgress,
                None,
                "Being tested",
            ),
            status(
                10003,
                "Blocked",
                None,
                Category::InProgress,
                None,
                "Waiting on something",
            ),
            status(10004, "Done", None, Category::Done, None, "Finished"),
            status(10010, "To Do", None, Category::ToDo, Some(3), ""),
            status(
                10011,
                "In Progress",
                None,
                Category::InProgress,
                Some(3),
                "",
            ),
            status(10012, "Done", None, Category::Done, Some(3), ""),
        ];
        let statuses = statuses
            .into_iter()
            .map(|st| Status {
                name: mark(Canary::Status, &st.name),
                old_name: st.old_name.map(|o| mark(Canary::Status, &o)),
                ..st
            })
            .collect();
        let projects = vec![
            Project {
                id: 10000,
                key: glue(Canary::Key, "PLAT"),
                name: mark(Canary::Project, "Platform"),
                simplified: false,
                components: ["API", "Auth", "Billing", "Infrastructure"],
                weight: 35,
                team: &[1, 2, 9],
                lead: 1,
            },
            Project {
                id: 10001,
                key: glue(Canary::Key, "WEB"),
                name: mark(Canary::Project, "Web App"),
                simplified: false,
                components: ["Checkout", "Search", "Accounts", "Design System"],
                weight: 30,
                team: &[3, 4, 9],
                lead: 3,
            },
            Project {
                id: 10002,
                key: glue(Canary::Key, "DATA"),
                name: mark(Canary::Project, "Data Pipeline"),
                simplified: false,
                components: ["Ingest", "Warehouse", "Reports", "Scheduler"],
                weight: 20,
                team: &[5, 6, 2],
                lead: 5,
            },
            Project {
                id: 10003,
                key: glue(Canary::Key, "MOB"),
                name: mark(Canary::Project, "Mobile"),
                simplified: true,
                components: ["iOS", "Android", "Push", "Offline"],
                weight: 15,
                team: &[7, 8, 4],
                lead: 7,
            },
        ];
        let issue_types = vec![
            IssueType {
                id: 10001,
                name: mark(Canary::IssueType, "Story"),
                description: "Functionality or a feature expressed as a user goal.",
                weight: 50,
            },
            IssueType {
                id: 10002,
                name: mark(Canary::IssueType, "Task"),
                description: "A small, distinct piece of work.",
                weight: 30,
            },
            IssueType {
                id: 10003,
                name: mark(Canary::IssueType, "Bug"),
                description: "A problem or error.",
                weight: 20,
            },
        ];
        let priorities = ["Highest", "High", "Medium", "Low", "Lowest"]
            .iter()
            .zip(1..)
            .map(|(name, id)| Named {
                id,
                name: mark(Canary::Priority, name),
            })
            .collect();
        let resolutions = vec![
            Named {
                id: 10000,
                name: mark(Canary::Resolution, "Done"),
            },
            Named {
                id: 10001,
                name: mark(Canary::Resolution, "Won't Do"),
            },
            Named {
                id: 10002,
                name: mark(Canary::Resolution, "Duplicate"),
            },
        ];
        // Zones: DST in Europe, the Americas and South Australia, +05:30 and +05:45 without
        // DST, and UTC itself.
        let people: [(&str, &str, &[&str], &str); 10] = [
            (
                "ada",
                "Ada Admin",
                &["site-admins", "jira-administrators", "jira-software-users"],
                "Europe/Berlin",
            ),
            (
                "ben",
                "Ben Builder",
                &["jira-software-users", "team-platform"],
                "Asia/Kolkata",
            ),
            (
                "chloe",
                "Chloe Chen",
                &["jira-software-users", "team-platform"],
                "America/New_York",
            ),
            (
                "dev",
                "Dev Patel",
                &["jira-software-users", "team-web"],
                "Australia/Adelaide",
            ),
            (
                "eve",
                "Eve Evans",
                &["jira-software-users", "team-web"],
                "UTC",
            ),
            (
                "femi",
                "Femi Okafor",
                &["jira-software-users", "team-data"],
                "Africa/Lagos",
            ),
            (
                "gus",
                "Gus Grant",
                &["jira-software-users", "team-data"],
                "America/Los_Angeles",
            ),
            (
                "hana",
                "Hana Sato",
                &["jira-software-users", "team-mobile"],
                "Asia/Tokyo",
            ),
            (
                "ivan",
                "Ivan Petrov",
                &["jira-software-users", "team-mobile"],
                "Asia/Kathmandu",
            ),
            (
                "jo",
                "Jo Kim",
                &["jira-software-users"],
                "America/Sao_Paulo",
            ),
        ];
        let users = people
            .iter()
            .zip(1u64..)
            .map(|(&(login, name, groups, time_zone), n)| User {
                account_id: format!("5d1e0a{:018x}", 0x5eed_0000_u64 + n),
                login,
                display_name: mark(Canary::Person, name),
                email: format!("{login}@dwell.example"),
                groups,
                time_zone,
                // The bundled tz database has every zone named above; UTC is only a fallback.
                tz: TimeZone::get(time_zone).unwrap_or(TimeZone::UTC),
            })
            .collect();
        Site {
            statuses,
            projects,
            issue_types,
            priorities,
            resolutions,
            users,
            fields: fields(canary),
            labels: LABELS.iter().map(|l| glue(Canary::Label, l)).collect(),
            rename_at,
            default_tz: TimeZone::UTC,
            canary,
        }
    }

    /// The status's name as shown at `at` (old histories keep the old name).
    pub fn status_name_at(&self, status: u8, at_ms: i64) -> &str {
        let s = &self.statuses[usize::from(status)];
        match &s.old_name {
            Some(old) if at_ms < self.rename_at.as_millisecond() => old,
            _ => &s.name,
        }
    }

    /// The status an issue in status `status` shows on `flavor`: Data Center has no
    /// team-managed projects, so their statuses fold into the company-managed ones of the same
    /// name and category.
    pub fn status_for(&self, status: u8, flavor: Flavor) -> u8 {
        match (flavor, status) {
            (Flavor::Dc, st::MOB_TODO) => st::TODO,
            (Flavor::Dc, st::MOB_IN_PROGRESS) => st::IN_PROGRESS,
            (Flavor::Dc, st::MOB_DONE) => st::DONE,
            _ => status,
        }
    }

    /// Whether `project` is team-managed on `flavor` (never on Data Center).
    pub fn team_managed(&self, project: usize, flavor: Flavor) -> bool {
        flavor == Flavor::Cloud && self.projects[project].simplified
    }

    pub fn user_by_login(&self, login: &str) -> Option<usize> {
        self.users.iter().position(|u| u.login == login)
    }

    pub fn user_by_account(&self, account_id: &str) -> Option<usize> {
        self.users.iter().position(|u| u.account_id == account_id)
    }

    pub fn user_by_email(&self, email: &str) -> Option<usize> {
        self.users
            .iter()
            .position(|u| u.email.eq_ignore_ascii_case(email))
    }

    pub fn component_name(&self, project: u8, component: usize) -> String {
        let name = self.projects[usize::from(project)].components[component];
        if self.canary {
            format!("{name} {}", Canary::Component.marker())
        } else {
            name.to_string()
        }
    }

    /// Component ids are unique across projects: 10000 + 10 * project + index.
    pub fn component_id(project: u8, component: usize) -> u32 {
        10000 + 10 * u32::from(project) + component as u32
    }
}

fn status(
    id: u32,
    name: &'static str,
    old_name: Option<&'static str>,
    category: Category,
    project: Option<usize>,
    description: &'static str,
) -> Status {
    Status {
        id,
        name: name.to_string(),
        old_name: old_name.map(str::to_string),
        category,
        project,
        description,
    }
}

fn field(
    id: &'static str,
    name: &'static str,
    clause_names: &'static [&'static str],
    schema: Option<(
        &'static str,
        Option<&'static str>,
        &'static str,
        Option<u32>,
    )>,
) -> Field {
    Field {
        id,
        name,
        custom: id.starts_with("customfield_"),
        navigable: true,
        orderable: true,
        searchable: true,
        clause_names,
        schema,
    }
}

/// The fields of the site; a canary site has two more custom fields, [`CUSTOMER`] and [`TEAM`]
/// (an ordinary site keeps the fields, and so the pages, of earlier releases).
fn fields(canary: bool) -> Vec<Field> {
    let mut v = vec![
        field("issuekey", "Key", &["id", "issue", "issuekey", "key"], None),
        field(
            "summary",
            "Summary",
            &["summary"],
            Some(("string", None, "summary", None)),
        ),
        field(
            "description",
            "Description",
            &["description"],
            Some(("string", None, "description", None)),
        ),
        field(
            "project",
            "Project",
            &["project"],
            Some(("project", None, "project", None)),
        ),
        field(
            "issuetype",
            "Issue Type",
            &["issuetype", "type"],
            Some(("issuetype", None, "issuetype", None)),
        ),
        field(
            "status",
            "Status",
            &["status"],
            Some(("status", None, "status", None)),
        ),
        field(
            "priority",
            "Priority",
            &["priority"],
            Some(("priority", None, "priority", None)),
        ),
        field(
            "assignee",
            "Assignee",
            &["assignee"],
            Some(("user", None, "assignee", None)),
        ),
        field(
            "reporter",
            "Reporter",
            &["reporter"],
            Some(("user", None, "reporter", None)),
        ),
        field(
            "creator",
            "Creator",
            &["creator"],
            Some(("user", None, "creator", None)),
        ),
        field(
            "created",
            "Created",
            &["created", "createdDate"],
            Some(("datetime", None, "created", None)),
        ),
        field(
            "updated",
            "Updated",
            &["updated", "updatedDate"],
            Some(("datetime", None, "updated", None)),
        ),
        field(
            "resolutiondate",
            "Resolved",
            &["resolutiondate", "resolved"],
            Some(("datetime", None, "resolutiondate", None)),
        ),
        field(
            "resolution",
            "Resolution",
            &["resolution"],
            Some(("resolution", None, "resolution", None)),
        ),
        field(
            "labels",
            "Labels",
            &["labels"],
            Some(("array", Some("string"), "labels", None)),
        ),
        field(
            "components",
            "Components",
            &["component"],
            Some(("array", Some("component"), "components", None)),
        ),
        field(
            "statuscategorychangedate",
            "Status Category Changed",
            &["statusCategoryChangedDate"],
            Some(("datetime", None, "statuscategorychangedate", None)),
        ),
        field(
            STORY_POINTS,
            "Story point estimate",
            &["cf[10016]", "Story point estimate"],
            Some((
                "number",
                None,
                "com.atlassian.jira.plugin.system.customfieldtypes:float",
                Some(10016),
            )),
        ),
        field(
            RANK,
            "Rank",
            &["cf[10019]", "Rank"],
            Some((
                "any",
                None,
                "com.pyxis.greenhopper.jira:gh-lexo-rank",
                Some(10019),
            )),
        ),
    ];
    v.push(field(
        FLAGGED,
        "Flagged",
        &["cf[10021]", "Flagged", "Flagged[Checkboxes]"],
        Some((
            "array",
            Some("option"),
            "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
            Some(10021),
        )),
    ));
    if canary {
        v.push(field(
            CUSTOMER,
            "Customer",
            &["cf[10030]", "Customer"],
            Some((
                "string",
                None,
                "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
                Some(10030),
            )),
        ));
        v.push(field(
            TEAM,
            "Team",
            &["cf[10031]", "Team"],
            Some((
                "option",
                None,
                "com.atlassian.jira.plugin.system.customfieldtypes:select",
                Some(10031),
            )),
        ));
    }
    // Time tracking is not navigable: `*navigable` leaves it out, `*all` keeps it.
    let mut tt = field(
        "timetracking",
        "Time tracking",
        &["timetracking"],
        Some(("timetracking", None, "timetracking", None)),
    );
    tt.navigable = false;
    tt.orderable = false;
    v.push(tt);
    v
}
