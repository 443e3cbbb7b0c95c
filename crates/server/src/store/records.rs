//! A tenant's configuration: reports, calendars, status groups and permissions.
//!
//! Every function takes the tenant first and binds it as `?1`. Writes that depend on what is
//! stored (versions, references, limits) check and write in one immediate transaction, so two
//! concurrent edits cannot both succeed against the same version.

use config::api::{CalendarRecord, Permissions, ReportAccess, ReportRecord, StatusGroupRecord};
use config::{
    AccountId, CalendarId, CalendarRef, ColumnSpec, ReportConfig, ReportId, StatusGroup,
    StatusGroupId, WorkCalendar,
};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{TenantId, from_millis, millis};

/// The most records of each kind one tenant may store.
pub const MAX_REPORTS: usize = 5000;
pub const MAX_CALENDARS: usize = 500;
pub const MAX_STATUS_GROUPS: usize = 500;

/// What a write did, or why it did nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome<T> {
    Done(T),
    NotFound,
    /// The stored version differs from the one the write was based on; here is the current
    /// record.
    Conflict(T),
    /// The record names a calendar or status group the tenant does not have.
    UnknownReference {
        path: String,
        message: String,
    },
    LimitReached(String),
    /// Reports still use the record.
    InUse(Vec<ReportId>),
}

/// The saved calendars and status groups a report uses, each with the JSON path that names it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refs {
    pub calendars: Vec<(String, CalendarId)>,
    pub status_groups: Vec<(String, StatusGroupId)>,
}

impl Refs {
    /// The references of `config`, with paths relative to a body holding it under `config`.
    pub fn of(config: &ReportConfig) -> Refs {
        let mut refs = Refs::default();
        if let CalendarRef::Saved { id } = &config.calendar {
            refs.calendars
                .push(("config.calendar.id".into(), id.clone()));
        }
        for (i, m) in config.columns.metrics.iter().enumerate() {
            if let ColumnSpec::Group { group } = m {
                refs.status_groups
                    .push((format!("config.columns.metrics[{i}].group"), group.clone()));
            }
        }
        refs
    }
}

fn json<T: Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn parse<T: DeserializeOwned>(row: &Row, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn id_of<T: TryFrom<String>>(row: &Row, idx: usize) -> rusqlite::Result<T>
where
    T::Error: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    T::try_from(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn version(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn sql_version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------------
// Reports

const REPORT_COLUMNS: &str =
    "id, version, config, access, created_at, updated_at, created_by, updated_by";

fn report_row(r: &Row) -> rusqlite::Result<ReportRecord> {
    Ok(ReportRecord {
        id: id_of(r, 0)?,
        version: version(r.get(1)?),
        config: parse(r, 2)?,
        access: parse(r, 3)?,
        created_at: from_millis(r.get(4)?)?,
        updated_at: from_millis(r.get(5)?)?,
        created_by: id_of(r, 6)?,
        updated_by: id_of(r, 7)?,
    })
}

/// Every report of the tenant, by id. Who may see which is decided by the caller.
pub fn reports(tenant: TenantId, conn: &Connection) -> rusqlite::Result<Vec<ReportRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE tenant_id = ?1 ORDER BY id"
    ))?;
    stmt.query_map([tenant.0], report_row)?.collect()
}

pub fn report(
    tenant: TenantId,
    conn: &Connection,
    id: &ReportId,
) -> rusqlite::Result<Option<ReportRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE tenant_id = ?1 AND id = ?2"
    ))?;
    stmt.query_row(params![tenant.0, id.as_str()], report_row)
        .optional()
}

/// Checks that every reference exists for the tenant; the first missing one is the answer.
fn check_refs(
    tenant: TenantId,
    conn: &Connection,
    refs: &Refs,
) -> rusqlite::Result<Option<WriteOutcome<()>>> {
    for (path, id) in &refs.calendars {
        if !exists(tenant, conn, "calendars", id.as_str())? {
            return Ok(Some(WriteOutcome::UnknownReference {
                path: path.clone(),
                message: format!("no saved calendar {id}"),
            }));
        }
    }
    for (path, id) in &refs.status_groups {
        if !exists(tenant, conn, "status_groups", id.as_str())? {
            return Ok(Some(WriteOutcome::UnknownReference {
                path: path.clone(),
                message: format!("no saved status group {id}"),
            }));
        }
    }
    Ok(None)
}

fn exists(
    tenant: TenantId,
    conn: &Connection,
    table: &'static str,
    id: &str,
) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT 1 FROM {table} WHERE tenant_id = ?1 AND id = ?2"
    ))?;
    stmt.exists(params![tenant.0, id])
}

fn count(tenant: TenantId, conn: &Connection, table: &'static str) -> rusqlite::Result<usize> {
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM {table} WHERE tenant_id = ?1"),
        [tenant.0],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Writes a report row and its reference rows (insert or replace), without any checks.
pub fn put_report_row(
    tenant: TenantId,
    conn: &Connection,
    r: &ReportRecord,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO reports (tenant_id, id, version, config, access, created_at, updated_at,
                              created_by, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
            version = excluded.version, config = excluded.config, access = excluded.access,
            created_at = excluded.created_at, updated_at = excluded.updated_at,
            created_by = excluded.created_by, updated_by = excluded.updated_by",
    )?
    .execute(params![
        tenant.0,
        r.id.as_str(),
        sql_version(r.version),
        json(&r.config)?,
        json(&r.access)?,
        millis(r.created_at),
        millis(r.updated_at),
        r.created_by.as_str(),
        r.updated_by.as_str(),
    ])?;
    let refs = Refs::of(&r.config);
    conn.prepare_cached("DELETE FROM report_calendars WHERE tenant_id = ?1 AND report_id = ?2")?
        .execute(params![tenant.0, r.id.as_str()])?;
    conn.prepare_cached(
        "DELETE FROM report_status_groups WHERE tenant_id = ?1 AND report_id = ?2",
    )?
    .execute(params![tenant.0, r.id.as_str()])?;
    for (_, c) in &refs.calendars {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO report_calendars (tenant_id, report_id, calendar_id)
             VALUES (?1, ?2, ?3)",
        )?
        .execute(params![tenant.0, r.id.as_str(), c.as_str()])?;
    }
    for (_, g) in &refs.status_groups {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO report_status_groups (tenant_id, report_id, status_group_id)
             VALUES (?1, ?2, ?3)",
        )?
        .execute(params![tenant.0, r.id.as_str(), g.as_str()])?;
    }
    Ok(())
}

/// Stores a new report, after checking its references and the tenant's report limit.
pub fn insert_report(
    tenant: TenantId,
    conn: &mut Connection,
    record: &ReportRecord,
) -> rusqlite::Result<WriteOutcome<ReportRecord>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if count(tenant, &tx, "reports")? >= MAX_REPORTS {
        return Ok(WriteOutcome::LimitReached(format!(
            "a site may keep at most {MAX_REPORTS} reports"
        )));
    }
    if let Some(refused) = check_refs(tenant, &tx, &Refs::of(&record.config))? {
        return Ok(cast(refused));
    }
    put_report_row(tenant, &tx, record)?;
    tx.commit()?;
    Ok(WriteOutcome::Done(record.clone()))
}

/// Replaces a report's configuration and access if it is still at `expected_version`.
#[allow(clippy::too_many_arguments)]
pub fn update_report(
    tenant: TenantId,
    conn: &mut Connection,
    id: &ReportId,
    expected_version: u64,
    config: ReportConfig,
    access: ReportAccess,
    now: Timestamp,
    actor: &AccountId,
) -> rusqlite::Result<WriteOutcome<ReportRecord>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(current) = report(tenant, &tx, id)? else {
        return Ok(WriteOutcome::NotFound);
    };
    if current.version != expected_version {
        return Ok(WriteOutcome::Conflict(current));
    }
    if let Some(refused) = check_refs(tenant, &tx, &Refs::of(&config))? {
        return Ok(cast(refused));
    }
    let updated = ReportRecord {
        version: current.version + 1,
        config,
        access,
        updated_at: now,
        updated_by: actor.clone(),
        ..current
    };
    put_report_row(tenant, &tx, &updated)?;
    tx.commit()?;
    Ok(WriteOutcome::Done(updated))
}

/// Deletes a report, if it is still at `expected_version` when one is given.
pub fn delete_report(
    tenant: TenantId,
    conn: &mut Connection,
    id: &ReportId,
    expected_version: Option<u64>,
) -> rusqlite::Result<WriteOutcome<()>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(current) = report(tenant, &tx, id)? else {
        return Ok(WriteOutcome::NotFound);
    };
    if expected_version.is_some_and(|v| v != current.version) {
        return Ok(WriteOutcome::Conflict(()));
    }
    delete_report_row(tenant, &tx, id)?;
    tx.commit()?;
    Ok(WriteOutcome::Done(()))
}

pub fn delete_report_row(
    tenant: TenantId,
    conn: &Connection,
    id: &ReportId,
) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM reports WHERE tenant_id = ?1 AND id = ?2")?
        .execute(params![tenant.0, id.as_str()])?;
    Ok(())
}

fn cast<T>(w: WriteOutcome<()>) -> WriteOutcome<T> {
    match w {
        WriteOutcome::UnknownReference { path, message } => {
            WriteOutcome::UnknownReference { path, message }
        }
        WriteOutcome::LimitReached(m) => WriteOutcome::LimitReached(m),
        WriteOutcome::InUse(ids) => WriteOutcome::InUse(ids),
        WriteOutcome::NotFound | WriteOutcome::Done(()) | WriteOutcome::Conflict(()) => {
            WriteOutcome::NotFound
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Calendars and status groups: the same shape, in two tables.

/// A tenant-wide record that reports refer to by id.
pub trait Shared: Serialize + DeserializeOwned + Clone + PartialEq + Send + 'static {
    type Id: AsRef<str> + TryFrom<String, Error = config::IdError> + Clone + Send;
    type Record: Clone + Send + 'static;
    const TABLE: &'static str;
    const BODY: &'static str;
    const REF_TABLE: &'static str;
    const REF_COLUMN: &'static str;
    const LIMIT: usize;
    const WHAT: &'static str;
    fn record(
        id: Self::Id,
        version: u64,
        body: Self,
        created: Timestamp,
        updated: Timestamp,
    ) -> Self::Record;
    fn parts(record: &Self::Record) -> (&Self::Id, u64, &Self, Timestamp, Timestamp);
}

impl Shared for WorkCalendar {
    type Id = CalendarId;
    type Record = CalendarRecord;
    const TABLE: &'static str = "calendars";
    const BODY: &'static str = "calendar";
    const REF_TABLE: &'static str = "report_calendars";
    const REF_COLUMN: &'static str = "calendar_id";
    const LIMIT: usize = MAX_CALENDARS;
    const WHAT: &'static str = "calendars";
    fn record(
        id: CalendarId,
        version: u64,
        calendar: Self,
        created_at: Timestamp,
        updated_at: Timestamp,
    ) -> CalendarRecord {
        CalendarRecord {
            id,
            version,
            calendar,
            created_at,
            updated_at,
        }
    }
    fn parts(r: &CalendarRecord) -> (&CalendarId, u64, &Self, Timestamp, Timestamp) {
        (&r.id, r.version, &r.calendar, r.created_at, r.updated_at)
    }
}

impl Shared for StatusGroup {
    type Id = StatusGroupId;
    type Record = StatusGroupRecord;
    const TABLE: &'static str = "status_groups";
    const BODY: &'static str = "status_group";
    const REF_TABLE: &'static str = "report_status_groups";
    const REF_COLUMN: &'static str = "status_group_id";
    const LIMIT: usize = MAX_STATUS_GROUPS;
    const WHAT: &'static str = "status groups";
    fn record(
        id: StatusGroupId,
        version: u64,
        group: Self,
        created_at: Timestamp,
        updated_at: Timestamp,
    ) -> StatusGroupRecord {
        StatusGroupRecord {
            id,
            version,
            group,
            created_at,
            updated_at,
        }
    }
    fn parts(r: &StatusGroupRecord) -> (&StatusGroupId, u64, &Self, Timestamp, Timestamp) {
        (&r.id, r.version, &r.group, r.created_at, r.updated_at)
    }
}

fn shared_row<K: Shared>(r: &Row) -> rusqlite::Result<K::Record> {
    Ok(K::record(
        id_of(r, 0)?,
        version(r.get(1)?),
        parse(r, 2)?,
        from_millis(r.get(3)?)?,
        from_millis(r.get(4)?)?,
    ))
}

pub fn list_shared<K: Shared>(
    tenant: TenantId,
    conn: &Connection,
) -> rusqlite::Result<Vec<K::Record>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, version, {}, created_at, updated_at FROM {} WHERE tenant_id = ?1 ORDER BY id",
        K::BODY,
        K::TABLE
    ))?;
    stmt.query_map([tenant.0], shared_row::<K>)?.collect()
}

pub fn get_shared<K: Shared>(
    tenant: TenantId,
    conn: &Connection,
    id: &K::Id,
) -> rusqlite::Result<Option<K::Record>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, version, {}, created_at, updated_at FROM {} WHERE tenant_id = ?1 AND id = ?2",
        K::BODY,
        K::TABLE
    ))?;
    stmt.query_row(params![tenant.0, id.as_ref()], shared_row::<K>)
        .optional()
}

/// Writes a row (insert or replace) without checks.
pub fn put_shared_row<K: Shared>(
    tenant: TenantId,
    conn: &Connection,
    record: &K::Record,
) -> rusqlite::Result<()> {
    let (id, version, body, created, updated) = K::parts(record);
    conn.prepare_cached(&format!(
        "INSERT INTO {table} (tenant_id, id, version, {body}, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
            version = excluded.version, {body} = excluded.{body},
            created_at = excluded.created_at, updated_at = excluded.updated_at",
        table = K::TABLE,
        body = K::BODY,
    ))?
    .execute(params![
        tenant.0,
        id.as_ref(),
        sql_version(version),
        json(body)?,
        millis(created),
        millis(updated)
    ])?;
    Ok(())
}

pub fn insert_shared<K: Shared>(
    tenant: TenantId,
    conn: &mut Connection,
    record: &K::Record,
) -> rusqlite::Result<WriteOutcome<K::Record>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if count(tenant, &tx, K::TABLE)? >= K::LIMIT {
        return Ok(WriteOutcome::LimitReached(format!(
            "a site may keep at most {} {}",
            K::LIMIT,
            K::WHAT
        )));
    }
    put_shared_row::<K>(tenant, &tx, record)?;
    tx.commit()?;
    Ok(WriteOutcome::Done(record.clone()))
}

pub fn update_shared<K: Shared>(
    tenant: TenantId,
    conn: &mut Connection,
    id: &K::Id,
    expected_version: u64,
    body: K,
    now: Timestamp,
) -> rusqlite::Result<WriteOutcome<K::Record>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(current) = get_shared::<K>(tenant, &tx, id)? else {
        return Ok(WriteOutcome::NotFound);
    };
    let (_, version, _, created, _) = K::parts(&current);
    if version != expected_version {
        return Ok(WriteOutcome::Conflict(current));
    }
    let updated = K::record(id.clone(), version + 1, body, created, now);
    put_shared_row::<K>(tenant, &tx, &updated)?;
    tx.commit()?;
    Ok(WriteOutcome::Done(updated))
}

/// The reports that use a calendar or status group.
pub fn users_of<K: Shared>(
    tenant: TenantId,
    conn: &Connection,
    id: &K::Id,
) -> rusqlite::Result<Vec<ReportId>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT report_id FROM {} WHERE tenant_id = ?1 AND {} = ?2 ORDER BY report_id",
        K::REF_TABLE,
        K::REF_COLUMN
    ))?;
    stmt.query_map(params![tenant.0, id.as_ref()], |r| id_of(r, 0))?
        .collect()
}

/// Deletes a calendar or status group unless a report uses it.
pub fn delete_shared<K: Shared>(
    tenant: TenantId,
    conn: &mut Connection,
    id: &K::Id,
    expected_version: Option<u64>,
) -> rusqlite::Result<WriteOutcome<()>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(current) = get_shared::<K>(tenant, &tx, id)? else {
        return Ok(WriteOutcome::NotFound);
    };
    if expected_version.is_some_and(|v| v != K::parts(&current).1) {
        return Ok(WriteOutcome::Conflict(()));
    }
    let users = users_of::<K>(tenant, &tx, id)?;
    if !users.is_empty() {
        return Ok(WriteOutcome::InUse(users));
    }
    delete_shared_row::<K>(tenant, &tx, id)?;
    tx.commit()?;
    Ok(WriteOutcome::Done(()))
}

pub fn delete_shared_row<K: Shared>(
    tenant: TenantId,
    conn: &Connection,
    id: &K::Id,
) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "DELETE FROM {} WHERE tenant_id = ?1 AND id = ?2",
        K::TABLE
    ))?
    .execute(params![tenant.0, id.as_ref()])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Permissions

/// The tenant's grants and their version (0 when never set: nothing granted).
pub fn permissions(tenant: TenantId, conn: &Connection) -> rusqlite::Result<(Permissions, u64)> {
    let mut stmt =
        conn.prepare_cached("SELECT permissions, version FROM permissions WHERE tenant_id = ?1")?;
    let found = stmt
        .query_row([tenant.0], |r| Ok((parse(r, 0)?, version(r.get(1)?))))
        .optional()?;
    Ok(found.unwrap_or_default())
}

/// Replaces the grants if they are still at `expected_version`.
pub fn put_permissions(
    tenant: TenantId,
    conn: &mut Connection,
    new: &Permissions,
    expected_version: u64,
    now: Timestamp,
    actor: &AccountId,
) -> rusqlite::Result<WriteOutcome<(Permissions, u64)>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = permissions(tenant, &tx)?;
    if current.1 != expected_version {
        return Ok(WriteOutcome::Conflict(current));
    }
    let version = current.1 + 1;
    put_permissions_row(tenant, &tx, new, version, now, actor)?;
    tx.commit()?;
    Ok(WriteOutcome::Done((new.clone(), version)))
}

pub fn put_permissions_row(
    tenant: TenantId,
    conn: &Connection,
    permissions: &Permissions,
    version: u64,
    now: Timestamp,
    actor: &AccountId,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO permissions (tenant_id, version, permissions, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (tenant_id) DO UPDATE SET
            version = excluded.version, permissions = excluded.permissions,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )?
    .execute(params![
        tenant.0,
        sql_version(version),
        json(permissions)?,
        millis(now),
        actor.as_str()
    ])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Everything at once

/// Everything stored for a tenant's configuration.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub reports: Vec<ReportRecord>,
    pub calendars: Vec<CalendarRecord>,
    pub status_groups: Vec<StatusGroupRecord>,
    pub permissions: Permissions,
    pub permissions_version: u64,
}

/// Reads everything in one transaction (the caller's, or its own), so the snapshot is
/// consistent.
pub fn snapshot(tenant: TenantId, conn: &Connection) -> rusqlite::Result<Snapshot> {
    if !conn.is_autocommit() {
        return read_snapshot(tenant, conn);
    }
    let tx = conn.unchecked_transaction()?;
    let snap = read_snapshot(tenant, &tx)?;
    tx.commit()?;
    Ok(snap)
}

fn read_snapshot(tenant: TenantId, conn: &Connection) -> rusqlite::Result<Snapshot> {
    let (permissions, permissions_version) = permissions(tenant, conn)?;
    Ok(Snapshot {
        reports: reports(tenant, conn)?,
        calendars: list_shared::<WorkCalendar>(tenant, conn)?,
        status_groups: list_shared::<StatusGroup>(tenant, conn)?,
        permissions,
        permissions_version,
    })
}

/// Opens an immediate (write-locked) transaction for a multi-step change such as an import.
pub fn begin_write(conn: &mut Connection) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}
