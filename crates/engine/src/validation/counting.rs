//! Text length as each platform counts it: Unicode scalar values, extended grapheme clusters,
//! UTF-8 bytes, or X's weighted count (twitter-text config v3, through the `twitter-text` crate).

use super::{PlatformRules, TextCounting};
use twitter_text::ParserBackend;
use unicode_segmentation::UnicodeSegmentation;

impl TextCounting {
    /// The length of `text` as a platform counting this way sees it.
    pub fn count(self, text: &str) -> usize {
        match self {
            Self::Chars => text.chars().count(),
            Self::Graphemes => text.graphemes(true).count(),
            Self::Utf8Bytes => text.len(),
            Self::XWeighted => x_weighted_length(text),
        }
    }
}

impl PlatformRules {
    /// The length of `text` as this platform counts it.
    pub fn count(&self, text: &str) -> usize {
        self.counting.count(text)
    }
}

/// X's weighted length: NFC first, weight 1 for the Latin-ish ranges and 2 elsewhere, 23 for
/// every URL (with or without a scheme) and 2 for a whole emoji sequence.
fn x_weighted_length(text: &str) -> usize {
    // twitter-text 0.3.1's default (Nom) backend finds URLs without a scheme but keeps their
    // own length in the weighted count; the External backend gives them 23 as X does.
    let results = twitter_text::parse_with_parser_backend(
        text,
        twitter_text_config::config_v3(),
        true,
        ParserBackend::External,
    );
    usize::try_from(results.weighted_length).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(text: &str) -> usize {
        TextCounting::XWeighted.count(text)
    }

    #[test]
    fn x_counts_ascii_one_each() {
        assert_eq!(x(&"a".repeat(280)), 280);
        assert_eq!(x(&"a".repeat(281)), 281);
    }

    #[test]
    fn x_counts_every_url_as_23() {
        let long = "https://example.com/a/very/long/path/that/goes/on/and/on?with=query&and=more";
        assert!(long.len() > 23);
        assert_eq!(x(long), 23);
        assert_eq!(x(&format!("see {long}")), 4 + 23);
        assert_eq!(x("http://example.org"), 23);
        assert_eq!(x("example.com/a/very/long/path/that/goes/on/and/on"), 23);
        assert_eq!(x("go to www.example.org now"), 6 + 23 + 4);
        assert_eq!(x("visit example.com"), 6 + 23);
    }

    #[test]
    fn x_counts_cjk_two_each() {
        assert_eq!(x("日本語"), 6);
        assert_eq!(x("a日"), 3);
    }

    #[test]
    fn x_counts_an_emoji_sequence_as_two() {
        assert_eq!(x("👨\u{200D}👩\u{200D}👧\u{200D}👦"), 2);
        assert_eq!(x("🇫🇷"), 2);
        assert_eq!(x("👍🏽"), 2);
        assert_eq!(x("H🐱☺👨\u{200D}👩\u{200D}👧\u{200D}👦"), 7);
    }

    #[test]
    fn x_normalizes_to_nfc_first() {
        assert_eq!(x("e\u{301}"), 1);
        assert_eq!(x("e\u{301}".repeat(280).as_str()), 280);
    }

    #[test]
    fn x_counts_general_punctuation_as_one() {
        // U+2014 EM DASH is in 8208–8223.
        assert_eq!(x("a\u{2014}b"), 3);
    }

    #[test]
    fn bluesky_counts_graphemes() {
        let graphemes = TextCounting::Graphemes;
        assert_eq!(graphemes.count("👨\u{200D}👩\u{200D}👧\u{200D}👦"), 1);
        assert_eq!(graphemes.count("e\u{301}"), 1);
        assert_eq!(graphemes.count("héllo"), 5);
    }

    #[test]
    fn chars_and_bytes() {
        assert_eq!(TextCounting::Chars.count("e\u{301}"), 2);
        assert_eq!(TextCounting::Chars.count("日本"), 2);
        assert_eq!(TextCounting::Utf8Bytes.count("日本"), 6);
        assert_eq!(TextCounting::Utf8Bytes.count("abc"), 3);
    }

    #[test]
    fn platform_rules_count_with_their_own_counting() {
        let rules = crate::validation::builtin_rules("bluesky").expect("bluesky rules");
        assert_eq!(rules.count("👨\u{200D}👩\u{200D}👧\u{200D}👦"), 1);
        let rules = crate::validation::builtin_rules("x").expect("x rules");
        assert_eq!(rules.count("日本語"), 6);
    }
}
