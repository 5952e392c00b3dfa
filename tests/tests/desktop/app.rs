//! The real Sipstory window under test: the app built with the loopback platform, opened on a
//! temp data folder through tauri-driver; a W3C WebDriver client drives it; X11 screenshots of
//! the whole screen are saved for people to look at.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::driver::{Driver, required_env};

const STEP: Duration = Duration::from_secs(20);

pub struct DesktopApp {
    pub client: Client,
    _driver: Driver,
}

impl DesktopApp {
    /// Starts the app on `data_dir` and connects a WebDriver session to its window.
    pub async fn launch(data_dir: &Path) -> Self {
        let driver = Driver::start(data_dir);
        let client = driver.session(&required_env("SIPSTORY_APP")).await;
        let app = Self { client, _driver: driver };
        app.wait_for(Locator::Css("nav[aria-label]")).await;
        app
    }

    pub async fn wait_for(&self, locator: Locator<'_>) -> Element {
        self.client
            .wait()
            .at_most(STEP)
            .for_element(locator)
            .await
            .unwrap_or_else(|e| panic!("{locator:?} never appeared: {e}"))
    }

    /// The first element matching an XPath expression.
    pub async fn xpath(&self, xpath: &str) -> Element {
        self.wait_for(Locator::XPath(xpath)).await
    }

    /// Clicks the first match, finding it again while the page re-renders it (a calendar
    /// refreshing after a publish) or something briefly covers it.
    pub async fn click_xpath(&self, xpath: &str) {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let outcome = match self.client.find(Locator::XPath(xpath)).await {
                Ok(element) => element.click().await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => return,
                Err(e) if tokio::time::Instant::now() >= deadline => {
                    panic!("could not click {xpath}: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
            }
        }
    }

    /// The form control labelled `label` (by `aria-label`, or a `<label>` starting with it).
    pub async fn field(&self, label: &str) -> Element {
        let literal = xpath_literal(label);
        let xpath = format!(
            "//*[@aria-label={literal}] | //*[@id=//label[starts-with(normalize-space(.), {literal})]/@for] | //label[starts-with(normalize-space(.), {literal})]//*[self::input or self::textarea or self::select]"
        );
        self.wait_for(Locator::XPath(&xpath)).await
    }

    /// Sets an input's value the way a user's typing would (input + change events).
    pub async fn set_value(&self, element: &Element, value: &str) {
        let args = vec![serde_json::to_value(element).unwrap(), json!(value)];
        self.client
            .execute(
                "const [el, v] = arguments; const proto = Object.getPrototypeOf(el);
                 Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);
                 el.dispatchEvent(new Event('input', {bubbles: true}));
                 el.dispatchEvent(new Event('change', {bubbles: true}));",
                args,
            )
            .await
            .expect("value set");
    }

    /// Drags the element at xpath `from` onto the top of the one at `to` with the mouse, in small
    /// steps with pauses between them, as a hand would (WebKit's driver jumps in one move
    /// whatever the duration), so the page sees a real drag and drop.
    pub async fn drag(&self, from: &str, to: &str) {
        const STEPS: u32 = 12;
        let center = |rect: (f64, f64, f64, f64)| (rect.0 + rect.2 / 2.0, rect.1 + rect.3 / 2.0);
        let start = center(self.place(from).await);
        let target = self.place(to).await;
        let end = (target.0 + target.2 / 2.0, target.1 + 20.0_f64.min(target.3 / 2.0));
        let pause = PointerAction::Pause { duration: Duration::from_millis(40) };
        let mut mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveTo { duration: None, x: start.0, y: start.1 })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(pause.clone());
        for step in 1..=STEPS {
            let t = f64::from(step) / f64::from(STEPS);
            let (x, y) = (start.0 + (end.0 - start.0) * t, start.1 + (end.1 - start.1) * t);
            mouse = mouse
                .then(PointerAction::MoveTo { duration: None, x: x.round(), y: y.round() })
                .then(pause.clone());
        }
        let mouse = mouse.then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        self.client.perform_actions(mouse).await.expect("the drag was performed");
    }

    /// Where the element at `xpath` is on the page (x, y, width, height), found again when the
    /// page re-rendered it between finding and measuring (a calendar refreshing its events).
    async fn place(&self, xpath: &str) -> (f64, f64, f64, f64) {
        let mut last_error = None;
        for _ in 0..10 {
            match self.xpath(xpath).await.rectangle().await {
                Ok(rect) => return rect,
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the place of {xpath}: {last_error:?}");
    }

    /// Waits until the page's rendered text (`innerText`) contains `text`.
    pub async fn wait_text(&self, text: &str) {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let body = self.client.execute("return document.body.innerText", vec![]).await.unwrap();
            let body = body.as_str().unwrap_or_default().to_owned();
            if body.contains(text) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the window never showed {text:?}; it shows:\n{body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An X11 screenshot of the whole screen, saved as `<target>/e2e-screenshots/<name>.png`,
    /// once WebKit has painted what the DOM already shows.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        self.client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 400)));",
                vec![],
            )
            .await
            .expect("a frame was painted");
        let dir =
            PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
                .join("e2e-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .status()
            .expect("imagemagick's import runs");
        assert!(status.success(), "screenshot {name} failed");
        path
    }

    /// Ends the session, which closes the app.
    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
    }
}

fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        return format!("'{text}'");
    }
    let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
    format!("concat({})", parts.join(", \"'\", "))
}
