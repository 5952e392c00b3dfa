//! Finding the links, mentions and hashtags of a post's text with their UTF-8 byte ranges, the
//! way Bluesky's facets address them (start inclusive, end exclusive). Mentions are found here
//! by handle; turning a handle into a DID is the caller's job.

use unicode_segmentation::UnicodeSegmentation;

/// The longest hashtag Bluesky accepts, in graphemes.
const MAX_TAG_GRAPHEMES: usize = 64;

/// What a span of the text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
    Link(String),
    /// A handle without its `@`.
    Mention(String),
    /// A hashtag without its `#`.
    Tag(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub byte_start: usize,
    pub byte_end: usize,
    pub feature: Feature,
}

/// Every link, mention and hashtag of `text`, in text order.
pub fn detect(text: &str) -> Vec<Span> {
    let mut spans = links(text);
    let inside_link = |at: usize| spans.iter().any(|s| (s.byte_start..s.byte_end).contains(&at));
    let words: Vec<Span> = words(text)
        .filter(|(start, _)| !inside_link(*start))
        .filter_map(|(start, word)| mention(start, word).or_else(|| hashtag(start, word)))
        .collect();
    spans.extend(words);
    spans.sort_by_key(|s| s.byte_start);
    spans
}

/// Full `http(s)://` URLs; bare domains are left alone (too many false positives).
fn links(text: &str) -> Vec<Span> {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    finder
        .links(text)
        .filter(|l| {
            let s = l.as_str();
            s.starts_with("https://") || s.starts_with("http://")
        })
        .map(|l| Span {
            byte_start: l.start(),
            byte_end: l.end(),
            feature: Feature::Link(l.as_str().to_owned()),
        })
        .collect()
}

/// The whitespace-separated words of `text` with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let mut out = Vec::new();
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
}

/// `@handle` (or `(@handle`): a handle is a domain name, so it needs a dot.
fn mention(start: usize, word: &str) -> Option<Span> {
    let offset = usize::from(word.starts_with('('));
    let rest = word[offset..].strip_prefix('@')?;
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    let handle = rest[..len].trim_end_matches(['.', '-']);
    let valid = handle.contains('.')
        && handle.split('.').all(|label| !label.is_empty() && !label.starts_with('-'))
        && !handle
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_digit()));
    valid.then(|| Span {
        byte_start: start + offset,
        byte_end: start + offset + 1 + handle.len(),
        feature: Feature::Mention(handle.to_ascii_lowercase()),
    })
}

/// `#tag` (or the full-width `＃`): at least one character that is not a digit or punctuation;
/// trailing punctuation is not part of the tag.
fn hashtag(start: usize, word: &str) -> Option<Span> {
    let hash = if word.starts_with('#') { '#' } else { '＃' };
    let rest = word.strip_prefix(hash)?;
    if rest.starts_with('\u{fe0f}') || rest.starts_with('\u{20e3}') {
        return None;
    }
    let tag = rest.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '_');
    let meaningful = tag.chars().any(|c| !c.is_numeric() && !c.is_ascii_punctuation());
    if !meaningful || tag.graphemes(true).count() > MAX_TAG_GRAPHEMES {
        return None;
    }
    Some(Span {
        byte_start: start,
        byte_end: start + hash.len_utf8() + tag.len(),
        feature: Feature::Tag(tag.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_are_right_after_non_ascii_text() {
        let text = "Café ☕ 👩‍👩‍👧 see https://example.com/ü?q=1. hi @alice.test #grüße!";
        let spans = detect(text);
        let found: Vec<(&str, &Feature)> =
            spans.iter().map(|s| (&text[s.byte_start..s.byte_end], &s.feature)).collect();
        assert_eq!(
            found,
            vec![
                ("https://example.com/ü?q=1", &Feature::Link("https://example.com/ü?q=1".into())),
                ("@alice.test", &Feature::Mention("alice.test".into())),
                ("#grüße", &Feature::Tag("grüße".into())),
            ]
        );
        // Byte offsets, not char offsets: "Café ☕ 👩‍👩‍👧 see " is 34 bytes.
        assert_eq!(spans[0].byte_start, "Café ☕ 👩‍👩‍👧 see ".len());
    }

    #[test]
    fn ignores_what_is_not_a_facet() {
        assert!(detect("mail me@example.com, #123, #, @nodot, a#b, ftp://x.y").is_empty());
    }

    #[test]
    fn mention_in_parentheses_and_trailing_dot() {
        let text = "(@bob.example.com) and @carol.test.";
        let spans = detect(text);
        assert_eq!(&text[spans[0].byte_start..spans[0].byte_end], "@bob.example.com");
        assert_eq!(&text[spans[1].byte_start..spans[1].byte_end], "@carol.test");
    }

    #[test]
    fn a_hash_inside_a_link_is_not_a_tag() {
        let text = "https://example.com/#anchor";
        assert_eq!(detect(text).len(), 1);
    }
}
