//! Test helpers: starting simulators, a blocking HTTP client, and Atlassian's OpenAPI spec with
//! a small OpenAPI 3.0 schema validator.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use jira_sim::{DataSpec, Dataset, Flavor, RunningSim, SimConfig};
use serde_json::Value;

/// A shared data set (generated once per test binary) of `issues` issues, seed 42.
pub fn shared_data(issues: usize) -> Arc<Dataset> {
    static SETS: OnceLock<std::sync::Mutex<Vec<Arc<Dataset>>>> = OnceLock::new();
    let sets = SETS.get_or_init(Default::default);
    let mut sets = sets.lock().unwrap();
    if let Some(d) = sets.iter().find(|d| d.issues.len() == issues) {
        return d.clone();
    }
    let d = Arc::new(Dataset::generate(spec(issues)));
    sets.push(d.clone());
    d
}

pub fn spec(issues: usize) -> DataSpec {
    DataSpec {
        issues,
        seed: 42,
        ..DataSpec::default()
    }
}

/// A simulator over the shared data set of `issues` issues.
pub fn sim(issues: usize, flavor: Flavor) -> RunningSim {
    sim_with(
        issues,
        SimConfig {
            flavor,
            ..SimConfig::default()
        },
    )
}

pub fn sim_with(issues: usize, config: SimConfig) -> RunningSim {
    RunningSim::start_with(config, shared_data(issues)).expect("simulator starts")
}

/// An HTTP client that returns every status as a response.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A response: status, headers and the JSON body (`Value::Null` when not JSON).
#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub json: Value,
}

impl Res {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Jira's `errorMessages`.
    pub fn errors(&self) -> Vec<String> {
        self.json["errorMessages"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|m| m.as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// An answer as tests read it: status, headers, text and the text as JSON (`null` if not).
pub fn res(mut r: ureq::http::Response<ureq::Body>) -> Res {
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Res {
        status,
        headers,
        text,
        json,
    }
}

pub fn get(sim: &RunningSim, path: &str) -> Res {
    get_as(sim, path, &sim.basic_auth("ada"))
}

pub fn get_as(sim: &RunningSim, path: &str, authorization: &str) -> Res {
    res(agent()
        .get(sim.url(path))
        .header("Authorization", authorization)
        .call()
        .expect("request completes"))
}

pub fn post(sim: &RunningSim, path: &str, body: &Value) -> Res {
    post_with(sim, path, &sim.basic_auth("ada"), body)
}

pub fn post_with(sim: &RunningSim, path: &str, authorization: &str, body: &Value) -> Res {
    res(agent()
        .post(sim.url(path))
        .header("Authorization", authorization)
        .send_json(body)
        .expect("request completes"))
}

/// Adds the histories of a bulk changelog page to `by_issue` (per issue id, in page order);
/// returns the ids of the page's entries, in order, and how many histories it held.
pub fn read_bulk_changelog_page(
    page: &Value,
    by_issue: &mut BTreeMap<String, Vec<Value>>,
) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut count = 0;
    for log in page["issueChangeLogs"].as_array().unwrap() {
        let id = log["issueId"].as_str().unwrap().to_string();
        let hs = log["changeHistories"].as_array().unwrap();
        count += hs.len();
        by_issue
            .entry(id.clone())
            .or_default()
            .extend(hs.iter().cloned());
        ids.push(id);
    }
    (ids, count)
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `../shared/reference` next to the repository root, found by walking up from the crate.
pub fn reference_dir() -> PathBuf {
    let start = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in start.ancestors() {
        let candidate = dir.join("shared").join("reference");
        if candidate
            .join("jira-cloud-platform-openapi-v3.json")
            .is_file()
        {
            return candidate;
        }
    }
    panic!(
        "cannot find shared/reference/jira-cloud-platform-openapi-v3.json in any parent of {}: \
         the tests read Atlassian's spec from the `shared/` folder that sits next to the \
         repository (as /work/shared next to /work/main)",
        start.display()
    );
}

pub fn openapi() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = reference_dir().join("jira-cloud-platform-openapi-v3.json");
        let text = std::fs::read_to_string(&path).expect("spec readable");
        serde_json::from_str(&text).expect("spec is JSON")
    })
}

/// The 200 response schema of `method path` in the spec (e.g. `get`, `/rest/api/3/status`).
pub fn response_schema(method: &str, path: &str) -> Value {
    openapi()["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        .clone()
}

pub fn component(name: &str) -> Value {
    let s = openapi()["components"]["schemas"][name].clone();
    assert!(!s.is_null(), "no schema {name} in the spec");
    json_ref(name)
}

fn json_ref(name: &str) -> Value {
    serde_json::json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Where real Jira and the spec disagree, and Jira is right: `(schema, property)` pairs that
/// Jira sends as `null` although the spec does not say `nullable` (every captured changelog
/// sample has `"from": null` for an empty old value).
const NULLABLE_IN_PRACTICE: [(&str, &str); 4] = [
    ("ChangeDetails", "from"),
    ("ChangeDetails", "fromString"),
    ("ChangeDetails", "to"),
    ("ChangeDetails", "toString"),
];

/// Validates `v` against `schema`; returns every violation with its JSON path.
pub fn validate(schema: &Value, v: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, v, "$", None, &mut errors);
    errors
}

fn resolve(schema: &Value) -> (&Value, Option<&str>) {
    let mut s = schema;
    let mut name = None;
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let n = r.trim_start_matches("#/components/schemas/");
        name = Some(n);
        s = &openapi()["components"]["schemas"][n];
    }
    (s, name)
}

fn type_ok(ty: &str, v: &Value) -> bool {
    match ty {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn check(
    schema: &Value,
    v: &Value,
    path: &str,
    parent: Option<(&str, &str)>,
    errors: &mut Vec<String>,
) {
    let (s, name) = resolve(schema);
    if v.is_null() {
        let nullable = s.get("nullable").and_then(Value::as_bool).unwrap_or(false)
            || parent.is_some_and(|p| NULLABLE_IN_PRACTICE.contains(&p));
        if !nullable && (s.get("type").is_some() || s.get("properties").is_some()) {
            errors.push(format!("{path}: null where the spec does not allow it"));
        }
        return;
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(sub, v, path, parent, errors);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            let ok = alts.iter().any(|alt| {
                let mut e = Vec::new();
                check(alt, v, path, parent, &mut e);
                e.is_empty()
            });
            if !ok {
                errors.push(format!("{path}: matches none of {key}"));
            }
        }
    }
    if let Some(ty) = s.get("type").and_then(Value::as_str)
        && !type_ok(ty, v)
    {
        errors.push(format!("{path}: expected {ty}, got {v}"));
        return;
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array)
        && !options.contains(v)
    {
        errors.push(format!("{path}: {v} is not one of {options:?}"));
    }
    if let Some(items) = s.get("items")
        && let Some(list) = v.as_array()
    {
        for (i, item) in list.iter().enumerate() {
            check(items, item, &format!("{path}[{i}]"), None, errors);
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        if let Some(required) = s.get("required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    errors.push(format!("{path}: required property {r} is missing"));
                }
            }
        }
        for (k, val) in obj {
            let sub_path = format!("{path}.{k}");
            match props.and_then(|p| p.get(k)) {
                Some(p) => check(p, val, &sub_path, name.map(|n| (n, k.as_str())), errors),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) if s.get("allOf").is_none() => {
                        errors.push(format!(
                            "{sub_path}: not a property of {}",
                            name.unwrap_or("the schema")
                        ));
                    }
                    Some(extra @ Value::Object(_)) => check(extra, val, &sub_path, None, errors),
                    _ => {}
                },
            }
        }
    }
}

/// Asserts that `v` conforms to `schema`, naming `what` on failure.
pub fn assert_conforms(what: &str, schema: &Value, v: &Value) {
    assert!(!schema.is_null(), "{what}: no schema in the spec");
    let errors = validate(schema, v);
    assert!(
        errors.is_empty(),
        "{what} does not conform to the spec:\n{}",
        errors
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
