//! Checks recorded requests against an OpenAPI 3.1 description: the operation must exist
//! (method and path template), required query and header parameters must be present and
//! unknown query parameters are reported; JSON bodies are validated against the operation's
//! request schema with `jsonschema`, form and multipart bodies by their field names.
//!
//! Published descriptions are looser than JSON Schema's `oneOf` assumes (Mastodon's
//! `TextStatus`/`MediaStatus` both match a status with text and media), so `oneOf` is read
//! as `anyOf`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::recording_proxy::Recorded;

pub struct OpenApiContract {
    spec: Value,
    operations: Vec<Operation>,
}

struct Operation {
    method: String,
    /// Path segments; `None` for a `{parameter}`.
    segments: Vec<Option<String>>,
    template: String,
    definition: Value,
}

/// Where the API descriptions are: `$SIPSTORY_SPECS`, else the copies in `tests/contracts/`.
pub fn specs_dir() -> PathBuf {
    match std::env::var_os("SIPSTORY_SPECS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts"),
    }
}

fn one_of_as_any_of(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(one_of) = map.remove("oneOf") {
                map.insert("anyOf".into(), one_of);
            }
            map.values_mut().for_each(one_of_as_any_of);
        }
        Value::Array(items) => items.iter_mut().for_each(one_of_as_any_of),
        _ => {}
    }
}

impl OpenApiContract {
    pub fn load(file: &str) -> Self {
        let path = specs_dir().join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{} is not readable ({e}); set SIPSTORY_SPECS", path.display())
        });
        let mut spec: Value = serde_json::from_str(&text).expect("the spec is JSON");
        one_of_as_any_of(&mut spec);
        let mut operations = Vec::new();
        for (template, item) in spec["paths"].as_object().expect("paths").clone() {
            for (method, definition) in item.as_object().into_iter().flatten() {
                let segments = template
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                    .collect();
                operations.push(Operation {
                    method: method.to_uppercase(),
                    segments,
                    template: template.clone(),
                    definition: definition.clone(),
                });
            }
        }
        Self { spec, operations }
    }

    fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let parts: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method == method && op.segments.len() == parts.len())
            .filter(|op| {
                op.segments.iter().zip(&parts).all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
            })
            // The most literal template wins (`/statuses/{id}` loses to `/statuses/scheduled`).
            .max_by_key(|op| op.segments.iter().filter(|s| s.is_some()).count())
    }

    /// The problems of every request (empty when all follow the description).
    pub fn problems(&self, requests: &[Recorded]) -> Vec<String> {
        requests.iter().flat_map(|r| self.check(r)).collect()
    }

    /// The problems of one request.
    pub fn check(&self, request: &Recorded) -> Vec<String> {
        let name = format!("{} {}", request.method, request.path);
        let Some(op) = self.operation(&request.method, &request.path) else {
            return vec![format!("{name}: no such operation in the description")];
        };
        let mut problems = Vec::new();
        let query: Vec<String> = request
            .query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes()).map(|(k, _)| k.into_owned()).collect()
            })
            .unwrap_or_default();
        for param in op.definition["parameters"].as_array().into_iter().flatten() {
            let param = self.resolve(param);
            let pname = param["name"].as_str().unwrap_or_default();
            let required = param["required"].as_bool().unwrap_or(false);
            let present = match param["in"].as_str() {
                Some("query") => query.iter().any(|q| q == pname),
                Some("header") => request.header(pname).is_some(),
                _ => true,
            };
            if required && !present {
                problems.push(format!("{name}: required parameter '{pname}' missing"));
            }
        }
        for q in &query {
            let documented =
                op.definition["parameters"].as_array().into_iter().flatten().any(|p| {
                    let p = self.resolve(p);
                    p["in"] == "query" && p["name"].as_str() == Some(q)
                });
            if !documented {
                problems
                    .push(format!("{name} ({}): undocumented query parameter '{q}'", op.template));
            }
        }
        problems.extend(self.check_body(&name, op, request));
        problems
    }

    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.spec.pointer(pointer).unwrap_or(value),
            None => value,
        }
    }

    fn check_body(&self, name: &str, op: &Operation, request: &Recorded) -> Vec<String> {
        let body = &op.definition["requestBody"];
        if body.is_null() {
            return Vec::new();
        }
        if request.body.is_empty() {
            return if body["required"].as_bool().unwrap_or(false) {
                vec![format!("{name}: the request body is required")]
            } else {
                Vec::new()
            };
        }
        let content = &body["content"];
        let kind = request.content_type().split(';').next().unwrap_or("").trim().to_owned();
        let schema = match &content[&kind] {
            Value::Null => &content["application/json"],
            schema => schema,
        };
        let schema = &schema["schema"];
        if schema.is_null() {
            return vec![format!("{name}: body of type '{kind}' is not described")];
        }
        match kind.as_str() {
            "application/json" => self.validate_json(name, schema, &request.json()),
            "application/x-www-form-urlencoded" => {
                let fields = url::form_urlencoded::parse(&request.body)
                    .map(|(k, _)| k.into_owned())
                    .collect::<Vec<_>>();
                self.check_field_names(name, schema, &fields)
            }
            "multipart/form-data" => {
                self.check_field_names(name, schema, &multipart_names(&request.body))
            }
            other => vec![format!("{name}: unexpected body type '{other}'")],
        }
    }

    fn with_components(&self, schema: &Value) -> Value {
        let mut root = match schema {
            Value::Object(map) => map.clone(),
            other => Map::from_iter([("allOf".to_owned(), Value::Array(vec![other.clone()]))]),
        };
        root.insert("components".into(), self.spec["components"].clone());
        Value::Object(root)
    }

    fn validate_json(&self, name: &str, schema: &Value, body: &Value) -> Vec<String> {
        let validator = jsonschema::draft202012::new(&self.with_components(schema))
            .unwrap_or_else(|e| panic!("{name}: the request schema does not compile: {e}"));
        validator
            .iter_errors(body)
            .map(|e| format!("{name}: {} at '{}'", e, e.instance_path()))
            .collect()
    }

    /// Form fields must be described and the required ones present (`name[]` = `name`).
    fn check_field_names(&self, name: &str, schema: &Value, fields: &[String]) -> Vec<String> {
        let schema = self.resolve(schema);
        let properties = schema["properties"].as_object();
        let mut problems = Vec::new();
        for field in fields {
            let bare = field.trim_end_matches("[]");
            if properties.is_some_and(|p| !p.contains_key(bare)) {
                problems.push(format!("{name}: undocumented field '{field}'"));
            }
        }
        for required in schema["required"].as_array().into_iter().flatten() {
            let required = required.as_str().unwrap_or_default();
            if !fields.iter().any(|f| f.trim_end_matches("[]") == required) {
                problems.push(format!("{name}: required field '{required}' missing"));
            }
        }
        problems
    }
}

/// The field names of a multipart body (`Content-Disposition: form-data; name="…"`).
fn multipart_names(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    text.lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
        .filter_map(|l| l.split("name=\"").nth(1)?.split('"').next().map(str::to_owned))
        .collect()
}
