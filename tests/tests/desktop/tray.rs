//! A real XEmbed system tray on the test display (Debian's `trayer`) and the mouse clicks a
//! user makes on the icon and its menu, through X11 (`xdotool`).

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The X11 class name tray-icon gives the app's icon window.
const ICON_CLASS: &str = "tray-icon tray app main";
/// The height of one row of the GTK menu (Adwaita), and the padding above the first.
const MENU_ROW: i32 = 25;
const MENU_TOP: i32 = 4;

/// An X11 window's place and size on the screen.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
}

/// The tray host; it goes away with the value.
pub struct Tray {
    host: Child,
}

impl Tray {
    /// Starts a tray in the top-right corner of the screen.
    pub fn start() -> Self {
        let host = Command::new("trayer")
            .args(["--edge", "top", "--align", "right", "--widthtype", "request"])
            .args(["--height", "32", "--SetDockType", "true", "--transparent", "false"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("trayer starts (scripts/setup.sh installs it)");
        Self { host }
    }

    /// The app's icon in the tray, once it is there.
    pub async fn icon(&self) -> Geometry {
        let window =
            poll("the tray icon", || search(&["--classname", ICON_CLASS]).into_iter().next()).await;
        geometry(&window)
    }

    /// Opens the icon's menu with a click (Sipstory shows it on a left click).
    pub async fn open_menu(&self) -> Geometry {
        let icon = self.icon().await;
        click(icon.x + icon.width / 2, icon.y + icon.height / 2);
        poll("the tray menu", || {
            search(&["--onlyvisible", "--class", "sipstory"])
                .iter()
                .map(|w| geometry(w))
                .find(|g| g.width < 400 && g.height < 400)
        })
        .await
    }

    /// Clicks row `row` (0 = the first item) of an open menu.
    pub fn click_row(&self, menu: Geometry, row: i32) {
        click(menu.x + menu.width / 3, menu.y + MENU_TOP + row * MENU_ROW + MENU_ROW / 2);
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        let _ = self.host.kill();
        let _ = self.host.wait();
    }
}

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool").args(args).output().expect("xdotool runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn search(args: &[&str]) -> Vec<String> {
    xdotool(&[&["search"], args].concat()).lines().map(str::to_owned).collect()
}

fn geometry(window: &str) -> Geometry {
    let shell = xdotool(&["getwindowgeometry", "--shell", window]);
    let value = |name: &str| {
        shell
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} for window {window}: {shell}"))
    };
    Geometry { x: value("X"), y: value("Y"), width: value("WIDTH"), height: value("HEIGHT") }
}

fn click(x: i32, y: i32) {
    xdotool(&["mousemove", &x.to_string(), &y.to_string()]);
    std::thread::sleep(Duration::from_millis(200));
    xdotool(&["click", "1"]);
}

async fn poll<T>(what: &str, mut find: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(found) = find() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what} never appeared");
}
