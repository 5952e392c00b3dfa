//! The local API end to end over HTTP: auth, every endpoint's answers and errors, a post
//! created through the API published by the engine to the loopback platform, idempotency
//! (also across a restart), the post-creation rate limit, and the checked-in OpenAPI file.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::json;
use sipstory_api::LocalApi;
use sipstory_engine::EngineConfig;
use sipstory_engine::model::{LocalApiSettings, PostStatus};
use sipstory_engine::remote_media::AddressPolicy;
use sipstory_tests::fake_platform::Fault;
use sipstory_tests::harness::{fast_config, tiny_png};

use common::{Api, WAIT, in_minutes, read};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_required_and_checked() {
    let api = Api::start().await;
    let no_key = read(api.http.get(api.url("/is-connected")).send().await.unwrap()).await;
    assert_eq!(no_key.0, 401);
    assert_eq!(no_key.1["msg"], "No API Key found");
    assert_eq!(no_key.1["code"], "unauthorized");
    let wrong = api.http.get(api.url("/integrations")).header("Authorization", "sip_0123456789");
    let wrong = read(wrong.send().await.unwrap()).await;
    assert_eq!((wrong.0, wrong.1["msg"].as_str()), (401, Some("Invalid API key")));
    let (head, last) = api.key.split_at(api.key.len() - 1);
    let nearly = format!("{head}{}", if last == "0" { "1" } else { "0" });
    let nearly = api.http.get(api.url("/integrations")).header("Authorization", nearly);
    assert_eq!(read(nearly.send().await.unwrap()).await.0, 401, "same prefix, other key");

    assert_eq!(api.get("/is-connected").await, (200, json!({"connected": true})));
    let bearer = api
        .http
        .get(api.url("/is-connected"))
        .header("Authorization", format!("Bearer {}", api.key));
    assert_eq!(read(bearer.send().await.unwrap()).await.0, 200);

    let listed = api.engine.ops.api_keys().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(api.key.starts_with(&listed[0].prefix) && listed[0].prefix.len() < 20);
    assert!(listed[0].last_used_at.is_some());
    api.engine.ops.revoke_api_key(&listed[0].id).unwrap();
    assert_eq!(api.get("/is-connected").await.0, 401, "a revoked key stops working");

    let spec = read(api.http.get(api.url("/openapi.json")).send().await.unwrap()).await;
    assert_eq!(spec.0, 200, "the description needs no key");
    assert!(spec.1["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_created_through_the_api_is_published_and_listed() {
    let api = Api::start().await;
    let png = api.req(Method::POST, "/upload").multipart(
        reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(tiny_png()).file_name("dot.png"))
            .text("alt", "a dot"),
    );
    let (status, media) = read(png.send().await.unwrap()).await;
    assert_eq!(status, 201, "{media}");
    assert_eq!(
        (media["mime"].as_str(), media["originalName"].as_str()),
        (Some("image/png"), Some("dot.png"))
    );
    let mut body = api.post_body("now", None, "hello from a script");
    body["posts"][0]["value"][0]["image"] = json!([{"id": media["id"], "path": media["path"]}]);
    body["posts"][0]["value"]
        .as_array_mut()
        .unwrap()
        .push(json!({"content": "and a reply", "delay": 0}));
    let (status, created) = api.post("/posts", body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created[0]["integration"], api.account.id);
    let id = created[0]["postId"].as_str().unwrap();

    let sent = api.fake.wait_for_posts(2, WAIT).await;
    assert_eq!(sent[0].text, "hello from a script");
    assert_eq!(sent[0].media_ids.len(), 1);
    assert_eq!(sent[1].reply_to.as_deref(), Some(sent[0].id.as_str()));
    api.wait_status(id, PostStatus::Published).await;

    let (status, detail) = api.get(&format!("/posts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(detail["status"], "published");
    assert_eq!(detail["posts"][0]["state"], "PUBLISHED");
    assert_eq!(detail["posts"][0]["releaseId"], sent[0].id);
    assert_eq!(detail["posts"][0]["releaseURL"], sent[0].url);

    let window = format!(
        "/posts?startDate={}&endDate={}",
        urlencode(&in_minutes(-60)),
        urlencode(&in_minutes(60))
    );
    let (status, listed) = api.get(&window).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["posts"].as_array().unwrap().len(), 1);
    assert_eq!(listed["posts"][0]["id"], id);
    assert_eq!(listed["posts"][0]["integration"]["providerIdentifier"], "loopback");
    assert_eq!(listed["posts"][0]["tags"][0]["tag"]["name"], "api");
    let (_, failed_only) = api.get(&format!("{window}&status=failed")).await;
    assert!(failed_only["posts"].as_array().unwrap().is_empty());
    let (_, other_channel) = api.get(&format!("{window}&integration=nobody")).await;
    assert!(other_channel["posts"].as_array().unwrap().is_empty());

    let from = chrono::Utc::now() - chrono::Duration::hours(1);
    let calendar = api.engine.ops.calendar(from, from + chrono::Duration::hours(2)).unwrap();
    assert_eq!(calendar.len(), 1, "the desktop's calendar shows it");

    let (status, notes) = api.get("/notifications?page=0").await;
    assert_eq!(status, 200);
    assert!(notes["total"].as_u64().unwrap() >= 1, "{notes}");
    assert_eq!(notes["limit"], 100);
    assert_eq!(api.get("/notifications?page=x").await.0, 400);
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_posts_get_a_json_error_naming_the_field() {
    let api = Api::start().await;
    let no_date = api.post("/posts", api.post_body("schedule", None, "when?")).await;
    assert_eq!((no_date.0, no_date.1["param"].as_str()), (400, Some("date")));
    let past = api.post("/posts", api.post_body("schedule", Some(in_minutes(-90)), "late")).await;
    assert_eq!((past.0, past.1["param"].as_str()), (400, Some("date")));
    let mut nobody = api.post_body("now", None, "to nobody");
    nobody["posts"][0]["integration"]["id"] = json!("nobody");
    let nobody = api.post("/posts", nobody).await;
    assert_eq!((nobody.0, nobody.1["param"].as_str()), (404, Some("posts[0].integration.id")));
    let long = api.post("/posts", api.post_body("now", None, &"x".repeat(5000))).await;
    assert_eq!(long.0, 400, "{}", long.1);
    assert_eq!(long.1["code"], "validation_failed");
    assert_eq!(long.1["param"], "posts[0].value[0].content");
    assert_eq!(long.1["violations"][0]["integration"], api.account.id);

    let (status, checked) =
        api.post("/posts/validate", api.post_body("now", None, &"x".repeat(5000))).await;
    assert_eq!(status, 200);
    assert_eq!(checked["valid"], false);
    assert_eq!(checked["errors"][0]["field"], "posts[0].value[0].content");
    let (_, fine) = api.post("/posts/validate", api.post_body("now", None, "fine")).await;
    assert_eq!(fine, json!({"valid": true, "errors": []}));
    assert!(api.engine.ops.posts(&Default::default()).unwrap().is_empty(), "nothing saved");

    let malformed = api.req(Method::POST, "/posts").header("content-type", "application/json");
    assert_eq!(read(malformed.body("{").send().await.unwrap()).await.0, 400);
    let wrong_shape = api.post("/posts", json!({"type": "sometime", "posts": []})).await;
    assert_eq!((wrong_shape.0, wrong_shape.1["code"].as_str()), (422, Some("invalid_body")));
    assert_eq!(api.get("/posts/nope").await.0, 404);
    assert_eq!(api.get("/posts?startDate=2026-01-01T00:00:00Z").await.0, 400);
    let backwards = "/posts?startDate=2026-02-01T00:00:00Z&endDate=2026-01-01T00:00:00Z";
    assert_eq!(api.get(backwards).await.1["param"], "endDate");
    let bad_status = "/posts?startDate=2026-01-01T00:00:00Z&endDate=2026-02-01T00:00:00Z&status=x";
    assert_eq!(api.get(bad_status).await.1["param"], "status");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_status_settings_edits_and_deletes() {
    let api = Api::start().await;
    let at = in_minutes(120);
    let id = api.create(api.post_body("draft", Some(at.clone()), "a draft")).await;
    let (_, detail) = api.get(&format!("/posts/{id}")).await;
    assert_eq!(detail["posts"][0]["state"], "DRAFT");

    let status = |s: &str| json!({"status": s});
    let (code, scheduled) =
        api.send(Method::PUT, &format!("/posts/{id}/status"), status("schedule")).await;
    assert_eq!((code, scheduled), (200, json!({"id": id, "state": "QUEUE"})));
    let (_, back) = api.send(Method::PUT, &format!("/posts/{id}/status"), status("draft")).await;
    assert_eq!(back["state"], "DRAFT");
    let bad = api.send(Method::PUT, &format!("/posts/{id}/status"), status("later")).await;
    assert_eq!(bad.0, 422);

    let settings = json!({"settings": {"__type": "loopback", "visibility": "public"}});
    let (code, saved) = api.send(Method::PUT, &format!("/posts/{id}/settings"), settings).await;
    assert_eq!(code, 200, "{saved}");
    assert_eq!(saved["postId"], id);
    let (_, target) = api.engine.ops.channel_post(&id).unwrap();
    assert_eq!(target.settings, json!({"visibility": "public"}));

    let edit = api.post_body("schedule", Some(in_minutes(180)), "edited");
    let (code, edited) = api.send(Method::PUT, &format!("/posts/{id}"), edit).await;
    assert_eq!(code, 200, "{edited}");
    assert_eq!(edited["status"], "scheduled");
    assert_eq!(edited["posts"][0]["content"], "edited");

    let retry = api.post(&format!("/posts/{id}/retry"), json!({})).await;
    assert_eq!(retry.0, 409, "nothing failed");
    let release = json!({"releaseId": "abc"});
    let release = api.send(Method::PUT, &format!("/posts/{id}/release-id"), release).await;
    assert_eq!(release.0, 409, "only a missing release id can be set");
    assert_eq!(api.get(&format!("/posts/{id}/missing")).await, (200, json!([])), "{id}");

    let (code, deleted) = api.send(Method::DELETE, &format!("/posts/{id}"), json!(null)).await;
    assert_eq!((code, deleted), (200, json!({"deleted": true})));
    assert_eq!(api.get(&format!("/posts/{id}")).await.0, 404);
    assert_eq!(api.send(Method::DELETE, &format!("/posts/{id}"), json!(null)).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_publishes_only_the_failed_channel_again() {
    let api = Api::start().await;
    api.fake.push_fault(Fault::status(400, "bad_request", None));
    let id = api.create(api.post_body("now", None, "try again")).await;
    api.wait_status(&id, PostStatus::Failed).await;
    let (_, detail) = api.get(&format!("/posts/{id}")).await;
    assert_eq!(detail["posts"][0]["state"], "ERROR");
    assert!(detail["posts"][0]["error"].as_str().unwrap().contains("bad_request"));
    let (code, retried) = api.post(&format!("/posts/{id}/retry"), json!({})).await;
    assert_eq!(code, 200, "{retried}");
    api.wait_status(&id, PostStatus::Published).await;
    assert_eq!(api.fake.posts().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_answers_the_first_response_even_after_a_restart() {
    let mut api = Api::start().await;
    let body = api.post_body("draft", None, "only once");
    let send = |api: &Api, key: &str, body: &serde_json::Value| {
        api.req(Method::POST, "/posts").header("Idempotency-Key", key).json(body).send()
    };
    let first = send(&api, "k1", &body).await.unwrap();
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first = read(first).await;
    assert_eq!(first.0, 201);
    let again = send(&api, "k1", &body).await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(read(again).await, first);
    api.restart().await;
    assert_eq!(read(send(&api, "k1", &body).await.unwrap()).await, first);
    assert_eq!(api.engine.ops.posts(&Default::default()).unwrap().len(), 1, "created once");

    let other = api.post_body("draft", None, "something else");
    let mismatch = read(send(&api, "k1", &other).await.unwrap()).await;
    assert_eq!((mismatch.0, mismatch.1["code"].as_str()), (422, Some("idempotency_mismatch")));
    assert_eq!(read(send(&api, "k2", &other).await.unwrap()).await.0, 201);
    assert_eq!(api.engine.ops.posts(&Default::default()).unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_creation_is_rate_limited_per_hour() {
    let api = Api::start().await;
    let mut settings = api.engine.ops.settings().unwrap();
    settings.local_api.posts_per_hour = 2;
    api.engine.ops.update_settings(settings).await.unwrap();
    let create = || api.req(Method::POST, "/posts").json(&api.post_body("draft", None, "d")).send();
    let first = create().await.unwrap();
    assert_eq!(first.status(), 201);
    assert_eq!(first.headers()["x-ratelimit-limit"], "2");
    assert_eq!(first.headers()["x-ratelimit-remaining"], "1");
    let reset: i64 = first.headers()["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
    assert!(reset > chrono::Utc::now().timestamp() + 3500);
    assert_eq!(create().await.unwrap().status(), 201);
    let refused = create().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["x-ratelimit-remaining"], "0");
    let wait: i64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((3500..=3600).contains(&wait), "{wait}");
    assert_eq!(read(refused).await.1["code"], "rate_limited");
    assert_eq!(api.get("/integrations").await.0, 200, "only post creation is limited");
    assert_eq!(api.engine.ops.posts(&Default::default()).unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integrations_their_rules_slots_and_removal() {
    let api = Api::start().await;
    let (code, list) = api.get("/integrations").await;
    assert_eq!(code, 200);
    assert_eq!(list[0]["id"], api.account.id);
    assert_eq!(list[0]["identifier"], "loopback");
    assert_eq!(list[0]["profile"], api.account.handle);
    assert_eq!(list[0]["disabled"], false);

    let (code, rules) = api.get(&format!("/integration-settings/{}", api.account.id)).await;
    assert_eq!(code, 200);
    assert!(rules["output"]["maxLength"].as_u64().is_some());
    assert_eq!(rules["output"]["settings"], "No additional settings required");
    assert_eq!(api.get("/integration-settings/nobody").await.0, 404);

    let slot = api.get(&format!("/find-slot/{}", api.account.id)).await;
    assert_eq!((slot.0, slot.1["code"].as_str()), (404, Some("no_free_slot")));
    api.engine.ops.set_time_slots(&api.account.id, &[(0, 600), (3, 900)]).unwrap();
    let (code, slot) = api.get(&format!("/find-slot/{}", api.account.id)).await;
    assert_eq!(code, 200);
    let date = slot["date"].as_str().unwrap();
    assert!(chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%S").is_ok(), "{date}");

    assert_eq!(api.get(&format!("/analytics/{}", api.account.id)).await.0, 501);
    assert_eq!(api.get("/analytics/nobody").await.0, 404);
    assert_eq!(api.get("/analytics/post/nothing").await.0, 404);

    let path = format!("/integrations/{}", api.account.id);
    let gone = api.send(Method::DELETE, &path, json!(null)).await;
    assert_eq!(gone, (200, json!({"deleted": true})));
    assert_eq!(api.get("/integrations").await, (200, json!([])));
    assert_eq!(api.send(Method::DELETE, "/integrations/nobody", json!(null)).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_sniffed_and_checked() {
    let api = Api::start().await;
    let upload = |bytes: Vec<u8>, field: &str| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("f.png");
        api.req(Method::POST, "/upload")
            .multipart(reqwest::multipart::Form::new().part(field.to_owned(), part))
            .send()
    };
    let text = read(upload(b"not a picture".to_vec(), "file").await.unwrap()).await;
    assert_eq!((text.0, text.1["param"].as_str()), (400, Some("file")), "{}", text.1);
    let missing = read(upload(tiny_png(), "other").await.unwrap()).await;
    assert_eq!((missing.0, missing.1["param"].as_str()), (400, Some("file")));
    let (code, png) = read(upload(tiny_png(), "file").await.unwrap()).await;
    assert_eq!(code, 201, "{png}");
    assert_eq!(png["mime"], "image/png");
    assert!(std::path::Path::new(png["path"].as_str().unwrap()).exists());
    let mut bytes = tiny_png();
    bytes.resize(11 * 1024 * 1024, 0);
    let too_big = read(upload(bytes, "file").await.unwrap()).await;
    assert_eq!((too_big.0, too_big.1["code"].as_str()), (413, Some("too_large")), "{}", too_big.1);
}

/// A media server on 127.0.0.1: `/dot.png`, and `/redirect?to=URL` answering 302 to URL.
async fn media_server() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new()
        .route(
            "/dot.png",
            axum::routing::get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { tiny_png() }
            }),
        )
        .route(
            "/redirect",
            axum::routing::get(|q: axum::extract::Query<HashMap<String, String>>| async move {
                axum::response::Redirect::to(&q["to"])
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_from_url_refuses_this_machine_and_its_network() {
    let (addr, hits) = media_server().await;
    let api = Api::start().await;
    let from = |url: String| api.post("/upload-from-url", json!({"url": url}));
    for url in [
        format!("http://{addr}/dot.png"),
        format!("http://localhost:{}/dot.png", addr.port()),
        "http://10.0.0.1/dot.png".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://[::1]/dot.png".to_owned(),
        "http://0x7f000001/dot.png".to_owned(),
    ] {
        let (status, error) = from(url.clone()).await;
        assert_eq!((status, error["param"].as_str()), (400, Some("url")), "{url}: {error}");
        assert!(error["error"].as_str().unwrap().contains("not a public address"), "{error}");
    }
    let (status, error) = from("file:///etc/passwd".to_owned()).await;
    assert_eq!((status, error["param"].as_str()), (400, Some("url")));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "no request reached the machine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_from_url_checks_every_redirect() {
    let (allowed, allowed_hits) = media_server().await;
    let (other, other_hits) = media_server().await;
    let api = Api::start_with(|dir| EngineConfig {
        remote_media: AddressPolicy { also_allowed: vec![allowed] },
        ..fast_config(dir)
    })
    .await;
    let (status, media) = api
        .post("/upload-from-url", json!({"url": format!("http://{allowed}/dot.png"), "alt": "dot"}))
        .await;
    assert_eq!(status, 201, "{media}");
    assert_eq!((media["mime"].as_str(), media["alt"].as_str()), (Some("image/png"), Some("dot")));
    let same_host = format!("http://{allowed}/redirect?to=/dot.png");
    assert_eq!(api.post("/upload-from-url", json!({"url": same_host})).await.0, 201);
    assert_eq!(allowed_hits.load(Ordering::SeqCst), 2);

    let to_other = format!("http://{allowed}/redirect?to=http://{other}/dot.png");
    let (status, error) = api.post("/upload-from-url", json!({"url": to_other})).await;
    assert_eq!((status, error["param"].as_str()), (400, Some("url")), "{error}");
    assert!(error["error"].as_str().unwrap().contains("not a public address"));
    assert_eq!(other_hits.load(Ordering::SeqCst), 0, "the redirect to 127.0.0.1 was not followed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_follows_the_settings_and_reports_a_busy_port() {
    let api = Api::start().await;
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let local = LocalApi::new(api.engine.ops.clone());
    let on = |port| LocalApiSettings { enabled: true, port, posts_per_hour: 30 };
    let status = local.apply(&on(port)).await;
    assert!(!status.running);
    assert_eq!(
        status.error.as_deref(),
        Some(
            format!("Port {port} is already in use by another program. Choose another port.")
                .as_str()
        )
    );
    drop(busy);
    let status = local.apply(&on(port)).await;
    assert_eq!((status.running, status.error), (true, None));
    let url = format!("http://127.0.0.1:{port}{}/is-connected", sipstory_api::BASE_PATH);
    let answer = api.http.get(&url).header("Authorization", &api.key).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let off = local.apply(&LocalApiSettings { enabled: false, ..on(port) }).await;
    assert!(!off.running);
    assert!(api.http.get(&url).send().await.is_err(), "nothing listens once it is off");
    assert_eq!(local.status().await, off);
}

#[test]
fn the_checked_in_openapi_file_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let current = sipstory_api::openapi().to_pretty_json().unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &current).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == current,
        "docs/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p sipstory-api --test api the_checked_in_openapi_file_is_current` and commit it"
    );
}
