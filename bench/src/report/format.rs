//! How numbers are written in the report: thousands separators, milliseconds, lists of
//! runs, one-line text, and the "met?" column.

/// A megabyte, as the report counts it: 10^6 bytes.
pub(crate) const MB: f64 = 1_000_000.0;

/// `1234567` -> `1,234,567`.
pub(crate) fn int(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds, readable: `850 ms`, `12,345 ms`.
pub(crate) fn millis(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{} ms", int(ms.round() as usize))
    }
}

/// Every run's value, whole milliseconds: `240, 198, 201`.
pub(crate) fn list(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text on one line, its runs of whitespace made single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// KiB as MB (10^6 bytes).
pub(crate) fn kib_as_mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / MB
}

/// The "met?" column.
pub(crate) fn met(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1_000), "1,000");
        assert_eq!(int(1_234_567), "1,234,567");
        assert_eq!(millis(3.04), "3.0 ms");
        assert_eq!(millis(12_345.4), "12,345 ms");
    }
}
