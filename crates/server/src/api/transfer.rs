//! Export, import and deletion of everything a tenant stored. All three are for tenant admins
//! only ([`Right::Administer`]): an export holds every report, including those restricted to
//! named viewers, and an import or a deletion replaces them, so the manage-permissions right
//! (which cannot see a restricted report) is not enough.
//!
//! An import is the document becoming the tenant's configuration: records it has are created
//! or updated, records it lacks are deleted. The whole document is checked before anything is
//! written, and it is applied in one transaction, so an import happens entirely or not at all.

use std::collections::{HashMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, web};
use config::api::{
    CalendarRecord, ChangeCounts, EXPORT_FORMAT, EXPORT_FORMAT_VERSION, ExportDocument,
    ImportSummary, Permissions, ReportRecord, StatusGroupRecord,
};
use config::{AccountId, ValidationError};
use jiff::Timestamp;
use serde::Deserialize;

use super::{forge_refuses_groups, require};
use crate::auth::Caller;
use crate::body::{parse_body, read_limited};
use crate::error::ApiError;
use crate::rights::{self, Right};
use crate::state::AppState;
use crate::store::{self, MAX_CALENDARS, MAX_REPORTS, MAX_STATUS_GROUPS, Refs, Snapshot, TenantId};

const REFUSAL: &str = "only the site's Dwell admins may export, import or delete its data";

/// `GET /api/v1/export`: everything stored for the tenant, never its secret.
pub async fn export(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    require(&state, &caller, Right::Administer, REFUSAL).await?;
    let tenant = caller.tenant.id;
    let snap = state
        .db
        .run(move |c| Ok(store::snapshot(tenant, c)?))
        .await?;
    let doc = ExportDocument {
        format: EXPORT_FORMAT.into(),
        format_version: EXPORT_FORMAT_VERSION,
        exported_at: Timestamp::now(),
        reports: snap.reports,
        calendars: snap.calendars,
        status_groups: snap.status_groups,
        permissions: snap.permissions,
    };
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"dwell-export.json\"",
        ))
        .json(doc))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
}

/// `POST /api/v1/import[?dryRun=true]`: applies an export document atomically, or with
/// `dryRun` says what it would change and changes nothing.
pub async fn import(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let query = web::Query::<ImportQuery>::from_query(req.query_string())
        .map_err(|_| ApiError::BadRequest("the only query parameter is dryRun=true|false".into()))?
        .into_inner();
    require(&state, &caller, Right::Administer, REFUSAL).await?;
    let body = read_limited(&req, &mut payload, state.settings.import_limit_bytes).await?;
    let doc: ExportDocument = parse_body(&body)?;
    check_document(&doc)?;
    forge_refuses_groups(
        &caller,
        rights::permission_lists("/permissions", &doc.permissions)
            .into_iter()
            .chain(doc.reports.iter().enumerate().flat_map(|(i, r)| {
                rights::access_lists(&format!("/reports/{i}/access"), &r.access)
            })),
    )?;
    let tenant = caller.tenant.id;
    let actor = caller.account.clone();
    let now = Timestamp::now();
    let summary = state
        .db
        .run(move |c| {
            let tx = store::begin_write(c)?;
            let current = store::snapshot(tenant, &tx)?;
            let plan = plan(&current, doc, now, &actor, query.dry_run);
            if !query.dry_run {
                apply(tenant, &tx, &plan, now, &actor)?;
                tx.commit()?;
            }
            Ok(plan.summary)
        })
        .await?;
    if !summary.dry_run {
        tracing::info!(tenant = %tenant, "configuration imported");
    }
    Ok(HttpResponse::Ok().json(summary))
}

/// Refuses documents that could not be applied: duplicate ids, references to calendars or
/// status groups the document does not hold, more records than a tenant may keep.
fn check_document(doc: &ExportDocument) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    let mut push = |path: String, message: &str| {
        problems.push(ValidationError {
            path,
            message: message.into(),
        })
    };
    let mut seen = HashSet::new();
    for (i, r) in doc.reports.iter().enumerate() {
        if !seen.insert(r.id.as_str()) {
            push(format!("reports[{i}].id"), "duplicate id");
        }
    }
    let mut calendars = HashSet::new();
    for (i, c) in doc.calendars.iter().enumerate() {
        if !calendars.insert(c.id.as_str()) {
            push(format!("calendars[{i}].id"), "duplicate id");
        }
    }
    let mut groups = HashSet::new();
    for (i, g) in doc.status_groups.iter().enumerate() {
        if !groups.insert(g.id.as_str()) {
            push(format!("statusGroups[{i}].id"), "duplicate id");
        }
    }
    for (i, r) in doc.reports.iter().enumerate() {
        let refs = Refs::of(&r.config);
        for (path, id) in &refs.calendars {
            if !calendars.contains(id.as_str()) {
                push(
                    format!("reports[{i}].{path}"),
                    "names a calendar the document does not hold",
                );
            }
        }
        for (path, id) in &refs.status_groups {
            if !groups.contains(id.as_str()) {
                push(
                    format!("reports[{i}].{path}"),
                    "names a status group the document does not hold",
                );
            }
        }
    }
    for (field, n, max) in [
        ("reports", doc.reports.len(), MAX_REPORTS),
        ("calendars", doc.calendars.len(), MAX_CALENDARS),
        ("statusGroups", doc.status_groups.len(), MAX_STATUS_GROUPS),
    ] {
        if n > max {
            push(field.into(), &format!("must have at most {max} entries"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "the document cannot be imported",
            problems,
        ))
    }
}

/// What an import writes, and the summary it answers with.
struct Plan {
    reports: Changes<ReportRecord, config::ReportId>,
    calendars: Changes<CalendarRecord, config::CalendarId>,
    status_groups: Changes<StatusGroupRecord, config::StatusGroupId>,
    permissions: Option<(Permissions, u64)>,
    summary: ImportSummary,
}

struct Changes<R, I> {
    put: Vec<R>,
    delete: Vec<I>,
    counts: ChangeCounts,
}

/// Compares stored records with the document's, by id. New records are taken as the document
/// has them but for what `created` sets (so an export imported into an empty site by the one
/// who exported it comes back identical); changed records get the next version, so that
/// editors holding the old one see a conflict.
fn diff<R, I, C>(
    current: &[R],
    incoming: Vec<R>,
    id: impl Fn(&R) -> &I,
    content: impl Fn(&R) -> C,
    created: impl Fn(R) -> R,
    updated: impl Fn(&R, R) -> R,
) -> Changes<R, I>
where
    I: Clone + Eq + std::hash::Hash,
    C: PartialEq,
{
    let by_id: HashMap<&I, &R> = current.iter().map(|r| (id(r), r)).collect();
    let mut counts = ChangeCounts::default();
    let mut put = Vec::new();
    let mut keep = HashSet::new();
    for r in incoming {
        keep.insert(id(&r).clone());
        match by_id.get(id(&r)) {
            None => {
                counts.created += 1;
                put.push(created(r));
            }
            Some(old) if content(old) == content(&r) => counts.unchanged += 1,
            Some(old) => {
                counts.updated += 1;
                put.push(updated(old, r));
            }
        }
    }
    let delete: Vec<I> = current
        .iter()
        .map(&id)
        .filter(|i| !keep.contains(*i))
        .cloned()
        .collect();
    counts.deleted = u32::try_from(delete.len()).unwrap_or(u32::MAX);
    Changes {
        put,
        delete,
        counts,
    }
}

fn plan(
    current: &Snapshot,
    doc: ExportDocument,
    now: Timestamp,
    actor: &AccountId,
    dry_run: bool,
) -> Plan {
    let reports = diff(
        &current.reports,
        doc.reports,
        |r| &r.id,
        |r| (r.config.clone(), r.access.clone()),
        // The document cannot name who wrote a report here: the importer did.
        |new| ReportRecord {
            created_by: actor.clone(),
            updated_by: actor.clone(),
            ..new
        },
        |old, new| ReportRecord {
            version: old.version + 1,
            created_at: old.created_at,
            created_by: old.created_by.clone(),
            updated_at: now,
            updated_by: actor.clone(),
            ..new
        },
    );
    let calendars = diff(
        &current.calendars,
        doc.calendars,
        |c| &c.id,
        |c| c.calendar.clone(),
        |new| new,
        |old, new| CalendarRecord {
            version: old.version + 1,
            created_at: old.created_at,
            updated_at: now,
            ..new
        },
    );
    let status_groups = diff(
        &current.status_groups,
        doc.status_groups,
        |g| &g.id,
        |g| g.group.clone(),
        |new| new,
        |old, new| StatusGroupRecord {
            version: old.version + 1,
            created_at: old.created_at,
            updated_at: now,
            ..new
        },
    );
    let permissions = (doc.permissions != current.permissions)
        .then(|| (doc.permissions, current.permissions_version + 1));
    let summary = ImportSummary {
        dry_run,
        reports: reports.counts.clone(),
        calendars: calendars.counts.clone(),
        status_groups: status_groups.counts.clone(),
        permissions_changed: permissions.is_some(),
    };
    Plan {
        reports,
        calendars,
        status_groups,
        permissions,
        summary,
    }
}

/// Writes a plan inside the caller's transaction, in an order the foreign keys accept:
/// reports that go away first, then calendars and groups, then reports, then what is unused.
fn apply(
    tenant: TenantId,
    conn: &rusqlite::Connection,
    plan: &Plan,
    now: Timestamp,
    actor: &AccountId,
) -> Result<(), ApiError> {
    for id in &plan.reports.delete {
        store::delete_report_row(tenant, conn, id)?;
    }
    for c in &plan.calendars.put {
        store::put_shared_row::<config::WorkCalendar>(tenant, conn, c)?;
    }
    for g in &plan.status_groups.put {
        store::put_shared_row::<config::StatusGroup>(tenant, conn, g)?;
    }
    for r in &plan.reports.put {
        store::put_report_row(tenant, conn, r)?;
    }
    for id in &plan.calendars.delete {
        store::delete_shared_row::<config::WorkCalendar>(tenant, conn, id)?;
    }
    for id in &plan.status_groups.delete {
        store::delete_shared_row::<config::StatusGroup>(tenant, conn, id)?;
    }
    if let Some((p, version)) = &plan.permissions {
        store::put_permissions_row(tenant, conn, p, *version, now, actor)?;
    }
    Ok(())
}

/// `DELETE /api/v1/tenant`: permanent, immediate deletion of all of the tenant's
/// configuration (reports, calendars, status groups, permissions). The installation (client
/// key, base URL, sealed shared secret) stays, so the app keeps working on the site and an
/// export can be imported back; it is deleted when the app is uninstalled and the grace period
/// ends.
pub async fn delete_tenant(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require(&state, &caller, Right::Administer, REFUSAL).await?;
    let tenant = caller.tenant.id;
    let rows = state
        .db
        .run(move |c| Ok(store::delete_tenant_data(tenant, c)?))
        .await?;
    tracing::info!(tenant = %tenant, rows, "tenant data deleted on request");
    Ok(HttpResponse::NoContent().finish())
}
