//! What the unit tests of several modules share: a key id and a scope.

use crate::key_ref::Scope;

/// A well-formed key id (a UUID).
pub(crate) const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// The scope of a secret of account 111122223333 in `region`.
pub(crate) fn scope_in(region: &str) -> Scope {
    Scope {
        partition: "aws".into(),
        account: "111122223333".into(),
        region: region.into(),
    }
}
