//! Files in the media library: copied into the app-data dir and described by their facts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What validation needs to know about a media file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaFacts {
    pub mime: String,
    pub size_bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
}

impl MediaFacts {
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/") && self.mime != "image/gif"
    }
    pub fn is_gif(&self) -> bool {
        self.mime == "image/gif"
    }
    pub fn is_video(&self) -> bool {
        self.mime.starts_with("video/")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    pub id: String,
    /// The name of the file the user picked.
    pub original_name: String,
    /// Absolute path of the library copy.
    pub path: String,
    /// Hex SHA-256 of the content; identical files are stored once.
    pub sha256: String,
    #[serde(flatten)]
    pub facts: MediaFacts,
    /// Default alt text; a thread item may override it.
    pub alt: Option<String>,
    pub created_at: DateTime<Utc>,
}
