//! Media library operations: importing files and uploads, alt text, listing and removing.

use std::path::Path;

use chrono::Utc;

use super::{ErrorCode, Operations, OpsError, OpsResult};
use crate::media_library::{self, MediaError, StoredFile};
use crate::model::{Media, new_id};
use crate::remote_media::{self, FetchError};

/// The largest image the local API accepts (the reference API's limit).
const UPLOADED_IMAGE_MAX_BYTES: u64 = 10 * 1024 * 1024;

impl Operations {
    /// Copies a file the user picked into the library.
    pub async fn import_media(&self, path: &Path, alt: Option<String>) -> OpsResult<Media> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.store_media_file(path, &name, alt).await
    }

    /// Stores a file uploaded through the local API (received into `path`, named `name` by
    /// the client). Images are limited to 10 MB and videos to 1 GB, as the reference API
    /// limits them.
    pub async fn upload_media_file(
        &self,
        path: &Path,
        name: &str,
        alt: Option<String>,
    ) -> OpsResult<Media> {
        let src = path.to_owned();
        let inspected_name = name.to_owned();
        let facts =
            tokio::task::spawn_blocking(move || media_library::inspect(&src, &inspected_name))
                .await
                .map_err(|e| OpsError::new(ErrorCode::Internal, e.to_string()))?
                .map_err(media_error)?;
        if !facts.is_video() && facts.size_bytes > UPLOADED_IMAGE_MAX_BYTES {
            return Err(OpsError {
                field: Some("file".into()),
                ..OpsError::new(ErrorCode::TooLarge, "Images can be at most 10 MB.")
            });
        }
        self.store_media_file(path, name, alt).await
    }

    /// Downloads a file from a public http(s) address into the library, like an upload
    /// (addresses on this machine or its network are refused, also after redirects).
    pub async fn import_media_from_url(&self, url: &str, alt: Option<String>) -> OpsResult<Media> {
        let mut temp = tempfile::NamedTempFile::new()
            .map_err(|e| OpsError::new(ErrorCode::Internal, e.to_string()))?;
        let downloaded = remote_media::download(
            url,
            temp.as_file_mut(),
            &self.core.config.remote_media,
            self.core.config.http_timeout,
            media_library::MAX_FILE_BYTES,
        )
        .await
        .map_err(|e| {
            let code = match e {
                FetchError::TooLarge(_) => ErrorCode::TooLarge,
                _ => ErrorCode::InvalidInput,
            };
            OpsError { field: Some("url".into()), ..OpsError::new(code, e.to_string()) }
        })?;
        self.upload_media_file(temp.path(), &downloaded.name, alt).await
    }

    async fn store_media_file(
        &self,
        path: &Path,
        name: &str,
        alt: Option<String>,
    ) -> OpsResult<Media> {
        let dir = self.core.media_dir().to_owned();
        let src = path.to_owned();
        let stored_name = name.to_owned();
        let stored = tokio::task::spawn_blocking(move || {
            media_library::store_file(&dir, &src, &stored_name)
        })
        .await
        .map_err(|e| OpsError::new(ErrorCode::Internal, e.to_string()))?;
        self.add_media(stored, name, alt)
    }

    /// Stores uploaded bytes in the library (the local API's uploads).
    pub async fn upload_media(
        &self,
        bytes: Vec<u8>,
        name: &str,
        alt: Option<String>,
    ) -> OpsResult<Media> {
        let dir = self.core.media_dir().to_owned();
        let stored_name = name.to_owned();
        let stored = tokio::task::spawn_blocking(move || {
            media_library::store_bytes(&dir, &bytes, &stored_name)
        })
        .await
        .map_err(|e| OpsError::new(ErrorCode::Internal, e.to_string()))?;
        self.add_media(stored, name, alt)
    }

    fn add_media(
        &self,
        stored: Result<StoredFile, MediaError>,
        name: &str,
        alt: Option<String>,
    ) -> OpsResult<Media> {
        let stored = stored.map_err(media_error)?;
        let media = Media {
            id: new_id(),
            original_name: name.to_owned(),
            path: stored.path.to_string_lossy().into_owned(),
            sha256: stored.sha256,
            facts: stored.facts,
            alt,
            created_at: Utc::now(),
        };
        Ok(self.core.store.insert_media(&media)?)
    }

    pub fn media_list(&self) -> OpsResult<Vec<Media>> {
        Ok(self.core.store.media_list()?)
    }

    pub fn media(&self, id: &str) -> OpsResult<Media> {
        Ok(self.core.store.media(id)?)
    }

    pub fn set_media_alt(&self, id: &str, alt: Option<&str>) -> OpsResult<Media> {
        self.core.store.set_media_alt(id, alt.map(str::trim).filter(|a| !a.is_empty()))?;
        Ok(self.core.store.media(id)?)
    }

    /// Removes a file no post uses any more.
    pub fn delete_media(&self, id: &str) -> OpsResult<()> {
        let media = self.core.store.media(id)?;
        if self.core.store.media_in_use(id)? {
            return Err(OpsError::conflict(format!(
                "{} is used by a post; remove it from the post first.",
                media.original_name
            )));
        }
        self.core.store.delete_media(id)?;
        if let Err(e) = std::fs::remove_file(&media.path) {
            tracing::warn!(error = %e, "media file already gone from the library folder");
        }
        Ok(())
    }
}

fn media_error(e: MediaError) -> OpsError {
    let code = match e {
        MediaError::TooLarge { .. } => ErrorCode::TooLarge,
        MediaError::Read { .. }
        | MediaError::Unsupported { .. }
        | MediaError::Empty { .. }
        | MediaError::Damaged { .. } => ErrorCode::InvalidInput,
        MediaError::Write(_) => ErrorCode::Internal,
    };
    OpsError { field: Some("file".into()), ..OpsError::new(code, e.to_string()) }
}
