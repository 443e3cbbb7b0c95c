//! The OpenAPI 3.1 document served at `/api/openapi.json`.
//!
//! Assembled by hand from the JSON Schemas that crates/config derives with schemars (JSON
//! Schema 2020-12, which OpenAPI 3.1 takes as is). The bodies already have one schema source,
//! the config types; a second derive system (utoipa) would have to mirror every config type and
//! could drift from what `parse_strict` accepts.

use actix_web::{HttpResponse, web};
use config::api::{
    CalendarRecord, CalendarUpdate, EffectiveRights, ErrorBody, ExportDocument, ImportSummary,
    NewReport, Permissions, ReportRecord, ReportSummary, ReportUpdate, StatusGroupRecord,
    StatusGroupUpdate,
};
use config::{StatusGroup, WorkCalendar};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Value, json};

/// The document, built once at start ([`document`]) and registered as app data of its own.
pub struct Document(pub Value);

/// `GET /api/openapi.json`.
pub async fn serve(document: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok().json(&document.0)
}

struct Op {
    method: &'static str,
    path: String,
    summary: String,
    request: Option<Value>,
    ok: (&'static str, Option<Value>),
    errors: &'static [&'static str],
    params: &'static [(&'static str, &'static str)],
}

/// Builds the document; `base_url` is the server URL it names.
pub fn document(base_url: &str) -> Value {
    let mut generator: SchemaGenerator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let schema = |v: schemars::Schema| v.to_value();
    let report = schema(generator.subschema_for::<ReportRecord>());
    let reports =
        json!({"type": "array", "items": schema(generator.subschema_for::<ReportSummary>())});
    let new_report = schema(generator.subschema_for::<NewReport>());
    let report_update = schema(generator.subschema_for::<ReportUpdate>());
    let calendar = schema(generator.subschema_for::<WorkCalendar>());
    let calendar_record = schema(generator.subschema_for::<CalendarRecord>());
    let calendar_update = schema(generator.subschema_for::<CalendarUpdate>());
    let group = schema(generator.subschema_for::<StatusGroup>());
    let group_record = schema(generator.subschema_for::<StatusGroupRecord>());
    let group_update = schema(generator.subschema_for::<StatusGroupUpdate>());
    let permissions = schema(generator.subschema_for::<Permissions>());
    let rights = schema(generator.subschema_for::<EffectiveRights>());
    let export = schema(generator.subschema_for::<ExportDocument>());
    let summary = schema(generator.subschema_for::<ImportSummary>());
    let error = schema(generator.subschema_for::<ErrorBody>());
    let id = &[("id", "path")][..];
    let mut ops = vec![
        Op {
            method: "get",
            path: "/api/v1/me".into(),
            summary: "The caller's effective rights".into(),
            request: None,
            ok: ("200", Some(rights)),
            errors: &["401", "429", "503"],
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/reports".into(),
            summary: "Reports the caller may see".into(),
            request: None,
            ok: ("200", Some(reports)),
            errors: &["401", "429", "503"],
            params: &[],
        },
        Op {
            method: "post",
            path: "/api/v1/reports".into(),
            summary: "Create a report (edit-reports right)".into(),
            request: Some(new_report),
            ok: ("201", Some(report.clone())),
            errors: &["400", "401", "403", "413", "415", "422", "429"],
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/reports/{id}".into(),
            summary: "One report; ETag is its version".into(),
            request: None,
            ok: ("200", Some(report.clone())),
            errors: &["401", "404", "429"],
            params: id,
        },
        Op {
            method: "put",
            path: "/api/v1/reports/{id}".into(),
            summary: "Replace a report; 409 with the current record when `version` is stale".into(),
            request: Some(report_update),
            ok: ("200", Some(report.clone())),
            errors: &[
                "400", "401", "403", "404", "409", "412", "413", "415", "422", "429",
            ],
            params: id,
        },
        Op {
            method: "delete",
            path: "/api/v1/reports/{id}".into(),
            summary: "Delete a report; optional If-Match".into(),
            request: None,
            ok: ("204", None),
            errors: &["401", "403", "404", "412", "429"],
            params: id,
        },
        Op {
            method: "post",
            path: "/api/v1/reports/{id}/duplicate".into(),
            summary: "Copy a report".into(),
            request: None,
            ok: ("201", Some(report)),
            errors: &["401", "403", "404", "422", "429"],
            params: id,
        },
        Op {
            method: "get",
            path: "/api/v1/permissions".into(),
            summary: "The tenant's grants (manage-permissions right); ETag is their version".into(),
            request: None,
            ok: ("200", Some(permissions.clone())),
            errors: &["401", "403", "429"],
            params: &[],
        },
        Op {
            method: "put",
            path: "/api/v1/permissions".into(),
            summary: "Replace the grants; If-Match required".into(),
            request: Some(permissions.clone()),
            ok: ("200", Some(permissions)),
            errors: &[
                "400", "401", "403", "412", "413", "415", "422", "428", "429",
            ],
            params: &[],
        },
        Op {
            method: "get",
            path: "/api/v1/export".into(),
            summary: "Everything stored for the tenant (manage-permissions right)".into(),
            request: None,
            ok: ("200", Some(export.clone())),
            errors: &["401", "403", "429"],
            params: &[],
        },
        Op {
            method: "post",
            path: "/api/v1/import".into(),
            summary: "Make an export document the tenant's configuration, atomically; dryRun only reports".into(),
            request: Some(export),
            ok: ("200", Some(summary)),
            errors: &["400", "401", "403", "413", "415", "422", "429"],
            params: &[("dryRun", "query")],
        },
        Op {
            method: "delete",
            path: "/api/v1/tenant".into(),
            summary: "Delete all of the tenant's configuration (reports, calendars, status groups, permissions), now and for good; the installation stays until uninstall".into(),
            request: None,
            ok: ("204", None),
            errors: &["401", "403", "429"],
            params: &[],
        },
    ];
    ops.extend(admin_list_ops(
        "calendars",
        "calendar",
        calendar,
        calendar_record,
        calendar_update,
    ));
    ops.extend(admin_list_ops(
        "status-groups",
        "status group",
        group,
        group_record,
        group_update,
    ));
    let mut paths = serde_json::Map::new();
    for op in ops {
        let mut responses = serde_json::Map::new();
        let mut ok = json!({"description": "success"});
        if let Some(body) = op.ok.1 {
            ok["content"] = json!({"application/json": {"schema": body}});
        }
        responses.insert(op.ok.0.into(), ok);
        for code in op.errors {
            let content = if *code == "409" {
                json!({"application/json": {"schema": {"description": "the current record, or an error body for `in_use`"}}})
            } else {
                json!({"application/json": {"schema": error.clone()}})
            };
            responses.insert(
                (*code).into(),
                json!({"description": description(code), "content": content}),
            );
        }
        let mut operation = json!({
            "summary": op.summary,
            "security": [{"connectJwt": []}, {"forgeInvocationToken": []}],
            "responses": responses,
        });
        if let Some(body) = op.request {
            operation["requestBody"] = json!({
                "required": true,
                "content": {"application/json": {"schema": body}}
            });
        }
        if !op.params.is_empty() {
            operation["parameters"] = op
                .params
                .iter()
                .map(|(name, place)| {
                    let schema = if *place == "query" { json!({"type": "boolean"}) } else { json!({"type": "string"}) };
                    json!({"name": name, "in": place, "required": *place == "path", "schema": schema})
                })
                .collect();
        }
        let entry = paths.entry(op.path).or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Dwell metadata API",
            "version": "1",
            "description": "Report configuration for Dwell. Every /api/v1 call carries `Authorization: JWT <token>`: an Atlassian Connect HS256 token signed with the site's shared secret (a context token from AP.context.getToken() is accepted), or, when the server is a Forge app's remote, `Authorization: Bearer <FIT>`: a Forge Invocation Token as invokeRemote sends it. The server never receives issue data."
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "schemas": generator.take_definitions(true),
            "securitySchemes": {
                "connectJwt": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`JWT <token>`"
                },
                "forgeInvocationToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "`Bearer <FIT>`: a Forge Invocation Token (RS256, Forge's JWKS), with --forge-app-id"
                }
            }
        }
    })
}

/// The five operations of an admin list (calendars, status groups): list, create, read,
/// replace, delete. Both lists share the manage-calendars right, versions and the
/// in-use rule, so their documentation differs only in names and schemas.
fn admin_list_ops(
    collection: &str,
    thing: &str,
    new: Value,
    record: Value,
    update: Value,
) -> Vec<Op> {
    let path = format!("/api/v1/{collection}");
    let one = format!("{path}/{{id}}");
    let id = &[("id", "path")][..];
    vec![
        Op {
            method: "get",
            path: path.clone(),
            summary: format!("Saved {}", collection.replace('-', " ")),
            request: None,
            ok: (
                "200",
                Some(json!({"type": "array", "items": record.clone()})),
            ),
            errors: &["401", "429"],
            params: &[],
        },
        Op {
            method: "post",
            path,
            summary: format!("Create a {thing} (manage-calendars right)"),
            request: Some(new),
            ok: ("201", Some(record.clone())),
            errors: &["400", "401", "403", "413", "415", "422", "429"],
            params: &[],
        },
        Op {
            method: "get",
            path: one.clone(),
            summary: format!("One {thing}"),
            request: None,
            ok: ("200", Some(record.clone())),
            errors: &["401", "404", "429"],
            params: id,
        },
        Op {
            method: "put",
            path: one.clone(),
            summary: format!("Replace a {thing}; 409 when `version` is stale"),
            request: Some(update),
            ok: ("200", Some(record)),
            errors: &[
                "400", "401", "403", "404", "409", "413", "415", "422", "429",
            ],
            params: id,
        },
        Op {
            method: "delete",
            path: one,
            summary: format!("Delete a {thing}; 409 while reports use it"),
            request: None,
            ok: ("204", None),
            errors: &["401", "403", "404", "409", "412", "429"],
            params: id,
        },
    ]
}

fn description(code: &str) -> &'static str {
    match code {
        "400" => "malformed JSON or request",
        "401" => "missing or invalid token",
        "403" => "the caller lacks the right",
        "404" => "no such record (or not visible to the caller)",
        "409" => "version conflict or record in use",
        "412" => "If-Match names another version",
        "413" => "body too large",
        "415" => "body is not application/json",
        "422" => "the body breaks the schema or a rule",
        "428" => "If-Match required",
        "429" => "rate limited; see Retry-After",
        "503" => "Jira could not be asked for the caller's groups",
        _ => "error",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_reference_resolves() {
        let doc = super::document("http://localhost:8080");
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(schemas.contains_key(name), "unresolved $ref {name}");
        }
        assert!(schemas.contains_key("ReportConfig"));
    }
}
