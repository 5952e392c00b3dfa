//! The media library's rows: one per distinct file content.

use rusqlite::{OptionalExtension, Row, params};

use super::{Result, Store, StoreError, from_ms, ms};
use crate::model::{Media, MediaFacts};

const COLUMNS: &str = "id, original_name, path, sha256, mime, size_bytes, width, height,
    duration_ms, alt, created_at";

fn media_from_row(row: &Row<'_>) -> rusqlite::Result<Media> {
    Ok(Media {
        id: row.get(0)?,
        original_name: row.get(1)?,
        path: row.get(2)?,
        sha256: row.get(3)?,
        facts: MediaFacts {
            mime: row.get(4)?,
            size_bytes: row.get(5)?,
            width: row.get(6)?,
            height: row.get(7)?,
            duration_ms: row.get(8)?,
        },
        alt: row.get(9)?,
        created_at: from_ms(row.get(10)?),
    })
}

impl Store {
    /// Adds a media row, or returns the existing one with the same content hash.
    pub fn insert_media(&self, media: &Media) -> Result<Media> {
        let conn = self.conn();
        conn.execute(
            &format!(
                "INSERT INTO media ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (sha256) DO NOTHING"
            ),
            params![
                media.id,
                media.original_name,
                media.path,
                media.sha256,
                media.facts.mime,
                media.facts.size_bytes,
                media.facts.width,
                media.facts.height,
                media.facts.duration_ms,
                media.alt,
                ms(media.created_at),
            ],
        )?;
        let sql = format!("SELECT {COLUMNS} FROM media WHERE sha256 = ?1");
        Ok(conn.query_row(&sql, [&media.sha256], media_from_row)?)
    }

    pub fn media_by_hash(&self, sha256: &str) -> Result<Option<Media>> {
        let sql = format!("SELECT {COLUMNS} FROM media WHERE sha256 = ?1");
        Ok(self.conn().query_row(&sql, [sha256], media_from_row).optional()?)
    }

    pub fn media(&self, id: &str) -> Result<Media> {
        let sql = format!("SELECT {COLUMNS} FROM media WHERE id = ?1");
        self.conn()
            .query_row(&sql, [id], media_from_row)
            .optional()?
            .ok_or_else(|| StoreError::not_found("media", id))
    }

    /// The library, newest first.
    pub fn media_list(&self) -> Result<Vec<Media>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare(&format!("SELECT {COLUMNS} FROM media ORDER BY created_at DESC"))?;
        let rows = stmt.query_map([], media_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_media_alt(&self, id: &str, alt: Option<&str>) -> Result<()> {
        if self.conn().execute("UPDATE media SET alt = ?2 WHERE id = ?1", params![id, alt])? == 0 {
            return Err(StoreError::not_found("media", id));
        }
        Ok(())
    }

    /// Whether any post or target still refers to the media file.
    pub fn media_in_use(&self, id: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (
                 SELECT 1 FROM posts p, json_each(p.items) i, json_each(i.value, '$.media') m
                 WHERE json_extract(m.value, '$.media_id') = ?1
                 UNION ALL
                 SELECT 1 FROM targets t, json_each(t.custom_items) i, json_each(i.value, '$.media') m
                 WHERE t.custom_items IS NOT NULL AND json_extract(m.value, '$.media_id') = ?1)",
            [id],
            |r| r.get(0),
        )?)
    }

    pub fn delete_media(&self, id: &str) -> Result<()> {
        if self.conn().execute("DELETE FROM media WHERE id = ?1", [id])? == 0 {
            return Err(StoreError::not_found("media", id));
        }
        Ok(())
    }
}
