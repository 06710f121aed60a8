//! Evaluation annotations, always within what PutEvaluations accepts.

use std::fmt;

/// What a truncated annotation ends with, so a reader knows text is missing.
const TRUNCATION_MARKER: &str = " [truncated]";

/// An annotation Config accepts: at most [`Annotation::MAX_CHARS`] characters.
///
/// Longer text is cut to 244 characters plus `" [truncated]"`. The cut counts
/// characters (as AWS does) and never splits one: the text is valid UTF-8 either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation(String);

impl Annotation {
    /// The PutEvaluations limit for `Annotation`.
    pub const MAX_CHARS: usize = 256;

    /// An annotation from any text, truncated when longer than the limit.
    pub fn new(text: impl Into<String>) -> Annotation {
        let text = text.into();
        Annotation(truncate(text, Self::MAX_CHARS))
    }

    /// An annotation made of `text` followed by `suffix`, where the suffix always
    /// survives: if the whole is too long, `text` is the part that is truncated. Used for
    /// notes a remediation router depends on (who manages the secret).
    pub fn with_suffix(text: &str, suffix: &str) -> Annotation {
        let suffix: String = suffix.chars().take(Self::MAX_CHARS / 2).collect();
        let room = Self::MAX_CHARS - suffix.chars().count();
        Annotation(format!("{}{suffix}", truncate(text.to_owned(), room)))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Annotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Annotation {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// At most `max` characters; when cut, the marker takes the last characters.
fn truncate(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let marker_chars = TRUNCATION_MARKER.chars().count();
    let keep = max.saturating_sub(marker_chars);
    let mut cut: String = text.chars().take(keep).collect();
    cut.push_str(TRUNCATION_MARKER);
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_exactly_256_chars_is_kept_whole() {
        // GIVEN text of exactly the limit
        let text = "a".repeat(256);
        // WHEN annotated
        let annotation = Annotation::new(text.clone());
        // THEN nothing is cut
        assert_eq!(annotation.as_str(), text);
    }

    #[test]
    fn text_of_257_chars_is_cut_to_244_plus_marker() {
        // GIVEN text one character over the limit
        let text = format!("{}{}", "a".repeat(244), "b".repeat(13));
        // WHEN annotated
        let annotation = Annotation::new(text);
        // THEN it is exactly 256 characters, the first 244 kept, then the marker
        assert_eq!(annotation.as_str().chars().count(), 256);
        assert_eq!(
            annotation.as_str(),
            format!("{} [truncated]", "a".repeat(244))
        );
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        // GIVEN 300 three-byte and four-byte characters (900+ bytes)
        let text: String = "é€😀".repeat(100);
        // WHEN annotated
        let annotation = Annotation::new(text);
        // THEN characters are counted, not bytes, and none is split
        assert_eq!(annotation.as_str().chars().count(), 256);
        assert!(annotation.as_str().starts_with("é€😀é€😀"));
        assert!(annotation.as_str().ends_with(" [truncated]"));
    }

    #[test]
    fn multibyte_text_within_256_chars_is_not_cut_even_if_over_256_bytes() {
        // GIVEN 200 four-byte characters: 800 bytes but only 200 characters
        let text = "😀".repeat(200);
        // WHEN annotated / THEN it is kept: AWS counts characters
        assert_eq!(Annotation::new(text.clone()).as_str(), text);
    }

    #[test]
    fn suffix_survives_truncation() {
        // GIVEN long text and a suffix
        let annotation = Annotation::with_suffix(&"x".repeat(400), " (managed by rds)");
        // THEN the whole fits and ends with the suffix, the text carrying the marker
        assert_eq!(annotation.as_str().chars().count(), 256);
        assert!(
            annotation
                .as_str()
                .ends_with(" [truncated] (managed by rds)")
        );
    }
}
