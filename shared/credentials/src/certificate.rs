//! The PDF certificate of an active certification: the holder's name, the certification, its
//! dates, a verification code, and a QR code of the code's public verification page, on one
//! landscape A4 page in a base-14 font (nothing embedded, so the file stays a few kilobytes).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use qrcodegen::{QrCode, QrCodeEcc};
use time::Date;

use tessera_certification::dates::iso_date;
use tessera_kernel::code::{CodePepper, CodePurpose};

pub struct CertificateText<'a> {
    pub holder: &'a str,
    pub certification: &'a str,
    pub abbreviation: &'a str,
    pub candidate_id: &'a str,
    pub active: Date,
    pub expires: Date,
    pub verification_code: &'a str,
    /// The code's public verification page: printed under the code and drawn as a QR code.
    pub verification_url: &'a str,
}

/// The QR code's modules are this many points square, drawn from the page's lower right corner.
const QR_MODULE: f32 = 3.0;
const QR_RIGHT: f32 = 762.0;
const QR_BOTTOM: f32 = 80.0;

/// A code a third party can quote to check the certificate: derived from the candidate, the
/// certification and its active date with the server's pepper, so it cannot be forged and a
/// renewal gives a new one.
pub fn verification_code(
    pepper: &CodePepper,
    candidate_id: &str,
    certification: &str,
    active: Date,
) -> String {
    let subject = format!(
        "{candidate_id}|{certification}|{}",
        iso_date::format(active)
    );
    let digest = pepper.digest_secret(CodePurpose::Certificate, &subject, "certificate");
    digest.chars().take(12).collect::<String>().to_uppercase()
}

/// `text` as a QR code of filled squares, its lower right corner at (`QR_RIGHT`, `QR_BOTTOM`);
/// nothing when it is too long for one (a verification URL never is).
fn draw_qr_code(content: &mut Content, text: &str) {
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return;
    };
    let size = qr.size();
    let left = QR_RIGHT - size as f32 * QR_MODULE;
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                // PDF's y axis points up: row 0 is the top row.
                let bottom = QR_BOTTOM + (size - 1 - y) as f32 * QR_MODULE;
                content.rect(left + x as f32 * QR_MODULE, bottom, QR_MODULE, QR_MODULE);
            }
        }
    }
    content.fill_nonzero();
}

/// Text as the font's WinAnsi (Latin-1) bytes; other characters become `?`.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| {
            u8::try_from(u32::from(c))
                .ok()
                .filter(|b| *b >= 0x20)
                .unwrap_or(b'?')
        })
        .collect()
}

pub fn render(text: &CertificateText) -> Vec<u8> {
    let (catalog, pages, page, regular, bold, contents) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, 842.0, 595.0));
    p.parent(pages);
    p.contents(contents);
    let mut resources = p.resources();
    let mut fonts = resources.fonts();
    fonts.pair(Name(b"F1"), regular);
    fonts.pair(Name(b"F2"), bold);
    fonts.finish();
    resources.finish();
    p.finish();
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));

    let lines: [(&[u8], f32, f32, Vec<u8>); 8] = [
        (b"F1", 16.0, 470.0, latin1("Tessera certifies that")),
        (b"F2", 30.0, 420.0, latin1(text.holder)),
        (b"F1", 16.0, 380.0, latin1("holds the certification")),
        (
            b"F2",
            24.0,
            335.0,
            latin1(&format!("{} ({})", text.certification, text.abbreviation)),
        ),
        (
            b"F1",
            14.0,
            280.0,
            latin1(&format!(
                "Active since {}  -  valid until {}",
                iso_date::format(text.active),
                iso_date::format(text.expires)
            )),
        ),
        (
            b"F1",
            12.0,
            150.0,
            latin1(&format!("Candidate ID {}", text.candidate_id)),
        ),
        (
            b"F1",
            12.0,
            130.0,
            latin1(&format!("Verification code {}", text.verification_code)),
        ),
        (
            b"F1",
            10.0,
            112.0,
            latin1(&format!("Check it at {}", text.verification_url)),
        ),
    ];
    let mut content = Content::new();
    content.set_fill_rgb(0.1, 0.1, 0.1);
    for (font, size, y, bytes) in &lines {
        content.begin_text();
        content.set_font(Name(font), *size);
        content.next_line(80.0, *y);
        content.show(Str(bytes));
        content.end_text();
    }
    draw_qr_code(&mut content, text.verification_url);
    pdf.stream(contents, &content.finish());
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_pdf_parses_and_carries_the_name_certification_dates_and_code() {
        let pepper = CodePepper::new(b"test-pepper-0123456789".to_vec());
        let code = verification_code(&pepper, "TSC1", "enterprise-expert", date!(2025 - 06 - 06));
        let bytes = render(&CertificateText {
            holder: "Ada Lovelace",
            certification: "Enterprise Expert",
            abbreviation: "EE",
            candidate_id: "TSC1",
            active: date!(2025 - 06 - 06),
            expires: date!(2029 - 10 - 10),
            verification_code: &code,
            verification_url: "https://certs.example.com/v1/verify/ABCD",
        });
        assert!(bytes.starts_with(b"%PDF-"));
        let document = lopdf::Document::load_mem(&bytes).expect("a valid PDF");
        let text = document.extract_text(&[1]).expect("text on page 1");
        for expected in [
            "Ada Lovelace",
            "Enterprise Expert (EE)",
            "2029-10-10",
            code.as_str(),
            "https://certs.example.com/v1/verify/ABCD",
        ] {
            assert!(text.contains(expected), "{expected} not in {text:?}");
        }
        assert_eq!(
            scan_qr_code(&document).as_deref(),
            Some("https://certs.example.com/v1/verify/ABCD")
        );
    }

    /// The QR code drawn on the page, read back: the filled squares become pixels, and a QR
    /// decoder reads them.
    fn scan_qr_code(document: &lopdf::Document) -> Option<String> {
        let page = *document.get_pages().get(&1)?;
        let content = document.get_and_decode_page_content(page).ok()?;
        let squares: Vec<(f32, f32)> = content
            .operations
            .iter()
            .filter(|op| op.operator == "re")
            .map(|op| {
                (
                    op.operands[0].as_float().unwrap(),
                    op.operands[1].as_float().unwrap(),
                )
            })
            .collect();
        let left = squares.iter().map(|s| s.0).fold(f32::MAX, f32::min);
        let bottom = squares.iter().map(|s| s.1).fold(f32::MAX, f32::min);
        let modules = squares
            .iter()
            .map(|s| ((s.0 - left) / QR_MODULE).round() as usize)
            .max()?
            + 1;
        let (scale, margin) = (4, 4);
        let side = (modules + 2 * margin) * scale;
        let mut pixels = vec![255u8; side * side];
        for (x, y) in &squares {
            let column = ((x - left) / QR_MODULE).round() as usize + margin;
            let row = modules - 1 - ((y - bottom) / QR_MODULE).round() as usize + margin;
            for dy in 0..scale {
                let start = (row * scale + dy) * side + column * scale;
                pixels[start..start + scale].fill(0);
            }
        }
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| pixels[y * side + x]);
        let grids = image.detect_grids();
        grids.first()?.decode().ok().map(|(_, text)| text)
    }

    #[test]
    fn verification_codes_differ_by_candidate_certification_and_period() {
        let pepper = CodePepper::new(b"test-pepper-0123456789".to_vec());
        let d = date!(2025 - 06 - 06);
        let base = verification_code(&pepper, "TSC1", "a", d);
        assert_eq!(base.len(), 12);
        assert_eq!(base, verification_code(&pepper, "TSC1", "a", d));
        assert_ne!(base, verification_code(&pepper, "TSC2", "a", d));
        assert_ne!(base, verification_code(&pepper, "TSC1", "b", d));
        assert_ne!(
            base,
            verification_code(&pepper, "TSC1", "a", date!(2025 - 06 - 07))
        );
    }

    #[test]
    fn characters_outside_latin1_become_question_marks() {
        assert_eq!(latin1("Gödel Ω"), b"G\xf6del ?".to_vec());
    }
}
