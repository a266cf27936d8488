//! The schema, as numbered migrations. `PRAGMA user_version` holds how many have been applied.
//!
//! Rules for adding one: append to [`MIGRATIONS`], never edit or reorder a released entry, and
//! keep each one runnable inside a transaction (no `VACUUM`, no `PRAGMA journal_mode`).

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::{At, DbError, Result};

/// Migration `i` (0-based) takes the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE reviews (
        app         TEXT NOT NULL,
        id          TEXT NOT NULL,
        date_ts     INTEGER,
        fetched_at  INTEGER NOT NULL,
        vanished    INTEGER NOT NULL DEFAULT 0 CHECK (vanished IN (0, 1)),
        raw_json    TEXT NOT NULL
    );
    CREATE UNIQUE INDEX reviews_by_id ON reviews (app, id);
    CREATE INDEX reviews_by_date ON reviews (app, date_ts);

    CREATE TABLE sync_state (
        app        TEXT PRIMARY KEY NOT NULL,
        last_sync  INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE drafts (
        app         TEXT NOT NULL,
        review      TEXT NOT NULL,
        text        TEXT NOT NULL,
        public      INTEGER NOT NULL CHECK (public IN (0, 1)),
        email       TEXT NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (app, review)
    ) WITHOUT ROWID;

    -- AUTOINCREMENT: an id is never reused, so history rows keep pointing at the right item.
    CREATE TABLE outbox (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        app              TEXT NOT NULL,
        review           TEXT NOT NULL,
        text             TEXT NOT NULL,
        support_email    TEXT NOT NULL,
        public           INTEGER NOT NULL CHECK (public IN (0, 1)),
        state            TEXT NOT NULL
                         CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unconfirmed')),
        reason           TEXT,
        manual           INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
        attempts         INTEGER NOT NULL DEFAULT 0,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        next_attempt_at  INTEGER NOT NULL,
        owner            TEXT,
        lease_until      INTEGER,
        sent_at          INTEGER,
        CHECK ((state = 'sending') = (owner IS NOT NULL AND lease_until IS NOT NULL))
    );
    -- At most one live item (one that is or may be on its way) per review, across processes.
    CREATE UNIQUE INDEX outbox_one_live ON outbox (app, review)
        WHERE state IN ('queued', 'sending', 'unconfirmed');
    CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);

    -- A sent reply stays sent: the Store cannot take it back, neither can we.
    CREATE TRIGGER outbox_sent_is_final BEFORE UPDATE ON outbox
        WHEN OLD.state = 'sent' AND (NEW.state <> 'sent' OR NEW.text IS NOT OLD.text)
    BEGIN
        SELECT RAISE(ABORT, 'outbox: a sent item cannot change');
    END;
    CREATE TRIGGER outbox_sent_kept BEFORE DELETE ON outbox
        WHEN OLD.state IN ('sending', 'sent', 'unconfirmed')
    BEGIN
        SELECT RAISE(ABORT, 'outbox: an item that is or may have been sent cannot be deleted');
    END;

    CREATE TABLE history (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        profile    TEXT NOT NULL,
        app        TEXT NOT NULL,
        review     TEXT NOT NULL,
        at         INTEGER NOT NULL,
        text       TEXT NOT NULL,
        result     TEXT NOT NULL,
        outbox_id  INTEGER
    );
    CREATE INDEX history_by_time ON history (at, id);
    CREATE TRIGGER history_no_update BEFORE UPDATE ON history
    BEGIN
        SELECT RAISE(ABORT, 'history is append-only');
    END;
    CREATE TRIGGER history_no_delete BEFORE DELETE ON history
    BEGIN
        SELECT RAISE(ABORT, 'history is append-only');
    END;
    "#,
    // 2: Dynamics 365 Commerce Ratings & Reviews: the site's exported reviews, and the journal
    // that makes an import resumable without submitting any row twice.
    r#"
    CREATE TABLE commerce_reviews (
        id          TEXT PRIMARY KEY NOT NULL,
        product_id  TEXT,
        submitted   TEXT,
        fetched_at  INTEGER NOT NULL,
        raw_json    TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE commerce_import (
        -- A hash of the request (product, query and body) and the row's ordinal among
        -- identical ones: the same review in a re-run, or in another file, is the same row.
        row_key       TEXT PRIMARY KEY NOT NULL,
        -- A hash of product, title and text: what an export shows to verify a lost answer.
        content_key   TEXT NOT NULL,
        source        TEXT NOT NULL,
        line          INTEGER NOT NULL,
        request_json  TEXT NOT NULL,
        state         TEXT NOT NULL
                      CHECK (state IN ('pending', 'sending', 'sent', 'unconfirmed', 'failed')),
        owner         TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        reason        TEXT,
        answer        TEXT,
        updated_at    INTEGER NOT NULL,
        sent_at       INTEGER,
        CHECK ((state = 'sending') = (owner IS NOT NULL))
    ) WITHOUT ROWID;
    CREATE INDEX commerce_import_by_content ON commerce_import (content_key, state);
    CREATE TRIGGER commerce_import_sent_is_final BEFORE UPDATE ON commerce_import
        WHEN OLD.state = 'sent' AND NEW.state <> 'sent'
    BEGIN
        SELECT RAISE(ABORT, 'commerce_import: a sent row stays sent');
    END;
    "#,
    // `reviewdesk watch`: the apps it watches (from when), and each review revision it has
    // delivered, so that no revision is printed or handed to --exec twice.
    r#"
    CREATE TABLE watch_apps (
        app         TEXT PRIMARY KEY NOT NULL,
        started_at  INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE watch_delivered (
        app           TEXT NOT NULL,
        id            TEXT NOT NULL,
        -- A fingerprint of what the customer wrote (date, rating, title, text, revised flag).
        revision      TEXT NOT NULL,
        delivered_at  INTEGER NOT NULL,
        PRIMARY KEY (app, id, revision)
    ) WITHOUT ROWID;
    "#,
    // Review history and the stats' columns. What the stats read becomes columns of `reviews`
    // (filled by `upsert_reviews` from the JSON; rows cached before are filled here, a Store date
    // SQLite cannot read left NULL until the next fetch rewrites the row), so that 100,000
    // reviews are counted without parsing their JSON. When a fetch brings a revised version of a
    // review (another rating, title, text or date), the trigger keeps the earlier one, whatever
    // code did the writing: the stats' "reply effect" needs the rating a review had before.
    r#"
    ALTER TABLE reviews ADD COLUMN rating INTEGER;
    ALTER TABLE reviews ADD COLUMN market TEXT;
    ALTER TABLE reviews ADD COLUMN package_version TEXT;
    ALTER TABLE reviews ADD COLUMN answered INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1));
    ALTER TABLE reviews ADD COLUMN response_ts INTEGER;
    UPDATE reviews SET
        rating = CAST(raw_json ->> '$.rating' AS INTEGER),
        market = raw_json ->> '$.market',
        package_version = raw_json ->> '$.packageVersion',
        answered = coalesce(trim(raw_json ->> '$.responseText') <> '', 0),
        response_ts = unixepoch(raw_json ->> '$.responseDate');
    -- Covers what the stats read, in date order: a window is one range of this index, never
    -- the table's pages with their JSON (a 365-day read of 100,000 reviews went from about
    -- 170 ms to a fraction of it).
    CREATE INDEX reviews_stats ON reviews
        (app, date_ts, vanished, rating, answered, response_ts, market, package_version, id);

    CREATE TABLE review_versions (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        app          TEXT NOT NULL,
        review       TEXT NOT NULL,
        -- When the version that replaced this one was fetched.
        replaced_at  INTEGER NOT NULL,
        date_ts      INTEGER,
        rating       INTEGER,
        answered     INTEGER NOT NULL,
        response_ts  INTEGER,
        -- The earlier version whole, as the service sent it: its title and text among it.
        raw_json     TEXT NOT NULL
    );
    CREATE INDEX review_versions_by_review ON review_versions (app, review, id);
    CREATE TRIGGER reviews_keep_earlier_version BEFORE UPDATE OF raw_json ON reviews
        WHEN OLD.raw_json IS NOT NEW.raw_json
         AND (OLD.rating IS NOT NEW.rating
              OR OLD.date_ts IS NOT NEW.date_ts
              OR OLD.raw_json ->> '$.reviewText' IS NOT NEW.raw_json ->> '$.reviewText'
              OR OLD.raw_json ->> '$.reviewTitle' IS NOT NEW.raw_json ->> '$.reviewTitle')
    BEGIN
        INSERT INTO review_versions
            (app, review, replaced_at, date_ts, rating, answered, response_ts, raw_json)
        VALUES (OLD.app, OLD.id, NEW.fetched_at, OLD.date_ts, OLD.rating, OLD.answered,
                OLD.response_ts, OLD.raw_json);
    END;
    CREATE TRIGGER review_versions_no_update BEFORE UPDATE ON review_versions
    BEGIN
        SELECT RAISE(ABORT, 'review_versions is append-only');
    END;
    "#,
    // A Commerce site's reviews are kept once: in `reviews`, under the site's source ID
    // (`site:<profile>`), where the terminal UI reads them, in the shape `commerce::listed::
    // to_review` gives them. `commerce export` used to keep a second copy in `commerce_reviews`;
    // its rows move over (a row the UI already cached wins: it is as new or newer) and the table
    // goes. The profile is not known to SQL, so it is read from the file's name,
    // `<profile>.sqlite3`, via pragma_database_list (a file named otherwise moves nothing; the
    // next export fills the cache again). Unknown export columns stay beside the known ones in
    // the moderation object, where `from_review` finds them.
    r#"
    WITH RECURSIVE tail(rest) AS (
        SELECT replace(file, '\', '/') FROM pragma_database_list WHERE name = 'main'
        UNION ALL
        SELECT substr(rest, instr(rest, '/') + 1) FROM tail WHERE instr(rest, '/') > 0
    ),
    profile(name) AS (
        SELECT substr(rest, 1, length(rest) - length('.sqlite3')) FROM tail
        WHERE instr(rest, '/') = 0 AND rest LIKE '%_.sqlite3'
    ),
    -- json_patch onto {} drops the members that came out NULL (fields the row did not have).
    moved(id, fetched_at, raw) AS (
        SELECT id, fetched_at, json_patch('{}', json_object(
            'id', id,
            'date', raw_json ->> '$.submittedDateTime',
            'applicationId', raw_json ->> '$.productId',
            'applicationName', raw_json ->> '$.productName',
            'market', coalesce(raw_json ->> '$.market', raw_json ->> '$.locale'),
            'isRevised', raw_json -> '$.isRevised',
            'reviewerName', raw_json ->> '$.userName',
            'rating', CAST(max(0, min(5, round(raw_json ->> '$.rating'))) AS INTEGER),
            'reviewTitle', raw_json ->> '$.title',
            'reviewText', raw_json ->> '$.reviewText',
            'responseDate', raw_json ->> '$.responseDateTime',
            'responseText', nullif(trim(raw_json ->> '$.responseText'), ''),
            'commerceModeration', json_set(
                json_remove(raw_json, '$.title', '$.reviewText', '$.userName',
                            '$.submittedDateTime', '$.responseText', '$.responseDateTime'),
                '$.state',
                CASE
                    WHEN raw_json ->> '$.isTakenDown' THEN 'taken down'
                    WHEN nullif(trim(raw_json ->> '$.responseText'), '') IS NOT NULL
                         AND raw_json ->> '$.updatedSinceResponse' THEN 'updated since response'
                    WHEN nullif(trim(raw_json ->> '$.responseText'), '') IS NOT NULL THEN 'responded'
                    WHEN raw_json ->> '$.isPublished' = 0 THEN 'not published'
                    ELSE 'published'
                END)
        )) FROM commerce_reviews WHERE json_valid(raw_json)
    )
    INSERT OR IGNORE INTO reviews (app, id, date_ts, fetched_at, vanished, raw_json,
                                   rating, market, package_version, answered, response_ts)
    SELECT 'site:' || profile.name, moved.id, unixepoch(moved.raw ->> '$.date'), moved.fetched_at, 0,
           moved.raw,
           moved.raw ->> '$.rating', moved.raw ->> '$.market', NULL,
           moved.raw ->> '$.responseText' IS NOT NULL, unixepoch(moved.raw ->> '$.responseDate')
    FROM moved, profile;
    DROP TABLE commerce_reviews;
    "#,
    // The list form of each review (`crate::store::list_form`: cleaned, binary) beside its JSON,
    // so a start reads the list without parsing JSON. Rows stored before it have none and are
    // read from their JSON until fetched again.
    r#"
    ALTER TABLE reviews ADD COLUMN list_form BLOB;
    "#,
    // What the stats count of a review, packed into one integer that `reviews_stats` stores:
    // the rating (0 when there is none in 1..5), 8 when answered, and 16 times one more than
    // the seconds from the review to a response shown under it (0 when there is none, or it
    // is older than this version). A year of reviews is read as two integers each instead of
    // five columns (BENCHMARKS.md, the stats). Generated, so every writer keeps it right. The
    // index puts `vanished` before the date: a window is one range, with no row to skip.
    r#"
    ALTER TABLE reviews ADD COLUMN stats_code INTEGER GENERATED ALWAYS AS (
        CASE WHEN rating BETWEEN 1 AND 5 THEN rating ELSE 0 END
        + 8 * answered
        + CASE WHEN answered AND response_ts >= date_ts THEN 16 * (response_ts - date_ts + 1) ELSE 0 END
    ) VIRTUAL;
    DROP INDEX reviews_stats;
    CREATE INDEX reviews_stats ON reviews
        (app, vanished, date_ts, stats_code, market, package_version, rating, answered, response_ts, id);
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn user_version(conn: &Connection, path: &Path) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0)).at(path)
}

/// Refuses a file from a newer reviewdesk before anything is written to it.
pub(crate) fn check_not_newer(conn: &Connection, path: &Path) -> Result<()> {
    let found = user_version(conn, path)?;
    if found > SCHEMA_VERSION {
        return Err(DbError::NewerSchema {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Applies the missing migrations, each in its own `BEGIN IMMEDIATE` transaction. The version
/// is read again under the lock, so two processes starting together apply each one once.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    loop {
        if user_version(conn, path)? >= SCHEMA_VERSION {
            return check_not_newer(conn, path);
        }
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .at(path)?;
        let current = user_version(&tx, path)?;
        if current > SCHEMA_VERSION {
            return Err(DbError::NewerSchema {
                path: path.to_owned(),
                found: current,
                known: SCHEMA_VERSION,
            });
        }
        if current < SCHEMA_VERSION {
            tx.execute_batch(MIGRATIONS[current as usize]).at(path)?;
            // user_version cannot take a bound parameter; the value is our own integer.
            tx.execute_batch(&format!("PRAGMA user_version = {}", current + 1))
                .at(path)?;
        }
        tx.commit().at(path)?;
    }
}
