//! Deployed size of every function: the stripped arm64 `bootstrap` that
//! `cargo lambda build --release --arm64` leaves in `target/lambda/<name>/`, and its size
//! deflated as the deployment zip stores it.

use flate2::write::DeflateEncoder;
use flate2::Compression;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

#[derive(Clone, Debug, Serialize)]
pub struct Size {
    pub function: String,
    pub bytes: u64,
    pub zipped_bytes: u64,
}

pub fn arm64_sizes(lambda_dir: &Path, functions: &[String]) -> Vec<Size> {
    functions
        .iter()
        .filter_map(|function| {
            let bytes = std::fs::read(lambda_dir.join(function).join("bootstrap")).ok()?;
            let mut zip = DeflateEncoder::new(Vec::new(), Compression::default());
            zip.write_all(&bytes).ok()?;
            let zipped = zip.finish().ok()?;
            Some(Size {
                function: function.clone(),
                bytes: bytes.len() as u64,
                // The zip's own headers add about a hundred bytes: negligible at this scale.
                zipped_bytes: zipped.len() as u64,
            })
        })
        .collect()
}
