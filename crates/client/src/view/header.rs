//! What the page reads of a configuration without parsing it: its name, description, JQL and
//! kind. Configurations travel through the page as JSON text; the worker and the editor
//! module parse them fully (the page would otherwise carry the whole schema's parser, and the
//! date library's, in its first download).

use serde::Deserialize;

/// The parts of a configuration the page shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigHeader {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub jql: String,
    pub kind: KindHeader,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct KindHeader {
    #[serde(rename = "type")]
    pub kind: String,
}

impl ConfigHeader {
    /// Reads the header of a configuration's JSON; `None` when it is not one.
    pub fn read(json: &str) -> Option<ConfigHeader> {
        serde_json::from_str(json).ok()
    }

    /// The kind's label, as the editor names it.
    pub fn kind_label(&self) -> &'static str {
        config::KindTag::from_slug(&self.kind.kind).map_or("Report", |k| k.label())
    }
}

/// A saved report in the server's list, read leniently (dates stay text).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedReport {
    pub id: String,
    pub version: u64,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub updated_at: String,
    #[serde(default)]
    pub can_edit: bool,
}

/// Just a record's id (the answer to a duplicate).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ListedId {
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_read_templates_and_server_lists() {
        for t in super::super::templates::TEMPLATES {
            let h = ConfigHeader::read(t.json).unwrap();
            assert_eq!(h.name, t.title);
            assert_ne!(h.kind_label(), "Report");
        }
        assert_eq!(ConfigHeader::read("{}"), None);
        let list: Vec<ListedReport> = serde_json::from_str(
            r#"[{"id":"rep_1","version":3,"name":"Cycle","description":"","updatedAt":"2026-06-20T15:04:05Z","updatedBy":"5b10","canEdit":true}]"#,
        )
        .unwrap();
        assert_eq!(list[0].id, "rep_1");
        assert!(list[0].can_edit);
    }
}
