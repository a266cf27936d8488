//! Tests on real database files in temporary directories.

mod cache;
mod claims;
mod list_rows;
mod open;
mod outbox;
mod prop;
mod undo;
mod versions;

use std::path::Path;

use super::{Db, OutboxNew};

pub(super) fn temp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("reviewdesk-db-")
        .tempdir()
        .expect("temp dir")
}

pub(super) fn open(dir: &Path) -> Db {
    let (db, report) = Db::open(dir, "main").expect("open");
    assert!(!report.recreated, "unexpected recreation: {report:?}");
    db
}

pub(super) fn reply(app: &str, review: &str, text: &str) -> OutboxNew {
    OutboxNew {
        app: app.to_owned(),
        review: review.to_owned(),
        text: text.to_owned(),
        support_email: "help@example.com".to_owned(),
        public: true,
    }
}
