//! Integration tests of the fake platform itself, driven over HTTP with reqwest:
//! its routes, its strictness, its faults and its outages.

use std::time::Duration;

use chrono::Utc;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use sipstory_tests::fake_platform::{
    AccountCredentials, FakePlatform, Fault, FaultScope, MAX_MEDIA_BYTES, MAX_TEXT_CHARS,
};

const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
const SHORT_TIMEOUT: Duration = Duration::from_millis(300);

struct Setup {
    fake: FakePlatform,
    client: Client,
    alice: AccountCredentials,
}

async fn setup() -> Setup {
    let fake = FakePlatform::start().await;
    let alice = fake.add_account("alice");
    let client = Client::builder().timeout(CLIENT_TIMEOUT).build().unwrap();
    Setup { fake, client, alice }
}

impl Setup {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.fake.base_url())
    }

    async fn me(&self, token: &str) -> Response {
        let request = self.client.get(self.url("/api/me")).bearer_auth(token);
        request.send().await.unwrap()
    }

    async fn post(&self, token: &str, body: Value) -> Response {
        self.post_request(token, body).send().await.unwrap()
    }

    fn post_request(&self, token: &str, body: Value) -> reqwest::RequestBuilder {
        let request = self.client.post(self.url("/api/posts")).bearer_auth(token);
        request.json(&body)
    }

    /// Posts `text` as alice and returns the new post's id.
    async fn post_text(&self, text: &str) -> String {
        let response = self.post(&self.alice.access_token, json!({"text": text})).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    async fn list(&self, token: &str, query: &[(&str, &str)]) -> Response {
        let request = self.client.get(self.url("/api/posts")).bearer_auth(token);
        request.query(query).send().await.unwrap()
    }

    async fn listed_ids(&self, query: &[(&str, &str)]) -> Vec<String> {
        let response = self.list(&self.alice.access_token, query).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        let posts = body["posts"].as_array().unwrap();
        posts.iter().map(|post| post["id"].as_str().unwrap().to_owned()).collect()
    }

    async fn refresh(&self, refresh_token: &str) -> Response {
        let form = [("grant_type", "refresh_token"), ("refresh_token", refresh_token)];
        let request = self.client.post(self.url("/oauth/token")).form(&form);
        request.send().await.unwrap()
    }

    async fn upload(&self, bytes: Vec<u8>, mime: &str, alt: Option<&str>) -> Response {
        let part = Part::bytes(bytes).file_name("upload").mime_str(mime).unwrap();
        let mut form = Form::new().part("file", part);
        if let Some(alt) = alt {
            form = form.text("alt", alt.to_owned());
        }
        let request = self.client.post(self.url("/api/media"));
        let request = request.bearer_auth(&self.alice.access_token).multipart(form);
        request.send().await.unwrap()
    }
}

/// Asserts the response's status and error code, and returns its error message.
async fn assert_error(response: Response, status: StatusCode, code: &str) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "body: {body}");
    body["error"]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn me_describes_the_caller_and_serves_its_avatar() {
    let s = setup().await;
    let response = s.me(&s.alice.access_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["handle"], "alice");
    assert!(body["id"].as_str().unwrap().parse::<u64>().is_ok());
    assert!(body["display_name"].as_str().is_some());
    let avatar = s.client.get(body["avatar_url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(avatar.status(), StatusCode::OK);
    assert_eq!(avatar.headers()["content-type"], "image/png");
}

#[tokio::test]
async fn api_rejects_missing_and_unknown_tokens() {
    let s = setup().await;
    let without = s.client.get(s.url("/api/me")).send().await.unwrap();
    let message = assert_error(without, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(message, "The access token is invalid or expired");
    assert_error(s.me("not-a-token").await, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let basic = s.client.get(s.url("/api/posts")).basic_auth("alice", Some("pw"));
    let basic = basic.send().await.unwrap();
    assert_error(basic, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

#[tokio::test]
async fn refresh_rotates_and_spends_the_old_refresh_token() {
    let s = setup().await;
    let response = s.refresh(&s.alice.refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let new_refresh = body["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, s.alice.refresh_token);
    let new_access = body["access_token"].as_str().unwrap();
    assert_eq!(s.me(new_access).await.status(), StatusCode::OK);
    let reused = s.refresh(&s.alice.refresh_token).await;
    assert_error(reused, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert_eq!(s.refresh(new_refresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn refresh_rejects_malformed_requests() {
    let s = setup().await;
    let form = [("grant_type", "password"), ("refresh_token", "x")];
    let wrong_grant = s.client.post(s.url("/oauth/token")).form(&form).send().await.unwrap();
    assert_error(wrong_grant, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    let body = json!({"grant_type": "refresh_token", "refresh_token": s.alice.refresh_token});
    let as_json = s.client.post(s.url("/oauth/token")).json(&body).send().await.unwrap();
    assert_error(as_json, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn media_uploads_are_recorded_and_limited() {
    let s = setup().await;
    let response = s.upload(vec![7; 1024], "image/png", Some("A cat")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["size"], 1024);
    assert_eq!(body["mime"], "image/png");
    let media = s.fake.media();
    assert_eq!(media.len(), 1);
    assert_eq!(media[0].id, body["media_id"].as_str().unwrap());
    assert_eq!((media[0].size, media[0].alt.as_deref()), (1024, Some("A cat")));

    let too_large = vec![0; MAX_MEDIA_BYTES as usize + 1];
    let response = s.upload(too_large, "video/mp4", None).await;
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "media_too_large").await;
    let response = s.upload(vec![1; 10], "text/plain", None).await;
    assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "unsupported_media_type").await;
    assert_eq!(s.fake.media().len(), 1);
}

#[tokio::test]
async fn media_upload_needs_a_file_part() {
    let s = setup().await;
    let form = Form::new().text("alt", "nothing attached");
    let request = s.client.post(s.url("/api/media")).bearer_auth(&s.alice.access_token);
    let response = request.multipart(form).send().await.unwrap();
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn posts_are_accepted_and_recorded() {
    let s = setup().await;
    let uploaded: Value = s.upload(vec![1; 8], "image/jpeg", None).await.json().await.unwrap();
    let media_id = uploaded["media_id"].as_str().unwrap();
    let body = json!({"text": "Hello", "media_ids": [media_id]});
    let request = s.post_request(&s.alice.access_token, body);
    let response = request.header("Idempotency-Key", "key-1").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let id = body["id"].as_str().unwrap();
    let expected_url = format!("http://127.0.0.1:{}/@alice/{id}", s.fake.port());
    assert_eq!(body["url"], expected_url);

    let posts = s.fake.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!((posts[0].id.as_str(), posts[0].text.as_str()), (id, "Hello"));
    assert_eq!(posts[0].account_handle, "alice");
    assert_eq!(posts[0].media_ids, vec![media_id.to_owned()]);
    assert_eq!(posts[0].idempotency_key.as_deref(), Some("key-1"));
    assert!(!posts[0].deleted);

    let reply = s.post(&s.alice.access_token, json!({"text": "Again", "reply_to": id})).await;
    assert_eq!(reply.status(), StatusCode::CREATED);
    let second = &s.fake.posts()[1];
    assert_eq!(second.reply_to.as_deref(), Some(id));
    assert!(second.id.parse::<u64>().unwrap() > id.parse::<u64>().unwrap());
}

#[tokio::test]
async fn posts_are_validated_strictly() {
    let s = setup().await;
    let token = s.alice.access_token.clone();
    let empty = s.post(&token, json!({"text": "  "})).await;
    assert_error(empty, StatusCode::UNPROCESSABLE_ENTITY, "empty_post").await;
    let too_long = s.post(&token, json!({"text": "é".repeat(MAX_TEXT_CHARS + 1)})).await;
    assert_error(too_long, StatusCode::UNPROCESSABLE_ENTITY, "text_too_long").await;
    let longest = s.post(&token, json!({"text": "é".repeat(MAX_TEXT_CHARS)})).await;
    assert_eq!(longest.status(), StatusCode::CREATED);
    let reply = s.post(&token, json!({"text": "hi", "reply_to": "999999"})).await;
    assert_error(reply, StatusCode::BAD_REQUEST, "unknown_reply_to").await;
    let media = s.post(&token, json!({"text": "hi", "media_ids": ["999999"]})).await;
    assert_error(media, StatusCode::BAD_REQUEST, "unknown_media").await;
    let unknown_field = s.post(&token, json!({"text": "hi", "body": "hi"})).await;
    assert_error(unknown_field, StatusCode::BAD_REQUEST, "invalid_request").await;
    let request = s.client.post(s.url("/api/posts")).bearer_auth(&token);
    let not_json = request.body("{\"text\": \"hi\"}").send().await.unwrap();
    assert_error(not_json, StatusCode::BAD_REQUEST, "invalid_request").await;
    let request = s.client.post(s.url("/api/posts")).bearer_auth(&token);
    let request = request.header("content-type", "application/json");
    let broken = request.body("{\"text\": ").send().await.unwrap();
    assert_error(broken, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert_eq!(s.fake.posts().len(), 1);
}

#[tokio::test]
async fn reply_to_must_be_a_post_of_the_same_account() {
    let s = setup().await;
    let bob = s.fake.add_account("bob");
    let alices = s.post_text("mine").await;
    let reply = s.post(&bob.access_token, json!({"text": "hi", "reply_to": alices})).await;
    assert_error(reply, StatusCode::BAD_REQUEST, "unknown_reply_to").await;
}

#[tokio::test]
async fn listing_filters_by_since_and_is_newest_first() {
    let s = setup().await;
    let a = s.post_text("a").await;
    let b = s.post_text("b").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let since = Utc::now().to_rfc3339();
    let c = s.post_text("c").await;
    let d = s.post_text("d").await;
    assert_eq!(s.listed_ids(&[("since", &since)]).await, vec![d.clone(), c.clone()]);
    assert_eq!(s.listed_ids(&[]).await, vec![d.clone(), c, b, a]);
    assert_eq!(s.listed_ids(&[("limit", "1")]).await, vec![d]);

    let bob = s.fake.add_account("bob");
    let response = s.list(&bob.access_token, &[]).await;
    assert_eq!(response.json::<Value>().await.unwrap()["posts"], json!([]));
    let bad_since = s.list(&s.alice.access_token, &[("since", "yesterday")]).await;
    assert_error(bad_since, StatusCode::BAD_REQUEST, "invalid_request").await;
    let bad_limit = s.list(&s.alice.access_token, &[("limit", "101")]).await;
    assert_error(bad_limit, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn listed_posts_carry_their_fields() {
    let s = setup().await;
    let parent = s.post_text("parent").await;
    let body = json!({"text": "child", "reply_to": parent});
    assert_eq!(s.post(&s.alice.access_token, body).await.status(), StatusCode::CREATED);
    let response = s.list(&s.alice.access_token, &[]).await;
    let body: Value = response.json().await.unwrap();
    let newest = &body["posts"][0];
    assert_eq!(newest["text"], "child");
    assert_eq!(newest["reply_to"], parent.as_str());
    assert_eq!(newest["media_ids"], json!([]));
    assert!(newest["url"].as_str().unwrap().ends_with(newest["id"].as_str().unwrap()));
    let created_at = newest["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created_at).is_ok());
}

#[tokio::test]
async fn delete_marks_the_post_deleted() {
    let s = setup().await;
    let id = s.post_text("oops").await;
    let delete = || {
        let request = s.client.delete(s.url(&format!("/api/posts/{id}")));
        request.bearer_auth(&s.alice.access_token).send()
    };
    assert_eq!(delete().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert!(s.fake.posts()[0].deleted);
    assert!(s.listed_ids(&[]).await.is_empty());
    assert_error(delete().await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn status_fault_answers_it_with_retry_after_and_records_nothing() {
    let s = setup().await;
    s.fake.push_fault(Fault::status(429, "rate_limited", Some("7")));
    let response = s.post(&s.alice.access_token, json!({"text": "hi"})).await;
    assert_eq!(response.headers()["retry-after"], "7");
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert!(s.fake.posts().is_empty());
    s.post_text("hi").await;
    let statuses: Vec<_> = s.fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Some(429), Some(201)]);
}

#[tokio::test]
async fn hang_fault_times_out_the_client_and_records_nothing() {
    let s = setup().await;
    s.fake.push_fault(Fault::Hang);
    let request = s.post_request(&s.alice.access_token, json!({"text": "hi"}));
    let error = request.timeout(SHORT_TIMEOUT).send().await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(s.fake.posts().is_empty());
    assert_eq!(s.fake.requests()[0].status, None);
}

#[tokio::test]
async fn hang_after_record_times_out_the_client_but_records_the_post() {
    let s = setup().await;
    s.fake.push_fault(Fault::HangAfterRecord);
    let request = s.post_request(&s.alice.access_token, json!({"text": "hi"}));
    let error = request.timeout(SHORT_TIMEOUT).send().await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(s.fake.posts().len(), 1);
}

#[tokio::test]
async fn drop_after_record_breaks_the_connection_but_records_the_post() {
    let s = setup().await;
    s.fake.push_fault(Fault::DropAfterRecord);
    let request = s.post_request(&s.alice.access_token, json!({"text": "hi"}));
    let error = request.send().await.unwrap_err();
    assert!(error.is_request() && !error.is_timeout(), "{error:?}");
    let posts = s.fake.posts();
    assert_eq!((posts.len(), posts[0].text.as_str()), (1, "hi"));
    s.post_text("after").await;
}

#[tokio::test]
async fn expire_token_fault_kills_only_the_presented_token() {
    let s = setup().await;
    let bob = s.fake.add_account("bob");
    s.fake.push_fault(Fault::ExpireToken);
    let response = s.post(&s.alice.access_token, json!({"text": "hi"})).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(s.me(&s.alice.access_token).await.status(), StatusCode::UNAUTHORIZED);
    let bobs = s.post(&bob.access_token, json!({"text": "hi"})).await;
    assert_eq!(bobs.status(), StatusCode::CREATED);
    let refreshed: Value = s.refresh(&s.alice.refresh_token).await.json().await.unwrap();
    let new_access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(s.me(new_access).await.status(), StatusCode::OK);
    assert_eq!(s.fake.posts().len(), 1);
}

#[tokio::test]
async fn faults_wait_for_a_request_of_their_scope() {
    let s = setup().await;
    s.fake.push_fault_on(FaultScope::Media, Fault::status(503, "unavailable", None));
    s.fake.push_fault_on(FaultScope::Token, Fault::status(500, "oops", None));
    s.post_text("unaffected").await;
    let upload = s.upload(vec![1], "image/png", None).await;
    assert_error(upload, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    let refresh = s.refresh(&s.alice.refresh_token).await;
    assert_error(refresh, StatusCode::INTERNAL_SERVER_ERROR, "oops").await;
    s.fake.push_fault_on(FaultScope::Any, Fault::status(502, "bad_gateway", None));
    assert_eq!(s.me(&s.alice.access_token).await.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(s.me(&s.alice.access_token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn go_down_refuses_connections_and_come_up_keeps_state() {
    let s = setup().await;
    let id = s.post_text("before").await;
    let port = s.fake.port();
    s.fake.go_down().await;
    let error = s.client.get(s.url("/api/me")).send().await.unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    s.fake.come_up().await.unwrap();
    assert_eq!(s.fake.port(), port);
    assert_eq!(s.me(&s.alice.access_token).await.status(), StatusCode::OK);
    assert_eq!(s.listed_ids(&[]).await, vec![id]);
    assert_eq!(s.fake.posts().len(), 1);
}

#[tokio::test]
async fn go_down_cuts_open_connections() {
    let s = setup().await;
    s.fake.push_fault(Fault::Hang);
    let hanging = tokio::spawn(s.post_request(&s.alice.access_token, json!({"text": "hi"})).send());
    while s.fake.request_count("/api/posts") == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    s.fake.go_down().await;
    let outcome = tokio::time::timeout(Duration::from_secs(2), hanging).await;
    let error = outcome.expect("cut before the client's timeout").unwrap().unwrap_err();
    assert!(!error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn start_on_serves_the_given_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let fake = FakePlatform::start_on(port).await.unwrap();
    assert_eq!(fake.port(), port);
    assert_eq!(fake.base_url(), format!("http://127.0.0.1:{port}"));
    let response = reqwest::get(format!("{}/api/me", fake.base_url())).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_refused() {
    let s = setup().await;
    s.fake.expire_all_tokens();
    assert_eq!(s.me(&s.alice.access_token).await.status(), StatusCode::UNAUTHORIZED);
    let refreshed: Value = s.refresh(&s.alice.refresh_token).await.json().await.unwrap();
    let new_refresh = refreshed["refresh_token"].as_str().unwrap();
    s.fake.revoke_refresh_tokens();
    let refused = s.refresh(new_refresh).await;
    assert_error(refused, StatusCode::BAD_REQUEST, "invalid_grant").await;
    let reconnected = s.fake.add_account("alice");
    assert_eq!(s.me(&reconnected.access_token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn latency_delays_answers_but_not_the_arrival_time() {
    let s = setup().await;
    let latency = Duration::from_millis(200);
    s.fake.set_latency(latency);
    let started = std::time::Instant::now();
    s.post_text("slow").await;
    assert!(started.elapsed() >= latency);
    let post = &s.fake.posts()[0];
    let waited = (post.created_at - post.received_at).to_std().unwrap();
    assert!(waited >= latency, "{waited:?}");
}

#[tokio::test]
async fn every_request_is_logged() {
    let s = setup().await;
    s.post_text("one").await;
    s.me("bad").await;
    s.client.get(s.url("/nowhere")).send().await.unwrap();
    let requests = s.fake.requests();
    let logged: Vec<_> =
        requests.iter().map(|r| (r.method.as_str(), r.path.as_str(), r.status)).collect();
    let expected = vec![
        ("POST", "/api/posts", Some(201)),
        ("GET", "/api/me", Some(401)),
        ("GET", "/nowhere", Some(404)),
    ];
    assert_eq!(logged, expected);
    assert_eq!(s.fake.request_count("/api/"), 2);
    assert!(requests.windows(2).all(|pair| pair[0].at <= pair[1].at));
}

#[tokio::test]
async fn duplicates_and_waiting_for_posts() {
    let s = setup().await;
    let bob = s.fake.add_account("bob");
    s.post_text("same").await;
    s.post_text("other").await;
    assert!(s.fake.duplicates().is_empty());
    s.post(&bob.access_token, json!({"text": "same"})).await;
    assert!(s.fake.duplicates().is_empty());
    s.post_text("same").await;
    let duplicates = s.fake.duplicates();
    assert_eq!(duplicates.len(), 1);
    assert_eq!(
        (duplicates[0].account_handle.as_str(), duplicates[0].text.as_str()),
        ("alice", "same")
    );
    assert_eq!(duplicates[0].count, 2);

    assert_eq!(s.fake.wait_for_posts(4, Duration::from_secs(1)).await.len(), 4);
    let started = std::time::Instant::now();
    let posts = s.fake.wait_for_posts(5, Duration::from_millis(100)).await;
    assert_eq!(posts.len(), 4);
    assert!(started.elapsed() >= Duration::from_millis(100));
}
