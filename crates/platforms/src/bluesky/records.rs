//! The AT Protocol shapes Sipstory reads and writes: post records with facets, embeds and
//! reply references, `at://` URIs, and the answers of createRecord, uploadBlob and
//! listRecords.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::richtext::{Feature, Span};

pub const POST: &str = "app.bsky.feed.post";

/// A record's address and version, as reply references need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrongRef {
    pub uri: String,
    pub cid: String,
}

/// The parts of `at://{repo}/{collection}/{rkey}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtUri<'a> {
    pub repo: &'a str,
    pub collection: &'a str,
    pub rkey: &'a str,
}

impl<'a> AtUri<'a> {
    pub fn parse(uri: &'a str) -> Option<Self> {
        let mut parts = uri.strip_prefix("at://")?.splitn(3, '/');
        let (repo, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
        (!repo.is_empty() && !collection.is_empty() && !rkey.is_empty() && !rkey.contains('/'))
            .then_some(Self { repo, collection, rkey })
    }
}

/// The post's address in the Bluesky app.
pub fn app_url(handle: &str, uri: &AtUri<'_>) -> String {
    format!("https://bsky.app/profile/{handle}/post/{}", uri.rkey)
}

/// A resolved facet: a span whose mention has a DID.
pub struct Facet<'a> {
    pub span: &'a Span,
    /// For mentions: the DID the handle resolved to.
    pub did: Option<String>,
}

/// One image of an `app.bsky.embed.images` embed.
pub struct Image {
    pub blob: Value,
    pub alt: String,
}

/// A link card (`app.bsky.embed.external`).
pub struct External {
    pub uri: String,
    pub title: String,
    pub description: String,
    pub thumb: Option<Value>,
}

pub enum Embed {
    Images(Vec<Image>),
    External(External),
}

pub struct Reply {
    pub root: StrongRef,
    pub parent: StrongRef,
}

/// An `app.bsky.feed.post` record.
pub fn post(
    text: &str,
    created_at: DateTime<Utc>,
    facets: &[Facet<'_>],
    embed: Option<&Embed>,
    reply: Option<&Reply>,
) -> Value {
    let mut record = json!({
        "$type": POST,
        "text": text,
        "createdAt": created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
    });
    let facets: Vec<Value> = facets.iter().filter_map(facet).collect();
    if !facets.is_empty() {
        record["facets"] = Value::Array(facets);
    }
    if let Some(embed) = embed {
        record["embed"] = embed_json(embed);
    }
    if let Some(reply) = reply {
        record["reply"] = json!({ "root": reply.root, "parent": reply.parent });
    }
    record
}

fn facet(facet: &Facet<'_>) -> Option<Value> {
    let feature = match (&facet.span.feature, &facet.did) {
        (Feature::Link(uri), _) => json!({ "$type": "app.bsky.richtext.facet#link", "uri": uri }),
        (Feature::Mention(_), Some(did)) => {
            json!({ "$type": "app.bsky.richtext.facet#mention", "did": did })
        }
        (Feature::Mention(_), None) => return None,
        (Feature::Tag(tag), _) => json!({ "$type": "app.bsky.richtext.facet#tag", "tag": tag }),
    };
    Some(json!({
        "index": { "byteStart": facet.span.byte_start, "byteEnd": facet.span.byte_end },
        "features": [feature],
    }))
}

fn embed_json(embed: &Embed) -> Value {
    match embed {
        Embed::Images(images) => json!({
            "$type": "app.bsky.embed.images",
            "images": images
                .iter()
                .map(|i| json!({ "alt": i.alt, "image": i.blob }))
                .collect::<Vec<_>>(),
        }),
        Embed::External(card) => {
            let mut external = json!({
                "uri": card.uri,
                "title": card.title,
                "description": card.description,
            });
            if let Some(thumb) = &card.thumb {
                external["thumb"] = thumb.clone();
            }
            json!({ "$type": "app.bsky.embed.external", "external": external })
        }
    }
}

/// The answer of createRecord and getRecord.
#[derive(Debug, Deserialize)]
pub struct Written {
    pub uri: String,
    pub cid: String,
}

/// The answer of uploadBlob; the blob is passed on as the PDS wrote it.
#[derive(Debug, Deserialize)]
pub struct Uploaded {
    pub blob: Value,
}

/// One page of listRecords.
#[derive(Debug, Deserialize)]
pub struct RecordPage {
    pub records: Vec<ListedRecord>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ListedRecord {
    pub uri: String,
    pub cid: String,
    pub value: PostValue,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostValue {
    #[serde(default)]
    pub text: String,
    pub created_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_at_uris() {
        let uri = AtUri::parse("at://did:plc:abc/app.bsky.feed.post/3k2a").unwrap();
        assert_eq!((uri.repo, uri.collection, uri.rkey), ("did:plc:abc", POST, "3k2a"));
        assert!(AtUri::parse("https://bsky.app/x").is_none());
        assert!(AtUri::parse("at://did:plc:abc/app.bsky.feed.post").is_none());
    }

    #[test]
    fn unresolved_mentions_are_left_out() {
        let spans = super::super::richtext::detect("hi @nobody.test #tag");
        let facets: Vec<Facet<'_>> = spans.iter().map(|span| Facet { span, did: None }).collect();
        let record = post("hi @nobody.test #tag", Utc::now(), &facets, None, None);
        let features = &record["facets"];
        assert_eq!(features.as_array().unwrap().len(), 1);
        assert_eq!(features[0]["features"][0]["tag"], "tag");
        assert_eq!(features[0]["index"]["byteStart"], 16);
    }
}
