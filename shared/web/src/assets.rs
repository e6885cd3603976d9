//! The style sheet, the one script and the icon, compiled into the binary and served by the page
//! function (no third-party asset, nothing to build). Browsers may keep them an hour.

use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::{Body, Response};

pub const STYLE: &str = include_str!("../assets/portal.css");
pub const SCRIPT: &str = include_str!("../assets/portal.js");
pub const ICON: &str = include_str!("../assets/icon.svg");

pub const STYLE_PATH: &str = "/assets/portal.css";
pub const SCRIPT_PATH: &str = "/assets/portal.js";
pub const ICON_PATH: &str = "/assets/icon.svg";
/// Where browsers and feed readers look for an icon without being told: the same SVG.
pub const FAVICON_PATH: &str = "/favicon.ico";

/// The asset at `path`, if it is one.
pub fn serve(path: &str) -> Option<Response<Body>> {
    let (content_type, body) = match path {
        STYLE_PATH => ("text/css; charset=utf-8", STYLE),
        SCRIPT_PATH => ("text/javascript; charset=utf-8", SCRIPT),
        ICON_PATH | FAVICON_PATH => ("image/svg+xml", ICON),
        _ => return None,
    };
    Some(
        Response::builder()
            .status(200)
            .header(CONTENT_TYPE, content_type)
            .header(CACHE_CONTROL, "public, max-age=3600")
            .header("x-content-type-options", "nosniff")
            .body(Body::Text(body.to_string()))
            .expect("static headers are valid"),
    )
}
