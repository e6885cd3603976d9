//! The PDF certificate of an active certification: the holder's name, the certification, its
//! dates and a verification code, on one landscape A4 page in a base-14 font (nothing embedded,
//! so the file stays a few kilobytes).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use time::Date;

use super::dates::iso_date;
use tessera_kernel::code::{CodePepper, CodePurpose};

pub struct CertificateText<'a> {
    pub holder: &'a str,
    pub certification: &'a str,
    pub abbreviation: &'a str,
    pub candidate_id: &'a str,
    pub active: Date,
    pub expires: Date,
    pub verification_code: &'a str,
}

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

    let lines: [(&[u8], f32, f32, Vec<u8>); 7] = [
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
        });
        assert!(bytes.starts_with(b"%PDF-"));
        let document = lopdf::Document::load_mem(&bytes).expect("a valid PDF");
        let text = document.extract_text(&[1]).expect("text on page 1");
        for expected in [
            "Ada Lovelace",
            "Enterprise Expert (EE)",
            "2029-10-10",
            code.as_str(),
        ] {
            assert!(text.contains(expected), "{expected} not in {text:?}");
        }
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
