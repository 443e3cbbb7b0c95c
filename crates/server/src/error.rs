//! `ApiError`: every way a request fails, rendered as an [`ErrorBody`] with a stable code.
//!
//! Internal errors are logged here with their context and answered with a generic 500; client
//! errors are not logged with their text, because that text may quote the request body. A
//! refused credential (401) and an unreachable Jira (503) are answered with a generic message
//! too, so a caller learns nothing about tokens, tenants or the site's Jira; the reason is
//! logged instead (a fixed phrase for 401s, never a token).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use config::ValidationError;
use config::api::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all.
    #[error("malformed json: {0}")]
    MalformedJson(String),
    /// Well-formed JSON of the wrong shape, or breaking a validation rule.
    #[error("{message}")]
    InvalidBody {
        message: String,
        details: Vec<ValidationError>,
    },
    #[error("request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("the request body did not arrive in time")]
    BodyTimeout,
    #[error("content type must be application/json")]
    UnsupportedMediaType,
    #[error("{0}")]
    BadRequest(String),
    /// Authentication failed. The reason (a fixed phrase, never the token) is logged; the
    /// caller gets a generic message.
    #[error("authentication failed")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The record changed since the caller read it; the body is the current record.
    #[error("version conflict")]
    VersionConflict(serde_json::Value),
    #[error("{0}")]
    InUse(String),
    #[error("{0}")]
    LimitReached(String),
    #[error("the record changed since it was read")]
    PreconditionFailed,
    #[error("this change needs an If-Match header with the version it is based on")]
    PreconditionRequired,
    #[error("too many requests")]
    RateLimited { retry_after_seconds: u64 },
    /// The site's Jira (or the install key service) did not give a usable answer. The detail
    /// is logged; the caller gets a generic message.
    #[error("jira is unavailable, try again shortly")]
    JiraUnavailable(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// The stable machine-readable code of the error body.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidBody { .. } => "invalid_body",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::BodyTimeout => "body_timeout",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::VersionConflict(_) => "conflict",
            ApiError::InUse(_) => "in_use",
            ApiError::LimitReached(_) => "limit_reached",
            ApiError::PreconditionFailed => "precondition_failed",
            ApiError::PreconditionRequired => "precondition_required",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::JiraUnavailable(_) => "jira_unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn invalid(message: impl Into<String>, details: Vec<ValidationError>) -> Self {
        ApiError::InvalidBody {
            message: message.into(),
            details,
        }
    }

    /// One validation problem at `path`.
    pub fn invalid_at(path: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::InvalidBody {
            message: "the body breaks a validation rule".into(),
            details: vec![ValidationError {
                path: path.into(),
                message,
            }],
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidBody { .. } | ApiError::LimitReached(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::VersionConflict(_) | ApiError::InUse(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::JiraUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        match self {
            ApiError::VersionConflict(current) => {
                return response.json(current);
            }
            ApiError::Unauthorized(reason) => {
                tracing::info!(reason, "credential refused");
                response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("JWT")));
            }
            ApiError::RateLimited {
                retry_after_seconds,
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            ApiError::JiraUnavailable(detail) => {
                tracing::warn!(detail = detail.as_str(), "jira unavailable");
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "internal error");
            }
            _ => {}
        }
        let details = match self {
            ApiError::InvalidBody { details, .. } => details.clone(),
            _ => Vec::new(),
        };
        response.json(ErrorBody {
            error: self.code().into(),
            message: self.to_string(),
            details,
        })
    }
}

/// The JSON 404 for unknown routes.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("route"))
}
