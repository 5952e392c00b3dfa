//! The contract checker itself: it passes requests that follow the Mastodon description and
//! names what is wrong with those that do not.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use sipstory_tests::openapi_contract::OpenApiContract;
use sipstory_tests::recording_proxy::Recorded;

fn request(method: &str, path: &str, query: Option<&str>, kind: &str, body: &str) -> Recorded {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_str(kind).unwrap());
    Recorded {
        method: method.into(),
        path: path.into(),
        query: query.map(str::to_owned),
        headers,
        body: Bytes::from(body.to_owned()),
    }
}

#[test]
fn good_requests_pass_and_bad_ones_are_named() {
    let contract = OpenApiContract::load("mastodon-openapi.json");
    let json = "application/json";
    let good = request(
        "POST",
        "/api/v1/statuses",
        None,
        json,
        r#"{"status":"hi","visibility":"unlisted"}"#,
    );
    assert_eq!(contract.check(&good), Vec::<String>::new());
    let listing = request("GET", "/api/v1/accounts/42/statuses", Some("limit=40&max_id=7"), "", "");
    assert_eq!(contract.check(&listing), Vec::<String>::new());

    let wrong_type = request("POST", "/api/v1/statuses", None, json, r#"{"status":5}"#);
    assert!(!contract.check(&wrong_type).is_empty());
    let bad_visibility = request(
        "POST",
        "/api/v1/statuses",
        None,
        json,
        r#"{"status":"x","visibility":"everyone"}"#,
    );
    assert!(!contract.check(&bad_visibility).is_empty());
    let unknown_query = request("GET", "/api/v1/accounts/42/statuses", Some("since=2020"), "", "");
    assert!(contract.check(&unknown_query)[0].contains("undocumented query parameter 'since'"));
    let no_app_name = request(
        "POST",
        "/api/v1/apps",
        None,
        json,
        r#"{"redirect_uris":["http://127.0.0.1/callback"]}"#,
    );
    assert!(!contract.check(&no_app_name).is_empty());
    let multipart = "multipart/form-data; boundary=b";
    let upload = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\ny\r\n--b--\r\n";
    let problems = contract.check(&request("POST", "/api/v2/media", None, multipart, upload));
    assert_eq!(problems, vec!["POST /api/v2/media: undocumented field 'alt'".to_owned()]);
    let nowhere = request("POST", "/api/v1/posts", None, json, "{}");
    assert!(contract.check(&nowhere)[0].contains("no such operation"));
}
