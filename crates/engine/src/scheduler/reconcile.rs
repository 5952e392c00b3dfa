//! Deciding whether a request whose answer was lost created a post: the platform's recent
//! posts are matched against the item we sent.

use chrono::{DateTime, Duration, Utc};

use crate::provider::RemotePost;

/// Clock skew allowed between us and the platform.
const SKEW: i64 = 120;

/// Whether two texts are the same post, ignoring whitespace differences platforms introduce.
pub fn same_text(a: &str, b: &str) -> bool {
    let mut a = a.split_whitespace();
    let mut b = b.split_whitespace();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

/// The recent post that is the item sent at `sent_at`, if any; posts in `taken` (already
/// recorded for this thread) are skipped.
pub fn find_match<'a>(
    recent: &'a [RemotePost],
    text: &str,
    sent_at: DateTime<Utc>,
    taken: &[&str],
) -> Option<&'a RemotePost> {
    let earliest = sent_at - Duration::seconds(SKEW);
    recent.iter().find(|post| {
        !taken.contains(&post.remote_id.as_str())
            && post.created_at.is_none_or(|at| at >= earliest)
            && same_text(&post.text, text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(id: &str, text: &str, at: DateTime<Utc>) -> RemotePost {
        RemotePost {
            remote_id: id.into(),
            url: None,
            text: text.into(),
            created_at: Some(at),
            extra: serde_json::Value::Null,
        }
    }

    #[test]
    fn matches_same_text_after_the_send() {
        let now = Utc::now();
        let recent = [remote("2", "hello  world\n", now), remote("1", "other", now)];
        assert_eq!(find_match(&recent, "hello world", now, &[]).unwrap().remote_id, "2");
    }

    #[test]
    fn ignores_old_posts_and_taken_ids() {
        let now = Utc::now();
        let old = remote("1", "hello", now - Duration::hours(2));
        assert!(find_match(&[old], "hello", now, &[]).is_none());
        let taken = remote("2", "hello", now);
        assert!(find_match(&[taken], "hello", now, &["2"]).is_none());
    }
}
