//! Compiles the logo files in `data/logos/` into a table (`logos::FILES`), so functions serve
//! them without a file system and the catalog's check that each named logo exists holds in the
//! binary too.

use std::path::Path;
use std::{env, fs};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("data/logos");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("data/logos exists")
        .map(|e| {
            e.expect("readable entry")
                .file_name()
                .into_string()
                .expect("UTF-8 name")
        })
        .filter(|n| n.ends_with(".svg"))
        .collect();
    names.sort();
    let mut table = String::from("pub static FILES: &[(&str, &[u8])] = &[\n");
    for name in names {
        let path = dir.join(&name);
        println!("cargo:rerun-if-changed={}", path.display());
        table.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    table.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("logos.rs");
    fs::write(out, table).expect("OUT_DIR is writable");
}
