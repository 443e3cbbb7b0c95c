//! Jira's error responses: `{"errorMessages": [...], "errors": {}}` with the status Jira uses.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// An error as Jira reports it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status}: {}", messages.join("; "))]
pub struct JiraError {
    pub status: StatusCode,
    pub messages: Vec<String>,
}

impl JiraError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        JiraError {
            status,
            messages: vec![message.into()],
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        JiraError::new(StatusCode::BAD_REQUEST, message)
    }

    /// Nothing when `ok`, else [`JiraError::bad_request`]: how Jira refuses a parameter out of
    /// its bounds.
    pub fn bad_request_unless(ok: bool, message: &str) -> Result<(), Self> {
        if ok {
            Ok(())
        } else {
            Err(JiraError::bad_request(message))
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        JiraError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn issue_not_found() -> Self {
        JiraError::not_found("Issue does not exist or you do not have permission to see it.")
    }

    pub fn unauthorized() -> Self {
        JiraError::new(
            StatusCode::UNAUTHORIZED,
            "Client must be authenticated to access this resource.",
        )
    }
}

impl ResponseError for JiraError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut r = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            r.insert_header(("WWW-Authenticate", "Basic realm=\"protected-area\""));
        }
        r.json(json!({"errorMessages": self.messages, "errors": {}}))
    }
}

pub type ApiResult<T = HttpResponse> = Result<T, JiraError>;
