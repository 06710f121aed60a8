//! Fitting text to a width without breaking words: identifiers (names, ARNs, key ids)
//! are shortened in the middle, where they are least telling (`prod/pay…credentials`
//! keeps the service and the kind); prose is cut after a whole word; columns give up
//! width widest first. Widths count characters (`char`s): names and ARNs are ASCII.

/// What stands for the part left out.
pub const ELLIPSIS: char = '…';

/// The width of `text` in columns.
pub fn width_of(text: &str) -> usize {
    text.chars().count()
}

/// `text` in at most `width` columns: whole if it fits, else its start and end around
/// [`ELLIPSIS`] (the start gets the extra column).
pub fn shorten_middle(text: &str, width: usize) -> String {
    let length = width_of(text);
    if length <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let kept = width - 1;
    let head = kept.div_ceil(2);
    let tail = kept - head;
    let mut short: String = text.chars().take(head).collect();
    short.push(ELLIPSIS);
    short.extend(text.chars().skip(length - tail));
    short
}

/// `text` in at most `width` columns: whole if it fits, else the words that fit and
/// [`ELLIPSIS`]; a first word too long for the width is shortened in the middle.
pub fn shorten_words(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_owned();
    }
    let mut short = String::new();
    for word in text.split(' ') {
        let with_word = width_of(&short) + usize::from(!short.is_empty()) + width_of(word);
        // +1: the ellipsis still has to fit after the last word.
        if with_word + 1 > width {
            break;
        }
        if !short.is_empty() {
            short.push(' ');
        }
        short.push_str(word);
    }
    if short.is_empty() {
        return shorten_middle(text, width);
    }
    short.push(ELLIPSIS);
    short
}

/// Prose in lines of at most `width` columns, broken between words only (a word longer
/// than the width stands alone on its line, whole).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && width_of(&line) + 1 + width_of(word) > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Column widths that fit `budget` columns of content: each column starts at its
/// `natural` width; while the sum is over the budget, the widest column still above its
/// `least` width loses one (of equals, the later: earlier columns say more). Returns the natural widths when they fit; when even the
/// least widths do not, the least widths (the line is then longer than the budget).
pub fn fit_widths(natural: &[usize], least: &[usize], budget: usize) -> Vec<usize> {
    let mut widths: Vec<usize> = natural.to_vec();
    let floor = |i: usize| least.get(i).copied().unwrap_or(0).min(natural[i]);
    while widths.iter().sum::<usize>() > budget {
        let widest = (0..widths.len())
            .filter(|&i| widths[i] > floor(i))
            .max_by_key(|&i| (widths[i], i));
        match widest {
            Some(i) => widths[i] -= 1,
            None => break,
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identifier_that_fits_is_kept_whole() {
        assert_eq!(shorten_middle("prod/db", 7), "prod/db");
        assert_eq!(shorten_middle("prod/db", 40), "prod/db");
    }

    #[test]
    fn a_long_identifier_keeps_its_start_and_end() {
        // GIVEN the name the issue found broken mid-word in a wrapped table
        let name = "prod/payments/service-388/database-credentials";
        // WHEN shortened to 24 columns
        let short = shorten_middle(name, 24);
        // THEN exactly 24 columns: the start, an ellipsis, the end
        assert_eq!(short, "prod/payment…credentials");
        assert_eq!(width_of(&short), 24);
        assert_eq!(shorten_middle(name, 1), "…");
        assert_eq!(shorten_middle(name, 0), "");
    }

    #[test]
    fn prose_is_cut_after_a_whole_word() {
        assert_eq!(
            shorten_words("key of an untrusted account", 16),
            "key of an…"
        );
        assert_eq!(shorten_words("key not Enabled", 15), "key not Enabled");
        assert_eq!(shorten_words("untrustworthiness", 8), "untr…ess");
    }

    #[test]
    fn wrapping_breaks_between_words_only() {
        let lines = wrap_words("uses the default key aws/secretsmanager", 12);
        assert_eq!(lines, ["uses the", "default key", "aws/secretsmanager"]);
        assert_eq!(wrap_words("", 10), [""]);
    }

    #[test]
    fn the_widest_column_gives_way_first_and_none_below_its_least() {
        // GIVEN columns of 13, 40 and 30 with a budget of 60
        let widths = fit_widths(&[13, 40, 30], &[13, 12, 12], 60);
        // THEN the two wide ones shrink toward each other; the fixed one keeps its width
        assert_eq!(widths, [13, 24, 23]);
        assert_eq!(widths.iter().sum::<usize>(), 60);
        // AND a budget below the least widths stops at them
        assert_eq!(fit_widths(&[13, 40, 30], &[13, 12, 12], 10), [13, 12, 12]);
        // AND a natural width below the least is not widened
        assert_eq!(fit_widths(&[13, 5], &[13, 12], 100), [13, 5]);
    }
}
