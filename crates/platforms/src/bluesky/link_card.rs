//! Link cards: Bluesky shows a card for a link only when the client builds it, so the page is
//! fetched for its title, description and image (Open Graph tags, else `<title>`). A page
//! that cannot be read leaves the post with its plain link.

use dom_query::Document;
use sipstory_engine::provider::PublishHttp;

/// The largest page read for its tags.
const MAX_PAGE_BYTES: usize = 2_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCard {
    pub title: String,
    pub description: String,
    /// The page's image, as an absolute URL.
    pub image: Option<url::Url>,
}

/// Reads the card of `link`, or `None` when the page cannot be read.
pub async fn fetch(http: &PublishHttp, link: &str) -> Option<PageCard> {
    let page = url::Url::parse(link).ok()?;
    let response = http.send("link_card", http.inner().get(page.clone()), true).await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let body = response.bytes().await.ok()?;
    let html = String::from_utf8_lossy(&body[..body.len().min(MAX_PAGE_BYTES)]);
    Some(parse(&page, &html))
}

/// Downloads a card's image: its bytes and type, or `None` when it is not a readable image.
pub async fn fetch_image(http: &PublishHttp, image: &url::Url) -> Option<(Vec<u8>, String)> {
    let response =
        http.send("link_card_image", http.inner().get(image.clone()), true).await.ok()?;
    let mime = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .trim()
        .to_owned();
    if !response.status().is_success() || !mime.starts_with("image/") {
        return None;
    }
    Some((response.bytes().await.ok()?.to_vec(), mime))
}

fn parse(page: &url::Url, html: &str) -> PageCard {
    let doc = Document::from(html);
    let meta = |names: &[&str]| {
        names.iter().find_map(|name| {
            let selector = format!(r#"meta[property="{name}"], meta[name="{name}"]"#);
            doc.select(&selector)
                .attr("content")
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    };
    let title = meta(&["og:title", "twitter:title"])
        .unwrap_or_else(|| doc.select("title").text().trim().to_owned());
    let description = meta(&["og:description", "twitter:description", "description"]);
    let image = meta(&["og:image", "twitter:image"]).and_then(|src| page.join(&src).ok());
    PageCard { title, description: description.unwrap_or_default(), image }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_open_graph_tags_with_relative_images() {
        let page = url::Url::parse("http://127.0.0.1:8000/blog/post").unwrap();
        let html = r#"<html><head><title>Fallback</title>
            <meta property="og:title" content="Café news">
            <meta name="description" content="All about coffee">
            <meta property="og:image" content="/img/card.png"></head></html>"#;
        let card = parse(&page, html);
        assert_eq!(card.title, "Café news");
        assert_eq!(card.description, "All about coffee");
        assert_eq!(card.image.unwrap().as_str(), "http://127.0.0.1:8000/img/card.png");
    }

    #[test]
    fn falls_back_to_the_title_element() {
        let page = url::Url::parse("https://example.com/").unwrap();
        let card = parse(&page, "<title> Plain page </title>");
        assert_eq!(
            card,
            PageCard { title: "Plain page".into(), description: String::new(), image: None }
        );
    }
}
