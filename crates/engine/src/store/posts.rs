//! Posts and their targets: writing a post with the accounts it goes to, reading one back with
//! per-item results, the calendar window and the drafts/queue lists.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::{Result, Store, StoreError, from_ms, json_col, limit_clause, ms, to_json};
use crate::model::{
    CalendarDay, ItemResult, Post, PostStatus, PostSummary, Target, TargetError, TargetState,
    ThreadItem,
};

/// One account a post goes to, as written by the composer or the API.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInput {
    pub account_id: String,
    pub custom_items: Option<Vec<ThreadItem>>,
    pub settings: serde_json::Value,
}

/// Which posts a list returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostFilter {
    /// Due at or after (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Due before (exclusive).
    pub to: Option<DateTime<Utc>>,
    pub status: Option<PostStatus>,
    pub account_id: Option<String>,
    /// Only posts with no time (unscheduled drafts).
    pub unscheduled: bool,
    pub limit: Option<u32>,
}

/// The fields of a post as the store writes them.
pub struct PostWrite<'a> {
    pub id: &'a str,
    pub items: &'a [ThreadItem],
    pub tags: &'a [String],
    pub scheduled_at: Option<DateTime<Utc>>,
    pub time_zone: &'a str,
    pub is_draft: bool,
    pub targets: &'a [TargetInput],
}

const TARGET_COLUMNS: &str = "t.id, t.post_id, t.account_id, a.platform, t.custom_items, t.settings,
    t.state, t.attempts, t.next_attempt_at, t.error_code, t.error_message, t.error_status, t.error_at";

fn target_from_row(row: &Row<'_>) -> rusqlite::Result<Target> {
    let state: String = row.get(6)?;
    let custom: Option<String> = row.get(4)?;
    let error_message: Option<String> = row.get(10)?;
    Ok(Target {
        id: row.get(0)?,
        post_id: row.get(1)?,
        account_id: row.get(2)?,
        platform: row.get(3)?,
        custom_items: custom.as_deref().map(json_col).transpose()?,
        settings: json_col(&row.get::<_, String>(5)?)?,
        state: TargetState::parse(&state).unwrap_or(TargetState::Failed),
        attempts: row.get(7)?,
        next_attempt_at: row.get::<_, Option<i64>>(8)?.map(from_ms),
        results: Vec::new(),
        last_error: match error_message {
            Some(message) => Some(TargetError {
                code: row.get(9)?,
                message,
                http_status: row.get(11)?,
                at: from_ms(row.get::<_, Option<i64>>(12)?.unwrap_or_default()),
            }),
            None => None,
        },
    })
}

fn result_from_row(row: &Row<'_>) -> rusqlite::Result<(String, ItemResult)> {
    Ok((
        row.get(0)?,
        ItemResult {
            position: row.get(1)?,
            remote_id: row.get(2)?,
            url: row.get(3)?,
            extra: json_col(&row.get::<_, String>(4)?)?,
            published_at: from_ms(row.get(5)?),
        },
    ))
}

struct PostRow {
    id: String,
    items: Vec<ThreadItem>,
    tags: Vec<String>,
    scheduled_at: Option<DateTime<Utc>>,
    time_zone: String,
    is_draft: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const POST_COLUMNS: &str =
    "p.id, p.items, p.tags, p.scheduled_at, p.time_zone, p.is_draft, p.created_at, p.updated_at";

fn post_row(row: &Row<'_>) -> rusqlite::Result<PostRow> {
    Ok(PostRow {
        id: row.get(0)?,
        items: json_col(&row.get::<_, String>(1)?)?,
        tags: json_col(&row.get::<_, String>(2)?)?,
        scheduled_at: row.get::<_, Option<i64>>(3)?.map(from_ms),
        time_zone: row.get(4)?,
        is_draft: row.get(5)?,
        created_at: from_ms(row.get(6)?),
        updated_at: from_ms(row.get(7)?),
    })
}

impl Store {
    /// Writes a new post and its targets in one transaction.
    pub fn insert_post(&self, post: &PostWrite<'_>) -> Result<Post> {
        let now = Utc::now();
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO posts (id, items, tags, scheduled_at, time_zone, is_draft,
                                    created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                post_params(post, now),
            )?;
            for target in post.targets {
                insert_target(&tx, post, target, now)?;
            }
            tx.commit()?;
        }
        self.post(post.id)
    }

    /// Rewrites a post: its content, tags, time and accounts. Targets already published, being
    /// published or unconfirmed keep their state and content; targets their platform holds
    /// take the new content and stay held until the hand-off worker has moved or taken back
    /// the held post; the others are re-armed for the new time (or become drafts).
    pub fn update_post(&self, post: &PostWrite<'_>) -> Result<Post> {
        let now = Utc::now();
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            let changed = tx.execute(
                "UPDATE posts SET items = ?2, tags = ?3, scheduled_at = ?4, time_zone = ?5,
                                  is_draft = ?6, updated_at = ?7
                 WHERE id = ?1",
                post_params(post, now),
            )?;
            if changed == 0 {
                return Err(StoreError::not_found("post", post.id));
            }
            let existing = target_states(&tx, post.id)?;
            for (account_id, (target_id, state)) in &existing {
                let kept = post.targets.iter().any(|t| &t.account_id == account_id);
                if !kept && is_settled_or_live(*state) {
                    return Err(StoreError::Conflict(format!(
                        "the post is already {} on account {account_id}; it cannot be removed from it",
                        state.as_str()
                    )));
                }
                if !kept {
                    tx.execute("DELETE FROM targets WHERE id = ?1", [target_id])?;
                }
            }
            for target in post.targets {
                match existing.get(&target.account_id) {
                    Some((_, state)) if is_settled_or_live(*state) => {}
                    Some((target_id, TargetState::HandedOff)) => {
                        edit_handed_off(&tx, target_id, target, now)?;
                    }
                    Some((target_id, _)) => rearm_target(&tx, post, target_id, target, now)?,
                    None => insert_target(&tx, post, target, now)?,
                }
            }
            tx.commit()?;
        }
        self.post(post.id)
    }

    pub fn post(&self, id: &str) -> Result<Post> {
        let conn = self.conn();
        let sql = format!("SELECT {POST_COLUMNS} FROM posts p WHERE p.id = ?1");
        let row = conn
            .query_row(&sql, [id], post_row)
            .optional()?
            .ok_or_else(|| StoreError::not_found("post", id))?;
        let mut posts = assemble(&conn, vec![row])?;
        Ok(posts.remove(0))
    }

    /// Full posts matching a filter, ordered by time (unscheduled last).
    pub fn posts(&self, filter: &PostFilter) -> Result<Vec<Post>> {
        let conn = self.conn();
        let mut sql = format!("SELECT {POST_COLUMNS} FROM posts p WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if filter.unscheduled {
            sql.push_str(" AND p.scheduled_at IS NULL");
        }
        if let Some(from) = filter.from {
            args.push(ms(from).into());
            sql.push_str(&format!(" AND p.scheduled_at >= ?{}", args.len()));
        }
        if let Some(to) = filter.to {
            args.push(ms(to).into());
            sql.push_str(&format!(" AND p.scheduled_at < ?{}", args.len()));
        }
        if let Some(account) = &filter.account_id {
            args.push(account.clone().into());
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM targets t WHERE t.post_id = p.id AND t.account_id = ?{})",
                args.len()
            ));
        }
        sql.push_str(" ORDER BY p.scheduled_at IS NULL, p.scheduled_at, p.created_at");
        let rows: Vec<PostRow> = {
            let mut stmt = conn.prepare(&sql)?;
            stmt.query_map(rusqlite::params_from_iter(args), post_row)?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut posts = assemble(&conn, rows)?;
        if let Some(status) = filter.status {
            posts.retain(|p| p.status == status);
        }
        if let Some(limit) = filter.limit {
            posts.truncate(limit as usize);
        }
        Ok(posts)
    }

    /// The calendar's view of a time window: one summary per post, in one query.
    pub fn calendar(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<PostSummary>> {
        summaries(&self.conn(), from, to, None)
    }

    /// The month view: for each day (`bounds` holds each day's start and, last, the end of the
    /// last day) its earliest `per_day` posts and how many it has in all. Its cost follows the
    /// posts shown, not the posts in the window. One read transaction: the days are read from
    /// one snapshot, and the file is locked once, not once per query.
    pub fn calendar_days(
        &self,
        bounds: &[DateTime<Utc>],
        per_day: u32,
    ) -> Result<Vec<CalendarDay>> {
        let mut conn = self.conn();
        let read = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let mut count = read.prepare_cached(
            "SELECT count(*) FROM posts WHERE scheduled_at >= ?1 AND scheduled_at < ?2",
        )?;
        let mut days = Vec::with_capacity(bounds.len().saturating_sub(1));
        for day in bounds.windows(2) {
            let total: u32 = count.query_row(params![ms(day[0]), ms(day[1])], |r| r.get(0))?;
            let posts = match total {
                0 => Vec::new(),
                _ => summaries(&read, day[0], day[1], Some(per_day))?,
            };
            days.push(CalendarDay { start: day[0], total, posts });
        }
        drop(count);
        read.commit()?;
        Ok(days)
    }

    pub fn delete_post(&self, id: &str) -> Result<()> {
        if self.conn().execute("DELETE FROM posts WHERE id = ?1", [id])? == 0 {
            return Err(StoreError::not_found("post", id));
        }
        Ok(())
    }

    /// The post a target belongs to.
    pub fn post_id_of_target(&self, target_id: &str) -> Result<String> {
        self.conn()
            .query_row("SELECT post_id FROM targets WHERE id = ?1", [target_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::not_found("post", target_id))
    }

    /// Removes one account's target from a post (the post goes when it has none left).
    pub fn delete_target(&self, target_id: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let post_id: String = tx
            .query_row("SELECT post_id FROM targets WHERE id = ?1", [target_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::not_found("target", target_id))?;
        tx.execute("DELETE FROM targets WHERE id = ?1", [target_id])?;
        tx.execute(
            "DELETE FROM posts WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM targets WHERE post_id = ?1)",
            [post_id],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// A post's columns in the order both `INSERT` and `UPDATE` number them (?1 to ?7).
fn post_params(post: &PostWrite<'_>, now: DateTime<Utc>) -> impl rusqlite::Params {
    (
        post.id.to_owned(),
        to_json(&post.items),
        to_json(&post.tags),
        post.scheduled_at.map(ms),
        post.time_zone.to_owned(),
        post.is_draft,
        ms(now),
    )
}

/// Published, in flight or unconfirmed: the platform may have it, so edits leave it alone.
fn is_settled_or_live(state: TargetState) -> bool {
    matches!(state, TargetState::Published | TargetState::Publishing | TargetState::Unconfirmed)
}

fn initial_state(post: &PostWrite<'_>) -> (TargetState, Option<i64>) {
    if post.is_draft {
        (TargetState::Draft, None)
    } else {
        (TargetState::Scheduled, post.scheduled_at.map(ms))
    }
}

fn insert_target(
    tx: &Transaction<'_>,
    post: &PostWrite<'_>,
    target: &TargetInput,
    now: DateTime<Utc>,
) -> Result<()> {
    let (state, next) = initial_state(post);
    tx.execute(
        "INSERT INTO targets (id, post_id, account_id, custom_items, settings, state,
                              next_attempt_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            crate::model::new_id(),
            post.id,
            target.account_id,
            target.custom_items.as_ref().map(to_json),
            to_json(&target.settings),
            state.as_str(),
            next,
            ms(now),
        ],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
        {
            StoreError::not_found("account", &target.account_id)
        }
        other => other.into(),
    })?;
    Ok(())
}

fn rearm_target(
    tx: &Transaction<'_>,
    post: &PostWrite<'_>,
    target_id: &str,
    target: &TargetInput,
    now: DateTime<Utc>,
) -> Result<()> {
    let (state, next) = initial_state(post);
    tx.execute(
        "UPDATE targets SET custom_items = ?2, settings = ?3, state = ?4, next_attempt_at = ?5,
                attempts = 0, error_code = NULL, error_message = NULL, error_status = NULL,
                error_at = NULL, updated_at = ?6
         WHERE id = ?1",
        params![
            target_id,
            target.custom_items.as_ref().map(to_json),
            to_json(&target.settings),
            state.as_str(),
            next,
            ms(now),
        ],
    )?;
    Ok(())
}

/// A held target takes the new content; its hand-off is looked at now (moved to the new
/// time, or taken back from the server when the content or the wish changed).
fn edit_handed_off(
    tx: &Transaction<'_>,
    target_id: &str,
    target: &TargetInput,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "UPDATE targets SET custom_items = ?2, settings = ?3, updated_at = ?4 WHERE id = ?1",
        params![
            target_id,
            target.custom_items.as_ref().map(to_json),
            to_json(&target.settings),
            ms(now),
        ],
    )?;
    tx.execute(
        "UPDATE hand_offs SET next_check_at = ?2, checks = 0, marks = marks + 1
         WHERE target_id = ?1",
        params![target_id, ms(now)],
    )?;
    Ok(())
}

fn target_states(
    tx: &Transaction<'_>,
    post_id: &str,
) -> Result<HashMap<String, (String, TargetState)>> {
    let mut stmt = tx.prepare("SELECT account_id, id, state FROM targets WHERE post_id = ?1")?;
    let rows = stmt.query_map([post_id], |r| {
        let state: String = r.get(2)?;
        Ok((r.get(0)?, (r.get(1)?, TargetState::parse(&state).unwrap_or(TargetState::Failed))))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Loads the targets and results of the given posts and derives each post's status.
fn assemble(conn: &rusqlite::Connection, rows: Vec<PostRow>) -> Result<Vec<Post>> {
    let mut posts = Vec::with_capacity(rows.len());
    let mut target_stmt = conn.prepare_cached(&format!(
        "SELECT {TARGET_COLUMNS} FROM targets t JOIN accounts a ON a.id = t.account_id
         WHERE t.post_id = ?1 ORDER BY a.platform, a.handle"
    ))?;
    let mut result_stmt = conn.prepare_cached(
        "SELECT r.target_id, r.position, r.remote_id, r.url, r.extra, r.published_at
         FROM item_results r JOIN targets t ON t.id = r.target_id
         WHERE t.post_id = ?1 ORDER BY r.position",
    )?;
    for row in rows {
        let mut targets: Vec<Target> =
            target_stmt.query_map([&row.id], target_from_row)?.collect::<rusqlite::Result<_>>()?;
        for result in result_stmt.query_map([&row.id], result_from_row)? {
            let (target_id, result) = result?;
            if let Some(target) = targets.iter_mut().find(|t| t.id == target_id) {
                target.results.push(result);
            }
        }
        let states: Vec<_> = targets.iter().map(|t| t.state).collect();
        posts.push(Post {
            status: PostStatus::derive(row.is_draft, &states),
            id: row.id,
            items: row.items,
            tags: row.tags,
            scheduled_at: row.scheduled_at,
            time_zone: row.time_zone,
            is_draft: row.is_draft,
            targets,
            created_at: row.created_at,
            updated_at: row.updated_at,
        });
    }
    Ok(posts)
}

/// The posts scheduled in `[?1, ?2)`, earliest first, at most `limit`, each joined to its
/// targets' accounts and states. Those come from the `targets_by_post` index alone, not from
/// each target's row.
fn summaries_query(limit: Option<u32>) -> String {
    format!(
        "SELECT p.id, substr(coalesce(json_extract(p.items, '$[0].text'), ''), 1, 140),
                p.scheduled_at, p.time_zone, p.is_draft, p.tags,
                t.account_id, a.platform, t.state
         FROM (SELECT * FROM posts WHERE scheduled_at >= ?1 AND scheduled_at < ?2
               ORDER BY scheduled_at {}) p
         LEFT JOIN targets t ON t.post_id = p.id
         LEFT JOIN accounts a ON a.id = t.account_id
         ORDER BY p.scheduled_at, p.id",
        limit_clause(limit),
    )
}

/// One summary per post scheduled in `[from, to)`, earliest first, at most `limit` posts.
fn summaries(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: Option<u32>,
) -> Result<Vec<PostSummary>> {
    let mut stmt = conn.prepare_cached(&summaries_query(limit))?;
    let mut rows = stmt.query(params![ms(from), ms(to)])?;
    let mut out: Vec<(PostSummary, bool)> = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        if out.last().is_none_or(|(s, _)| s.id != id) {
            out.push((
                PostSummary {
                    id,
                    preview: row.get(1)?,
                    scheduled_at: row.get::<_, Option<i64>>(2)?.map(from_ms),
                    time_zone: row.get(3)?,
                    status: PostStatus::Draft,
                    tags: json_col(&row.get::<_, String>(5)?)?,
                    targets: Vec::new(),
                },
                row.get(4)?,
            ));
        }
        if let Some(account) = row.get::<_, Option<String>>(6)? {
            let state: String = row.get(8)?;
            let state = TargetState::parse(&state).unwrap_or(TargetState::Failed);
            out.last_mut().expect("pushed above").0.targets.push((account, row.get(7)?, state));
        }
    }
    Ok(out
        .into_iter()
        .map(|(mut summary, is_draft)| {
            let states: Vec<_> = summary.targets.iter().map(|t| t.2).collect();
            summary.status = PostStatus::derive(is_draft, &states);
            summary
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_reads_targets_from_their_post_index_alone() {
        let plan = crate::store::query_plan(&summaries_query(Some(3)), [0, 1]);
        assert!(
            plan.iter().any(|step| step.contains("USING COVERING INDEX targets_by_post")),
            "the calendar reads each target's row: {plan:?}"
        );
    }
}
