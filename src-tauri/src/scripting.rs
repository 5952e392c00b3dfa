//! How the webview runs the page's scripts. JavaScriptCore (WebKitGTK's script engine) starts
//! every function in its interpreter and compiles the hot ones to machine code in up to three
//! JIT tiers. That pays off for long-running numeric code, more than for a calendar page whose
//! scripts mostly wait on the user. Measured with the desktop benchmark: without the JIT the
//! app and its WebKit processes take about 11 MiB less, while its heaviest screen (the week
//! view of a stress calendar, a few hundred posts) takes about 15 % longer to show and a
//! start's page about 5 %. So the app runs the page's scripts in the interpreter alone, which
//! also leaves the web process no writable-and-executable memory to attack.
//! A user who sets JavaScriptCore's own switches (`JSC_useJIT`, `JSC_useDFGJIT`) keeps them.
//! The desktop benchmark's minimal window includes this file, so both run scripts the same way.

/// JavaScriptCore's switches: the JIT as a whole, and its optimizing tiers.
const JIT: &str = "JSC_useJIT";
const DFG: &str = "JSC_useDFGJIT";

/// Turns JavaScriptCore's JIT off unless the user chose. Call it first thing in `main`,
/// before any thread starts: it may set an environment variable, which the webview's
/// processes inherit.
pub fn choose() {
    let chosen = std::env::var_os(JIT).is_some() || std::env::var_os(DFG).is_some();
    if cfg!(target_os = "linux") && !chosen {
        // SAFETY: called at the start of `main`, while the process has a single thread, so no
        // other thread reads or writes the environment meanwhile.
        unsafe { std::env::set_var(JIT, "0") };
    }
}
