//! The database schema as versioned migrations (`rusqlite_migration`, tracked in
//! `user_version`). Times are UTC milliseconds since the epoch. No secret is ever stored here.

use rusqlite_migration::{M, Migrations};

/// The `targets` table under `$name`, with `$states` the states a target may be in: V1 creates
/// it, and a migration that adds a state rebuilds it from the same columns (SQLite cannot change
/// a CHECK in place), then adds its indexes (`targets_indexes`).
macro_rules! targets_table {
    ($name:literal, $states:literal) => {
        concat!(
            "CREATE TABLE ",
            $name,
            r#" (
    id                 TEXT PRIMARY KEY,
    post_id            TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    account_id         TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    custom_items       TEXT,
    settings           TEXT NOT NULL DEFAULT '{}',
    state              TEXT NOT NULL CHECK (state IN
                       ("#,
            $states,
            r#")),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    INTEGER,
    lease_owner        TEXT,
    inflight_position  INTEGER,
    inflight_since     INTEGER,
    error_code         TEXT,
    error_message      TEXT,
    error_status       INTEGER,
    error_at           INTEGER,
    updated_at         INTEGER NOT NULL,
    UNIQUE (post_id, account_id)
);
"#
        )
    };
}

/// The indexes of the `targets` table that V1 created and V_HAND_OFF's rebuild made again. A
/// later rebuild must make them as they are now instead: `targets_hand_off` (see
/// `V_HAND_OFF_LOOKUP`) and `targets_by_post` with its later columns (see `V_CALENDAR_TARGETS`).
macro_rules! targets_indexes {
    () => {
        r#"CREATE INDEX targets_due ON targets (state, next_attempt_at);
CREATE INDEX targets_by_post ON targets (post_id);
CREATE INDEX targets_by_account ON targets (account_id, state);
"#
    };
}

/// The first schema, as released (its `targets` table comes from `targets_table!`; a test
/// keeps its text unchanged).
const V1: &str = concat!(
    r#"
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    platform      TEXT NOT NULL,
    handle        TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    avatar_url    TEXT,
    status        TEXT NOT NULL DEFAULT 'connected'
                  CHECK (status IN ('connected', 'needs_reconnect', 'disabled')),
    paused        INTEGER NOT NULL DEFAULT 0,
    settings      TEXT NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    UNIQUE (platform, handle)
);

CREATE TABLE posts (
    id            TEXT PRIMARY KEY,
    items         TEXT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '[]',
    scheduled_at  INTEGER,
    time_zone     TEXT NOT NULL,
    is_draft      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX posts_by_time ON posts (scheduled_at);

"#,
    targets_table!(
        "targets",
        "'draft', 'scheduled', 'publishing', 'unconfirmed', 'published', 'failed', 'missed'"
    ),
    targets_indexes!(),
    r#"
CREATE TABLE item_results (
    target_id     TEXT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    remote_id     TEXT NOT NULL,
    url           TEXT,
    extra         TEXT NOT NULL DEFAULT 'null',
    published_at  INTEGER NOT NULL,
    PRIMARY KEY (target_id, position)
);

CREATE TABLE media (
    id             TEXT PRIMARY KEY,
    original_name  TEXT NOT NULL,
    path           TEXT NOT NULL,
    sha256         TEXT NOT NULL UNIQUE,
    mime           TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL,
    width          INTEGER,
    height         INTEGER,
    duration_ms    INTEGER,
    alt            TEXT,
    created_at     INTEGER NOT NULL
);

CREATE TABLE time_slots (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    minute      INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    PRIMARY KEY (account_id, weekday, minute)
);

CREATE TABLE publish_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    post_id        TEXT,
    target_id      TEXT,
    account_id     TEXT,
    platform       TEXT,
    action         TEXT NOT NULL,
    endpoint       TEXT,
    http_status    INTEGER,
    error_code     TEXT,
    error_message  TEXT,
    duration_ms    INTEGER NOT NULL DEFAULT 0,
    attempt        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX publish_log_by_time ON publish_log (at);
CREATE INDEX publish_log_by_post ON publish_log (post_id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    post_id     TEXT,
    account_id  TEXT,
    link        TEXT,
    read        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notifications_by_time ON notifications (created_at);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
"#
);

/// The local API: its keys (only a SHA-256 of each, never the key), the first response to
/// each `Idempotency-Key` (so a retried request creates nothing new, even after a restart),
/// and outbound webhooks with their delivery outbox (secrets are in the keychain).
const V_LOCAL_API: &str = r#"
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    sha256        TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX api_keys_by_prefix ON api_keys (prefix);

CREATE TABLE idempotency_records (
    api_key_id    TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER,
    body          TEXT,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_records_by_time ON idempotency_records (created_at);

CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event            TEXT NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    status           INTEGER,
    response_ms      INTEGER,
    error            TEXT,
    created_at       INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
"#;

/// Server-side scheduling: a target may be `handed_off` (its platform holds it and publishes it
/// at its time), and `hand_offs` records each post given to a platform to hold: the server's id
/// once known, the time it holds it for, what was sent (to recognise it again) and how many
/// times (`sends`). A row outlives its target (deleted post: `target_id` becomes NULL) until
/// the server has let go of it. `next_check_at` is when the hand-off worker looks at a row
/// next; editing or deleting its post or pausing makes that now and counts a mark (`marks`),
/// so the worker never puts off a look that a change asked for while it was busy. SQLite
/// cannot change a CHECK in place, so `targets` is rebuilt (with foreign keys off, see
/// `Store::open`) from the same columns as V1's.
const V_HAND_OFF: &str = concat!(
    targets_table!(
        "targets_new",
        "'draft', 'scheduled', 'publishing', 'unconfirmed', 'published', 'failed', 'missed',
                        'handed_off'"
    ),
    r#"INSERT INTO targets_new SELECT * FROM targets;
DROP TABLE targets;
ALTER TABLE targets_new RENAME TO targets;
"#,
    targets_indexes!(),
    r#"
CREATE TABLE hand_offs (
    id             TEXT PRIMARY KEY,
    target_id      TEXT UNIQUE,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    fingerprint    TEXT NOT NULL,
    text           TEXT NOT NULL,
    remote_id      TEXT,
    remote_at      INTEGER NOT NULL,
    sent_at        INTEGER NOT NULL,
    next_check_at  INTEGER NOT NULL,
    checks         INTEGER NOT NULL DEFAULT 0,
    sends          INTEGER NOT NULL DEFAULT 1,
    marks          INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE INDEX hand_offs_due ON hand_offs (next_check_at);

CREATE TRIGGER hand_off_target_deleted AFTER DELETE ON targets BEGIN
    UPDATE hand_offs SET target_id = NULL, next_check_at = 0, marks = marks + 1
    WHERE target_id = OLD.id;
END;
CREATE TRIGGER hand_off_account_paused AFTER UPDATE OF paused ON accounts
WHEN NEW.paused != OLD.paused BEGIN
    UPDATE hand_offs SET next_check_at = 0, marks = marks + 1 WHERE account_id = NEW.id;
END;
"#
);

/// The hand-off worker's look for targets that ask their server to hold them (after every
/// queue change): a partial index holds only the targets whose settings ask for it, so the
/// look reads those, not every scheduled target with its settings. Its columns are the look's
/// `state` and `attempts` terms, so the planner prefers it to `targets_due` even without
/// statistics. A migration that rebuilds `targets` creates it again.
const V_HAND_OFF_LOOKUP: &str = r#"
CREATE INDEX targets_hand_off ON targets (state, attempts)
WHERE json_extract(settings, '$.schedule_on_server') = 1;
"#;

/// The calendar's summaries read each post's targets' accounts and states: with both in the
/// post's index, they come from the index alone, not from each target's row. On a dense month
/// view the rows were more pages than SQLite's page cache holds, and the view read them from
/// the file again at every look.
const V_CALENDAR_TARGETS: &str = r#"
DROP INDEX targets_by_post;
CREATE INDEX targets_by_post ON targets (post_id, account_id, state);
"#;

/// Every migration, oldest first. Append; never edit a released one.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V_LOCAL_API),
        M::up(V_HAND_OFF).foreign_key_check(),
        M::up(V_HAND_OFF_LOOKUP),
        M::up(V_CALENDAR_TARGETS),
    ])
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }

    #[test]
    fn the_released_first_migration_is_unchanged() {
        let digest = format!("{:x}", Sha256::digest(super::V1));
        assert_eq!(digest, "e9a97847717440fa2f0c1610e3a101fd429410bb6c44ac5854602061f1ecebb8");
    }
}
