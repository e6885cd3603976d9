//! The enrolment QR code as a PNG: `qrcodegen` places the modules, `png` writes a small
//! greyscale image (a full image library would be most of this function's size).

use base64::Engine;
use qrcodegen::{QrCode, QrCodeEcc};

const SCALE: usize = 6;
const QUIET_ZONE: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the text does not fit in a QR code")]
    TooLong,
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
}

/// `text` as a black-on-white QR code PNG, base64 (standard alphabet, padded).
pub fn png_base64(text: &str) -> Result<String, QrError> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).map_err(|_| QrError::TooLong)?;
    let modules = qr.size() as usize;
    let side = (modules + 2 * QUIET_ZONE) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for y in 0..modules {
        for x in 0..modules {
            if qr.get_module(x as i32, y as i32) {
                for dy in 0..SCALE {
                    let row = ((y + QUIET_ZONE) * SCALE + dy) * side;
                    let start = row + (x + QUIET_ZONE) * SCALE;
                    pixels[start..start + SCALE].fill(0);
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PNG decodes, and the QR code in it reads back as the text.
    #[test]
    fn the_png_scans_back_to_its_text() {
        let text =
            "otpauth://totp/Tessera:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Tessera";
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png_base64(text).unwrap())
            .unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, text);
    }
}
