//! Packed relative relocations for the executable, where the toolchain and the C library
//! allow them (a build-script helper). A position-independent executable carries one
//! relocation record per pointer stored in its data: 2.5 MB of them for Sipstory, which the
//! loader reads in full at every start and which stay in memory. Packed (`DT_RELR`, GNU ld
//! 2.38 and glibc 2.36 onwards) they take a few kilobytes; the executable stays
//! position-independent. The desktop benchmark's minimal window includes this file, so both
//! are linked the same way.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const FLAG: &str = "-Wl,-z,pack-relative-relocs";

/// Asks for packed relocations in the package's binaries when a probe program linked with them
/// builds and runs here: on an older linker (which only warns about the flag) or an older
/// glibc (which refuses to load such a program) the binaries are linked as before.
pub fn pack_when_supported() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    if !native || var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    let probe = Path::new(&var("OUT_DIR")).join("relr-probe");
    if links_and_runs(&probe) {
        println!("cargo:rustc-link-arg-bins={FLAG}");
    } else {
        println!("cargo:warning=packed relative relocations unsupported here; linking without");
    }
}

fn links_and_runs(probe: &Path) -> bool {
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let child = Command::new(compiler)
        .args(["-x", "c", "-", "-o"])
        .arg(probe)
        .args([FLAG, "-Wl,--fatal-warnings"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    let written = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(b"int main(void) { return 0; }\n").is_ok());
    let linked = child.wait().is_ok_and(|status| status.success());
    written && linked && Command::new(probe).status().is_ok_and(|status| status.success())
}
