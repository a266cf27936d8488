//! Messages for the person, with a level, and what the app is busy with.
//!
//! How notices behave (also in the README):
//! - the newest is shown on the hint line, `! ` before a warning or an error, `· ` before
//!   information; with older ones waiting, `(+N)` follows it; in the list, one too long for
//!   the line wraps upward over the panes (`ui::status`), elsewhere it is cut;
//! - `Esc` dismisses the one shown (the one before it comes back, if it has not expired);
//! - information goes after 5 seconds and warnings after 15; errors stay until dismissed or
//!   until what they are about changes (a new fetch replaces the last fetch's error);
//! - the same text twice is one notice, and at most [`KEPT`] are kept, the oldest dropped.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

/// Notices kept at once; older ones are dropped.
pub const KEPT: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    /// Something did not happen as asked ("Already answered: …").
    Warning,
    /// Something failed and may need the person (a fetch, a save, a reply).
    Error,
}

impl Level {
    fn lifetime(self) -> Option<Duration> {
        match self {
            Level::Info => Some(Duration::from_secs(5)),
            Level::Warning => Some(Duration::from_secs(15)),
            Level::Error => None,
        }
    }
}

/// What an error is about, so that news about the same thing replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// Fetching the reviews.
    Fetch,
    /// Writing or sending a reply.
    Reply,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    pub topic: Option<Topic>,
    pub since: Instant,
}

#[derive(Clone, Debug, Default)]
pub struct Notices {
    queue: VecDeque<Notice>,
}

impl Notices {
    pub fn info(&mut self, text: impl Into<String>) {
        self.push(Level::Info, None, text.into());
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.push(Level::Warning, None, text.into());
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.push(Level::Error, None, text.into());
    }

    /// An error about `topic`, replacing the one before about the same thing.
    pub fn error_about(&mut self, topic: Topic, text: impl Into<String>) {
        self.clear(topic);
        self.push(Level::Error, Some(topic), text.into());
    }

    /// What was said about `topic` is no longer true.
    pub fn clear(&mut self, topic: Topic) {
        self.queue.retain(|n| n.topic != Some(topic));
    }

    fn push(&mut self, level: Level, topic: Option<Topic>, text: String) {
        self.queue.retain(|n| n.text != text);
        self.queue.push_back(Notice {
            level,
            text,
            topic,
            since: Instant::now(),
        });
        while self.queue.len() > KEPT {
            self.queue.pop_front();
        }
    }

    /// The notice on the hint line: the newest.
    pub fn shown(&self) -> Option<&Notice> {
        self.queue.back()
    }

    /// The text shown, for tests and the log.
    pub fn shown_text(&self) -> Option<&str> {
        self.shown().map(|n| n.text.as_str())
    }

    /// Notices waiting behind the one shown.
    pub fn waiting(&self) -> usize {
        self.queue.len().saturating_sub(1)
    }

    /// `Esc`: the shown notice goes. Answers whether there was one.
    pub fn dismiss(&mut self) -> bool {
        self.queue.pop_back().is_some()
    }

    /// Whether a notice will expire, so the loop's timer must keep running.
    pub fn expiring(&self) -> bool {
        self.queue.iter().any(|n| n.level.lifetime().is_some())
    }

    /// Drops what has been shown long enough. Answers whether anything went.
    pub fn expire(&mut self, now: Instant) -> bool {
        let before = self.queue.len();
        self.queue.retain(|n| {
            n.level
                .lifetime()
                .is_none_or(|life| now.saturating_duration_since(n.since) < life)
        });
        self.queue.len() != before
    }
}

/// What the app is busy with, for the status bar (beside the spinner).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activity {
    ReadingCache,
    /// Fetching, in words: "fetching reviews", "refreshing · page 3 (2000 reviews)".
    Fetching(String),
    /// Writing a confirmed reply to the outbox.
    WritingReply,
    /// The service's word from the Store worker: "throttled, retrying in 4 s".
    Service(String),
    /// A reply whose answer was lost is sent again.
    Resending {
        review: String,
    },
    /// A reply whose answer was lost: reading the review back.
    CheckingReply {
        review: String,
    },
    /// Still not known whether a reply arrived.
    ReplyUnknown {
        review: String,
        why: String,
    },
}

impl fmt::Display for Activity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Activity::ReadingCache => f.write_str("reading cached reviews"),
            Activity::Fetching(what) | Activity::Service(what) => f.write_str(what),
            Activity::WritingReply => f.write_str("writing the reply to the outbox"),
            Activity::Resending { review } => write!(f, "reply to review {review} did not arrive; sending it again"),
            Activity::CheckingReply { review } => write!(f, "checking whether the reply to {review} arrived"),
            Activity::ReplyUnknown { review, why } => write!(f, "reply to review {review}: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_shown_esc_reveals_the_one_before() {
        let mut n = Notices::default();
        n.error("fetch failed");
        n.warn("Already answered");
        assert_eq!(n.shown_text(), Some("Already answered"));
        assert_eq!(n.waiting(), 1);
        assert!(n.dismiss());
        assert_eq!(n.shown_text(), Some("fetch failed"));
        assert!(n.dismiss());
        assert!(!n.dismiss() && n.shown().is_none());
    }

    #[test]
    fn warnings_and_info_expire_errors_stay() {
        let mut n = Notices::default();
        n.error("e");
        n.warn("w");
        n.info("i");
        let t = n.shown().unwrap().since;
        assert!(!n.expire(t + Duration::from_secs(4)));
        assert!(n.expire(t + Duration::from_secs(6)));
        assert_eq!(n.shown_text(), Some("w"));
        assert!(n.expire(t + Duration::from_secs(16)));
        assert_eq!(n.shown_text(), Some("e"));
        assert!(!n.expiring());
        assert!(!n.expire(t + Duration::from_secs(3600)));
    }

    #[test]
    fn a_topic_replaces_its_error_and_repeats_are_one() {
        let mut n = Notices::default();
        n.error_about(Topic::Fetch, "offline");
        n.warn("w");
        n.error_about(Topic::Fetch, "throttled");
        assert_eq!(n.shown_text(), Some("throttled"));
        assert_eq!(n.waiting(), 1);
        n.clear(Topic::Fetch);
        assert_eq!(n.shown_text(), Some("w"));
        n.warn("w");
        assert_eq!(n.waiting(), 0);
        for i in 0..10 {
            n.info(format!("{i}"));
        }
        assert_eq!(n.waiting(), KEPT - 1);
        assert_eq!(n.shown_text(), Some("9"));
    }
}
