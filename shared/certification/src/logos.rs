//! The logo files (`data/logos/*.svg`), compiled in by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/logos.rs"));

/// The file's bytes, by file name.
pub fn file(name: &str) -> Option<&'static [u8]> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    #[test]
    fn every_logo_the_catalog_names_is_compiled_in() {
        let catalog = Catalog::built_in();
        for c in &catalog.certifications {
            let logo = c.logo.as_deref().expect("each certification has a logo");
            assert!(file(logo).is_some_and(|b| b.starts_with(b"<svg")), "{logo}");
        }
        assert!(file("nothing.svg").is_none());
    }
}
