//! How the webview paints on this machine. WebKitGTK composites pages with OpenGL; on a
//! machine without a usable GPU that OpenGL is Mesa's software rasterizer, which costs the web
//! process about 90 MiB and a share of the CPU for what WebKit's own software painting does
//! better. So without a GPU render node the app turns compositing off, through WebKitGTK's
//! own switch, unless the user has chosen either way. The minimal window of the desktop
//! benchmark includes this file, so both are measured with the same choice.

/// WebKitGTK's switches: either one set by the user wins.
const DISABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
const FORCE: &str = "WEBKIT_FORCE_COMPOSITING_MODE";

/// How pages are painted, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Painting {
    /// Composited on the GPU (or as the user's own WebKit switch says).
    AsConfigured,
    /// No usable GPU render node: compositing turned off.
    Software,
}

/// Chooses how pages are painted. Call it first thing in `main`, before any thread starts:
/// it may set an environment variable, which the webview's processes inherit.
pub fn choose() -> Painting {
    if !cfg!(target_os = "linux")
        || std::env::var_os(DISABLE).is_some()
        || std::env::var_os(FORCE).is_some()
        || has_gpu()
    {
        return Painting::AsConfigured;
    }
    // SAFETY: called at the start of `main`, while the process has a single thread, so no
    // other thread reads or writes the environment meanwhile.
    unsafe { std::env::set_var(DISABLE, "1") };
    Painting::Software
}

/// Whether a DRM render node this user may open exists: without one Mesa renders in software.
fn has_gpu() -> bool {
    let Ok(nodes) = std::fs::read_dir("/dev/dri") else {
        return false;
    };
    nodes.flatten().any(|node| {
        node.file_name().to_string_lossy().starts_with("renderD")
            && std::fs::OpenOptions::new().read(true).write(true).open(node.path()).is_ok()
    })
}
