//! The two escapes the HTML report relies on, in one audited place: every text that
//! comes from outside (secret names, tags inside reasons, account ids, file names,
//! parameters) goes through [`text`] into markup, or through [`json_in_script`] into
//! the data the page's script reads. Nothing else writes such text into the page.

/// `raw` as HTML text or a double- or single-quoted attribute value: `&`, `<`, `>`, `"`
/// and `'` become character references, so no input can open or close a tag, end an
/// attribute, or start an entity. (Other characters are safe in UTF-8 markup.)
pub fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// JSON text made safe inside `<script type="application/json">`: `<`, `>` and `&`
/// become `\u003c`, `\u003e`, `\u0026` (so no `</script>` or `<!--` can end or bend the
/// element), and U+2028 and U+2029 `\u2028`, `\u2029` (line terminators to older
/// JavaScript). In JSON these characters only occur inside strings, where the escapes
/// mean the same character: `JSON.parse` gives back the same value.
pub fn json_in_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_text() {
        // GIVEN a name that tries to open a tag, end an attribute and start an entity
        let hostile = r#"<img src=x onerror="alert(1)">'&amp;"#;
        // WHEN escaped
        let escaped = text(hostile);
        // THEN no character that markup gives meaning to is left
        assert_eq!(
            escaped,
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;amp;"
        );
        assert!(!escaped.contains(['<', '>', '"', '\'']));
    }

    #[test]
    fn plain_text_and_other_characters_pass_unchanged() {
        assert_eq!(
            text("prod/db-password_1 (été) ✓"),
            "prod/db-password_1 (été) ✓"
        );
        assert_eq!(text(""), "");
    }

    #[test]
    fn json_cannot_end_its_script_element_and_parses_back_the_same() {
        // GIVEN a value with a closing script tag, a comment opener, an ampersand and the
        // two JavaScript line terminators
        let value = serde_json::json!({"name": "</script><!--<script>&\u{2028}\u{2029}"});
        let json = serde_json::to_string(&value).unwrap();
        // WHEN escaped for a script element
        let safe = json_in_script(&json);
        // THEN none of them is left literally
        assert!(
            !safe.contains(['<', '>', '&', '\u{2028}', '\u{2029}']),
            "{safe}"
        );
        assert!(safe.contains(r"\u003c/script\u003e"), "{safe}");
        // AND a JSON parser reads the very same value back
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
