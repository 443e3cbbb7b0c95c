//! Work calendars and status groups: the same CRUD for both. Everyone in the tenant may read
//! them (reports need them to run); changing them needs the manage-calendars right. One that a
//! report uses cannot be deleted.

use actix_web::{HttpRequest, HttpResponse, web};
use config::api::{CalendarUpdate, StatusGroupUpdate};
use config::{StatusGroup, Validate, WorkCalendar};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{created, deleted, if_match, new_id, outcome, require, with_etag};
use crate::auth::Caller;
use crate::body::StrictJson;
use crate::error::ApiError;
use crate::rights::Right;
use crate::state::AppState;
use crate::store::{self, Shared};

/// What the HTTP layer needs to know about a shared kind beyond its storage.
pub trait SharedApi: Shared + Validate
where
    Self::Record: Serialize,
{
    type Update: DeserializeOwned + Serialize + Validate + 'static;
    const PREFIX: &'static str;
    const ROUTE: &'static str;
    const NAME: &'static str;
    fn split(update: Self::Update) -> (u64, Self);
}

impl SharedApi for WorkCalendar {
    type Update = CalendarUpdate;
    const PREFIX: &'static str = "cal";
    const ROUTE: &'static str = "calendars";
    const NAME: &'static str = "calendar";
    fn split(u: CalendarUpdate) -> (u64, Self) {
        (u.version, u.calendar)
    }
}

impl SharedApi for StatusGroup {
    type Update = StatusGroupUpdate;
    const PREFIX: &'static str = "sg";
    const ROUTE: &'static str = "status-groups";
    const NAME: &'static str = "status group";
    fn split(u: StatusGroupUpdate) -> (u64, Self) {
        (u.version, u.group)
    }
}

fn parse_id<K: SharedApi>(raw: &str) -> Result<K::Id, ApiError>
where
    K::Record: Serialize,
{
    K::Id::try_from(raw.to_string()).map_err(|_| ApiError::NotFound(K::NAME))
}

const REFUSAL: &str = "you may not manage calendars and status groups";

pub async fn list<K: SharedApi>(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError>
where
    K::Record: Serialize,
{
    let tenant = caller.tenant.id;
    let all = state
        .db
        .run(move |c| Ok(store::list_shared::<K>(tenant, c)?))
        .await?;
    Ok(HttpResponse::Ok().json(all))
}

pub async fn get<K: SharedApi>(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError>
where
    K::Record: Serialize,
{
    let id = parse_id::<K>(&path)?;
    let tenant = caller.tenant.id;
    let found = state
        .db
        .run(move |c| Ok(store::get_shared::<K>(tenant, c, &id)?))
        .await?
        .ok_or(ApiError::NotFound(K::NAME))?;
    let version = K::parts(&found).1;
    Ok(with_etag(HttpResponse::Ok(), version, &found))
}

pub async fn create<K: SharedApi>(
    state: web::Data<AppState>,
    caller: Caller,
    body: StrictJson<K>,
) -> Result<HttpResponse, ApiError>
where
    K::Record: Serialize,
{
    require(&state, &caller, Right::ManageCalendars, REFUSAL).await?;
    let id = K::Id::try_from(new_id(K::PREFIX)?).map_err(anyhow::Error::from)?;
    let now = jiff::Timestamp::now();
    let record = K::record(id, 1, body.0, now, now);
    let tenant = caller.tenant.id;
    let written = state
        .db
        .run(move |c| Ok(store::insert_shared::<K>(tenant, c, &record)?))
        .await?;
    let record = outcome(written, K::NAME)?;
    let (id, version, ..) = K::parts(&record);
    Ok(created(
        format!("/api/v1/{}/{}", K::ROUTE, id.as_ref()),
        version,
        &record,
    ))
}

pub async fn update<K: SharedApi>(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: StrictJson<K::Update>,
) -> Result<HttpResponse, ApiError>
where
    K::Record: Serialize,
{
    let id = parse_id::<K>(&path)?;
    require(&state, &caller, Right::ManageCalendars, REFUSAL).await?;
    let (version, new) = K::split(body.0);
    if if_match(&req)?.is_some_and(|v| v != version) {
        return Err(ApiError::PreconditionFailed);
    }
    let now = jiff::Timestamp::now();
    let tenant = caller.tenant.id;
    let written = state
        .db
        .run(move |c| {
            Ok(store::update_shared::<K>(
                tenant, c, &id, version, new, now,
            )?)
        })
        .await?;
    let record = outcome(written, K::NAME)?;
    let version = K::parts(&record).1;
    Ok(with_etag(HttpResponse::Ok(), version, &record))
}

pub async fn delete<K: SharedApi>(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError>
where
    K::Record: Serialize,
{
    let id = parse_id::<K>(&path)?;
    let expected = if_match(&req)?;
    require(&state, &caller, Right::ManageCalendars, REFUSAL).await?;
    let tenant = caller.tenant.id;
    let written = state
        .db
        .run(move |c| Ok(store::delete_shared::<K>(tenant, c, &id, expected)?))
        .await?;
    deleted(written, K::NAME)
}
