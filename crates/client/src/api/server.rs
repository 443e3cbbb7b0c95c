//! The metadata server's client: reports, calendars, status groups, permissions, export and
//! import, over `/api/v1` with `Authorization` from an [`Authenticator`].
//!
//! Only configuration crosses this boundary: every body is a `config` type. The server's
//! authentication is pluggable, and so is the client's: Connect's `AP.context.getToken()` today
//! ([`crate::api::connect::ConnectAuth`]), a Data Center or Forge provider later.
//!
//! Reading answers is pure ([`read`], [`read_save`]) and tested natively.

use std::future::Future;

use config::api::{
    CalendarRecord, CalendarUpdate, EffectiveRights, ErrorBody, ImportSummary, NewReport,
    Permissions, ReportRecord, ReportSummary, ReportUpdate, StatusGroupRecord, StatusGroupUpdate,
};
use config::{CalendarId, ReportId, StatusGroup, StatusGroupId, WorkCalendar};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ClientError;
use super::body::Body;
use super::http::{Http, HttpError, HttpRequest, HttpResponse};
use crate::cancel::Cancel;

/// Supplies the `Authorization` header of every server request, or `None` where the platform
/// adds it (Forge's `invokeRemote` carries a Forge Invocation Token the page never sees).
pub trait Authenticator {
    fn authorization(&self) -> impl Future<Output = Result<Option<String>, ClientError>>;
}

/// The result of a versioned write: saved, or refused because someone else saved first.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved<T> {
    Saved(T),
    /// The record as it is now on the server. Nothing was written; the caller still holds its
    /// own version.
    Conflict(T),
}

/// A kind of record the server keeps as one collection with one CRUD (its `api/shared.rs`):
/// work calendars and status groups. Only the path, the document and the update body differ.
pub trait Shared: DeserializeOwned {
    /// The collection's path under `/api/v1`, e.g. `/calendars`.
    const PATH: &'static str;
    /// What is created and saved: the record without its id, version and times.
    type Document: Serialize + Clone;
    type Id: std::fmt::Display;
    /// The body of a save: `document` and the version it was based on.
    fn update(version: u64, document: Self::Document) -> impl Serialize;
    /// The record's id and version.
    fn key(&self) -> (&Self::Id, u64);
}

/// One [`Shared`] impl: the record, its path, document, id and update body (and the update's
/// document field).
macro_rules! shared {
    ($record:ty, $path:literal, $document:ty, $id:ty, $update:ident { $field:ident }) => {
        impl Shared for $record {
            const PATH: &'static str = $path;
            type Document = $document;
            type Id = $id;
            fn update(version: u64, $field: $document) -> impl Serialize {
                $update { version, $field }
            }
            fn key(&self) -> (&$id, u64) {
                (&self.id, self.version)
            }
        }
    };
}

shared!(
    CalendarRecord,
    "/calendars",
    WorkCalendar,
    CalendarId,
    CalendarUpdate { calendar }
);
shared!(
    StatusGroupRecord,
    "/status-groups",
    StatusGroup,
    StatusGroupId,
    StatusGroupUpdate { group }
);

/// A version-stamped document (permissions carry their version in the ETag).
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: u64,
}

/// The metadata server, at `base` (the page's own origin when the server serves the client).
#[derive(Debug, Clone)]
pub struct ServerClient<H, A> {
    base: String,
    http: H,
    auth: A,
}

impl<H: Http, A: Authenticator> ServerClient<H, A> {
    pub fn new(base: impl Into<String>, http: H, auth: A) -> Self {
        ServerClient {
            base: base.into().trim_end_matches('/').to_string(),
            http,
            auth,
        }
    }

    async fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Option<String>,
        if_match: Option<u64>,
    ) -> Result<HttpResponse, ClientError> {
        let mut headers = vec![("Accept", "application/json".to_string())];
        if let Some(authorization) = self.auth.authorization().await? {
            headers.push(("Authorization", authorization));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/json".to_string()));
        }
        if let Some(v) = if_match {
            headers.push(("If-Match", format!("\"{v}\"")));
        }
        let request = HttpRequest {
            method,
            url: format!("{}/api/v1{path}", self.base),
            headers,
            body,
        };
        match self.http.fetch(request, &Cancel::new()).await {
            Ok(r) => Ok(r),
            Err(HttpError::Cancelled) => Err(ClientError::Cancelled),
            Err(HttpError::Network(detail)) => Err(ClientError::Network {
                service: "the Dwell server",
                detail,
            }),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        read(&self.call("GET", path, None, None).await?)
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &'static str,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let json = to_json(body)?;
        read(&self.call(method, path, Some(json), None).await?)
    }

    async fn save<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Saved<T>, ClientError> {
        let json = to_json(body)?;
        read_save(&self.call("PUT", path, Some(json), None).await?)
    }

    async fn delete(&self, path: &str, version: Option<u64>) -> Result<(), ClientError> {
        read_empty(&self.call("DELETE", path, None, version).await?)
    }

    /// A resource's JSON as the server wrote it, for the worker to read (the page does not
    /// parse configurations).
    pub async fn get_text(&self, path: &str) -> Result<String, ClientError> {
        let response = self.call("GET", path, None, None).await?;
        text(response)
    }

    /// A resource read leniently into `T` (only the parts the page shows).
    pub async fn get_as<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.get(path).await
    }

    /// A `POST` without a body, its answer read leniently into `T`.
    pub async fn post_as<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        read(&self.call("POST", path, None, None).await?)
    }

    /// What the caller may do.
    pub async fn me(&self) -> Result<EffectiveRights, ClientError> {
        self.get("/me").await
    }

    pub async fn reports(&self) -> Result<Vec<ReportSummary>, ClientError> {
        self.get("/reports").await
    }

    pub async fn report(&self, id: &ReportId) -> Result<ReportRecord, ClientError> {
        self.get(&format!("/reports/{id}")).await
    }

    pub async fn create_report(&self, report: &NewReport) -> Result<ReportRecord, ClientError> {
        self.send("POST", "/reports", report).await
    }

    /// Saves a report over the version it was based on (`update.version`).
    pub async fn update_report(
        &self,
        id: &ReportId,
        update: &ReportUpdate,
    ) -> Result<Saved<ReportRecord>, ClientError> {
        self.save(&format!("/reports/{id}"), update).await
    }

    pub async fn duplicate_report(&self, id: &ReportId) -> Result<ReportRecord, ClientError> {
        read(
            &self
                .call("POST", &format!("/reports/{id}/duplicate"), None, None)
                .await?,
        )
    }

    pub async fn delete_report(&self, id: &ReportId, version: u64) -> Result<(), ClientError> {
        self.delete(&format!("/reports/{id}"), Some(version)).await
    }

    /// The tenant's records of kind `R` (calendars or status groups).
    pub async fn list_shared<R: Shared>(&self) -> Result<Vec<R>, ClientError> {
        self.get(R::PATH).await
    }

    pub async fn create_shared<R: Shared>(&self, document: &R::Document) -> Result<R, ClientError> {
        self.send("POST", R::PATH, document).await
    }

    /// Saves `document` over the record's `version`; a stale version gets the record as it is.
    pub async fn update_shared<R: Shared>(
        &self,
        id: &R::Id,
        version: u64,
        document: &R::Document,
    ) -> Result<Saved<R>, ClientError> {
        let path = format!("{}/{id}", R::PATH);
        self.save(&path, &R::update(version, document.clone()))
            .await
    }

    pub async fn delete_shared<R: Shared>(
        &self,
        id: &R::Id,
        version: u64,
    ) -> Result<(), ClientError> {
        self.delete(&format!("{}/{id}", R::PATH), Some(version))
            .await
    }

    /// The tenant's grants and their version.
    pub async fn permissions(&self) -> Result<Versioned<Permissions>, ClientError> {
        let response = self.call("GET", "/permissions", None, None).await?;
        let value = read(&response)?;
        Ok(Versioned {
            value,
            version: etag_version(&response)?,
        })
    }

    /// Replaces the grants, if they are still at `version`. Stale: [`ClientError::Stale`].
    pub async fn put_permissions(
        &self,
        permissions: &Permissions,
        version: u64,
    ) -> Result<Versioned<Permissions>, ClientError> {
        let json = to_json(permissions)?;
        let response = self
            .call("PUT", "/permissions", Some(json), Some(version))
            .await?;
        let value = read(&response)?;
        Ok(Versioned {
            value,
            version: etag_version(&response)?,
        })
    }

    /// Everything the tenant stores, as the server wrote it (for a download, byte for byte).
    pub async fn export(&self) -> Result<String, ClientError> {
        let response = self.call("GET", "/export", None, None).await?;
        text(response)
    }

    /// Imports an export document; with `dry_run`, only says what would change.
    pub async fn import(
        &self,
        document: &str,
        dry_run: bool,
    ) -> Result<ImportSummary, ClientError> {
        let path = format!("/import?dryRun={dry_run}");
        read(
            &self
                .call("POST", &path, Some(document.to_string()), None)
                .await?,
        )
    }

    /// Deletes everything stored for the tenant, now and for good.
    pub async fn delete_tenant(&self) -> Result<(), ClientError> {
        self.delete("/tenant", None).await
    }
}

fn to_json<B: Serialize>(body: &B) -> Result<String, ClientError> {
    // Through a `Value`, like every JSON the page writes: one serializer per type.
    serde_json::to_value(body)
        .map(|v| v.to_string())
        .map_err(|e| ClientError::Malformed {
            what: "writing the request",
            detail: e.to_string(),
        })
}

fn etag_version(response: &HttpResponse) -> Result<u64, ClientError> {
    response
        .etag
        .as_deref()
        .map(|e| e.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ClientError::Malformed {
            what: "reading the server's answer",
            detail: "no version (ETag) on the answer".into(),
        })
}

/// Reads a successful JSON answer, or the error it carries.
pub fn read<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, ClientError> {
    if !(200..300).contains(&response.status) {
        return Err(failure(response));
    }
    let bytes = response.body.as_bytes();
    serde_json::from_slice(bytes).map_err(|e| ClientError::Malformed {
        what: "reading the server's answer",
        detail: Body::explain(bytes, &e),
    })
}

/// A successful answer's text, as the server wrote it, or the error it carries.
fn text(response: HttpResponse) -> Result<String, ClientError> {
    if !(200..300).contains(&response.status) {
        return Err(failure(&response));
    }
    response
        .body
        .into_text()
        .map_err(|detail| ClientError::Malformed {
            what: "reading the server's answer",
            detail,
        })
}

/// Reads the answer to a versioned write: 409 carries the current record.
pub fn read_save<T: DeserializeOwned>(response: &HttpResponse) -> Result<Saved<T>, ClientError> {
    if response.status == 409
        && let Ok(current) = serde_json::from_slice::<T>(response.body.as_bytes())
    {
        return Ok(Saved::Conflict(current));
    }
    read(response).map(Saved::Saved)
}

fn read_empty(response: &HttpResponse) -> Result<(), ClientError> {
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(failure(response))
    }
}

/// The error a non-success answer stands for, from its status and `ErrorBody`.
pub fn failure(response: &HttpResponse) -> ClientError {
    let body: Option<ErrorBody> = serde_json::from_slice(response.body.as_bytes()).ok();
    let message = body.as_ref().map(|b| b.message.clone()).unwrap_or_default();
    match response.status {
        401 => ClientError::SessionExpired,
        403 => ClientError::Forbidden { message },
        404 => ClientError::NotFound { message },
        409 | 412 | 428 => ClientError::Stale { message },
        400 | 413 | 415 | 422 => ClientError::Invalid {
            message: if message.is_empty() {
                "the server refused the request".into()
            } else {
                message
            },
            details: body.map(|b| b.details).unwrap_or_default(),
        },
        429 | 503 => ClientError::ServerBusy {
            retry_after_seconds: response
                .retry_after
                .as_deref()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(5),
        },
        status => ClientError::ServerFailed {
            status,
            message: if message.is_empty() {
                "no details".into()
            } else {
                message
            },
        },
    }
}
