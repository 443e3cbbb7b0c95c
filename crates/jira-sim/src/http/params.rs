//! Request parameters as Jira takes them: repeated query parameters (`fields=a&fields=b`),
//! comma-separated lists, and JSON bodies that may leave anything out.

use percent_encoding::percent_decode_str;

use crate::http::error::JiraError;

/// The decoded query string, in order, repeated names kept.
#[derive(Debug, Clone, Default)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn parse(raw: &str) -> Query {
        let decode = |s: &str| {
            let s = s.replace('+', " ");
            percent_decode_str(&s).decode_utf8_lossy().into_owned()
        };
        Query(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// An integer parameter, with Jira's message when it is not one.
    pub fn int(&self, name: &str) -> Result<Option<i64>, JiraError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                JiraError::bad_request(format!(
                    "The '{name}' parameter must be a number, not '{v}'."
                ))
            }),
        }
    }

    pub fn bool(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// A JSON body, or Jira's message for a body that is not JSON of the expected shape.
pub fn json_body<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, JiraError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        JiraError::bad_request(format!(
            "Invalid request payload. Refer to the REST API documentation and try again. ({e})"
        ))
    })
}

/// A list that Jira accepts as a JSON array or as one comma-separated string.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(untagged)]
pub enum StringList {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl StringList {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            StringList::None => Vec::new(),
            StringList::One(s) => vec![s],
            StringList::Many(v) => v,
        }
    }
}
