//! Baked badges (Open Badges 3.0, "Baked Badge"): the certification's logo as an image that
//! carries its signed credential, so Open Badges aware software can read and verify it from the
//! image alone.
//!
//! - SVG: the logo file with `xmlns:openbadges` on its root and, right after it, an
//!   `<openbadges:credential verify="…"/>` holding the VC-JWT.
//! - PNG: the logo drawn at its size (the catalog's logos are one hexagon in the certification's
//!   colour, an inner outline and two lines of text) with an uncompressed `iTXt` chunk of keyword
//!   `openbadgecredential` holding the VC-JWT. Text is drawn with an 8×8 bitmap font, scaled.

use font8x8::UnicodeFonts;

const NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";
/// The PNG chunk's keyword.
pub const PNG_KEYWORD: &str = "openbadgecredential";

#[derive(Debug, thiserror::Error)]
pub enum BakeError {
    #[error("the logo is not an SVG document")]
    NotSvg,
    #[error("the image could not be written: {0}")]
    Png(#[from] png::EncodingError),
}

/// The logo `svg` with the credential `jwt` baked in.
pub fn svg(logo: &str, jwt: &str) -> Result<String, BakeError> {
    let open = logo.find("<svg").ok_or(BakeError::NotSvg)?;
    let end = open + logo[open..].find('>').ok_or(BakeError::NotSvg)?;
    // A compact JWS is base64url and dots: nothing to escape in an attribute.
    debug_assert!(jwt
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
    Ok(format!(
        "{} xmlns:openbadges=\"{NAMESPACE}\">\n  <openbadges:credential verify=\"{jwt}\"></openbadges:credential>{}",
        &logo[..end],
        &logo[end + 1..]
    ))
}

/// The credential baked in an SVG (`verify` of the first `openbadges:credential`).
pub fn from_svg(svg: &str) -> Option<&str> {
    let tag = svg.find("<openbadges:credential")?;
    let rest = &svg[tag..];
    let start = rest.find("verify=\"")? + "verify=\"".len();
    let len = rest[start..].find('"')?;
    Some(&rest[start..start + len])
}

/// The logo drawn as a PNG of `side` pixels with the credential `jwt` in its `iTXt` chunk.
pub fn png(logo: &str, jwt: &str) -> Result<Vec<u8>, BakeError> {
    let side = 240;
    let colour = fill_colour(logo).ok_or(BakeError::NotSvg)?;
    let lines = texts(logo);
    let mut canvas = Canvas::new(side);
    let outer = [
        (120.0, 8.0),
        (217.0, 64.0),
        (217.0, 176.0),
        (120.0, 232.0),
        (23.0, 176.0),
        (23.0, 64.0),
    ];
    let inner = [
        (120.0, 24.0),
        (203.0, 72.0),
        (203.0, 168.0),
        (120.0, 216.0),
        (37.0, 168.0),
        (37.0, 72.0),
    ];
    canvas.fill_polygon(&outer, colour);
    canvas.outline_polygon(&inner, 1.5, WHITE);
    if let Some(first) = lines.first() {
        canvas.text(first, 120, 96, 6);
    }
    if let Some(second) = lines.get(1) {
        canvas.text(second, 120, 152, 2);
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.add_itxt_chunk(PNG_KEYWORD.into(), jwt.into())?;
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&canvas.pixels)?;
    }
    Ok(out)
}

const WHITE: [u8; 4] = [255, 255, 255, 255];

/// The first `fill="#rrggbb"` of the logo: its hexagon's colour.
fn fill_colour(svg: &str) -> Option<[u8; 4]> {
    let start = svg.find("fill=\"#")? + "fill=\"#".len();
    let hex = svg.get(start..start + 6)?;
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?, 255])
}

/// The contents of the logo's `<text>` elements, in order.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|part| {
            let start = part.find('>')? + 1;
            let end = part.find("</text>")?;
            Some(part.get(start..end)?.trim().to_string())
        })
        .collect()
}

/// An RGBA canvas, transparent until drawn on.
struct Canvas {
    side: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(side: usize) -> Canvas {
        Canvas {
            side,
            pixels: vec![0; side * side * 4],
        }
    }

    fn set(&mut self, x: usize, y: usize, colour: [u8; 4]) {
        if x < self.side && y < self.side {
            let at = (y * self.side + x) * 4;
            self.pixels[at..at + 4].copy_from_slice(&colour);
        }
    }

    /// Every pixel whose centre is inside the polygon (even-odd rule).
    fn fill_polygon(&mut self, points: &[(f32, f32)], colour: [u8; 4]) {
        for y in 0..self.side {
            for x in 0..self.side {
                if inside(points, x as f32 + 0.5, y as f32 + 0.5) {
                    self.set(x, y, colour);
                }
            }
        }
    }

    /// Every pixel whose centre is within `half_width` of the polygon's edges.
    fn outline_polygon(&mut self, points: &[(f32, f32)], half_width: f32, colour: [u8; 4]) {
        for y in 0..self.side {
            for x in 0..self.side {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let near = (0..points.len()).any(|i| {
                    let (a, b) = (points[i], points[(i + 1) % points.len()]);
                    distance_to_segment(px, py, a, b) <= half_width
                });
                if near {
                    self.set(x, y, colour);
                }
            }
        }
    }

    /// `text` in white, centred on `centre_x`, its top at `top`, each font pixel `scale` wide.
    fn text(&mut self, text: &str, centre_x: usize, top: usize, scale: usize) {
        let width = text.chars().count() * 8 * scale;
        let left = centre_x.saturating_sub(width / 2);
        for (n, c) in text.chars().enumerate() {
            let Some(glyph) = font8x8::BASIC_FONTS.get(c) else {
                continue;
            };
            for (row, bits) in glyph.iter().enumerate() {
                for column in 0..8 {
                    if bits & (1 << column) == 0 {
                        continue;
                    }
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let x = left + (n * 8 + column) * scale + dx;
                            self.set(x, top + row * scale + dy, WHITE);
                        }
                    }
                }
            }
        }
    }
}

fn inside(points: &[(f32, f32)], x: f32, y: f32) -> bool {
    let mut inside = false;
    let mut j = points.len() - 1;
    for i in 0..points.len() {
        let ((xi, yi), (xj, yj)) = (points[i], points[j]);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn distance_to_segment(px: f32, py: f32, (ax, ay): (f32, f32), (bx, by): (f32, f32)) -> f32 {
    let (dx, dy) = (bx - ax, by - ay);
    let t = (((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    let (cx, cy) = (ax + t * dx, ay + t * dy);
    ((px - cx).powi(2) + (py - cy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">
  <polygon points="120,8 217,64 217,176 120,232 23,176 23,64" fill="#2f7d5b"/>
  <text x="120" y="128">IA</text>
  <text x="120" y="166">CERTIFIED</text>
</svg>"##;
    const JWT: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpZCI6IngifQ.c2lnbmF0dXJl";

    #[test]
    fn the_svg_carries_the_credential_right_after_its_root() {
        let baked = svg(LOGO, JWT).unwrap();
        assert!(baked.contains(r#"xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">"#));
        assert_eq!(from_svg(&baked), Some(JWT));
        assert_eq!(baked.matches("<openbadges:credential").count(), 1);
        let root_end = baked.find('>').unwrap();
        assert!(baked[root_end + 1..]
            .trim_start()
            .starts_with("<openbadges:credential"));
        assert!(matches!(svg("not svg", JWT), Err(BakeError::NotSvg)));
    }

    #[test]
    fn the_png_is_the_logo_with_the_credential_in_an_uncompressed_itxt_chunk() {
        let bytes = png(LOGO, JWT).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let mut reader = decoder.read_info().unwrap();
        let chunks = &reader.info().utf8_text;
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].keyword, PNG_KEYWORD);
        assert!(!chunks[0].compressed);
        assert_eq!(chunks[0].get_text().unwrap(), JWT);
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        let at = |x: usize, y: usize| &pixels[(y * 240 + x) * 4..(y * 240 + x) * 4 + 4];
        assert_eq!(at(0, 0), [0, 0, 0, 0], "outside the hexagon: transparent");
        assert_eq!(at(60, 120), [0x2f, 0x7d, 0x5b, 255], "the logo's colour");
        let white = (96..144)
            .flat_map(|y| (72..168).map(move |x| (x, y)))
            .filter(|&(x, y)| at(x, y) == WHITE)
            .count();
        assert!(
            white > 200,
            "the abbreviation is drawn: {white} white pixels"
        );
    }
}
