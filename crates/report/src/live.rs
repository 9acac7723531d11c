//! The page `shiptrace watch` serves at `/`: a map of the watched area
//! (Natural Earth land drawn here, as in the report), vessels placed by
//! the page's script from `/api/vessels`, alerts from `/api/stream`.
//! Built like the report: `maud` markup, the style and script as fixed
//! assets pinned by hash in its Content Security Policy, which allows
//! nothing else but requests back to the server itself.

use crate::map::{land_path, Projection, HEIGHT, WIDTH};
use base64::Engine;
use maud::{html, PreEscaped, DOCTYPE};
use sha2::Digest;

const CSS: &str = include_str!("../assets/live.css");
const JS: &str = include_str!("../assets/live.js");

fn hash(s: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(s.as_bytes()))
    )
}

/// The policy the live page is served with: its own style and script,
/// and requests to the server it came from (the API and the alert
/// stream); nothing else.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        hash(JS),
        hash(CSS)
    )
}

/// The page, for the (min lon, min lat, max lon, max lat) `area`.
pub fn page(area: (f64, f64, f64, f64)) -> String {
    let pr = Projection::fit(area);
    let (lon0, top, k) = pr.params();
    let land = land_path(&pr);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="referrer" content="no-referrer";
                meta name="generator" content=(format!("shiptrace {}", env!("CARGO_PKG_VERSION")));
                title { "shiptrace watch" }
                style { (PreEscaped(CSS)) }
            }
            body {
                svg #map xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {HEIGHT}"))
                    data-lon0=(lon0) data-top=(top) data-k=(k) role="img" aria-label="Map of the watched area" {
                    path.land d=(land) {}
                    g #ships {}
                    g #seen {}
                }
                div #side {
                    h1 { "shiptrace watch" }
                    div #stat {}
                    h1 { "Alerts" }
                    div #alerts {}
                }
                script { (PreEscaped(JS)) }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_pins_the_page_own_style_and_script() {
        let p = page((129.0, 41.0, 134.0, 44.0));
        let csp = content_security_policy();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains(&hash(JS)) && csp.contains(&hash(CSS)));
        assert!(p.contains(JS) && p.contains(CSS));
        assert_eq!(p.matches("<script").count(), 1);
        assert!(p.contains("data-lon0="));
    }
}
