//! The OpenAPI document's frame: title, version, tags and the `Authorization` key scheme.
//! The paths and schemas come from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Content, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sipstory local Public API",
        description = "Schedule posts into Sipstory's local queue from scripts and assistants. \
            Send a key from Settings → Local API in the Authorization header.",
        license(name = "MIT")
    ),
    modifiers(&KeyScheme),
    security(("api_key" = [])),
    tags(
        (name = "Integrations", description = "Connected channels"),
        (name = "Posts", description = "Posts, one per channel"),
        (name = "Uploads", description = "Media files"),
        (name = "Notifications", description = "What happened"),
        (name = "Analytics", description = "Not supported yet")
    )
)]
struct Base;

struct KeyScheme;

impl Modify for KeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "The key itself, or `Bearer <key>`",
            ))),
        );
    }
}

pub fn base() -> utoipa::openapi::OpenApi {
    Base::openapi()
}

/// Adds the answers every operation can give to the generated paths: 401 without a valid key,
/// and for those with a JSON body 400 (malformed), 413 (too large), 415 (not JSON) and 422
/// (wrong shape), each with the one error body.
pub fn add_common_errors(openapi: &mut utoipa::openapi::OpenApi) {
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody"))))
            .build()
    };
    for item in openapi.paths.paths.values_mut() {
        let operations =
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            let with_body = operation.request_body.is_some();
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses.entry(status.to_owned()).or_insert_with(|| error(description).into());
            };
            add("401", "No API key, or an invalid one");
            if with_body {
                add("400", "A malformed body or a bad field");
                add("413", "The body is too large");
                add("415", "The body is not of the documented content type");
                add("422", "The body does not have the documented shape");
            }
        }
    }
}
