//! The certification catalog: tracks, exams and certifications with their earning and
//! recertification rules. It is data (`data/catalog.toml`, documented in `docs/catalog.md`),
//! parsed and checked once: a catalog naming an unknown exam, track or certification, or whose
//! certifications recertify each other in a circle, is refused with the reason.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;

use super::requirement::Requirement;

/// The catalog shipped with the product.
pub const BUILT_IN: &str = include_str!("../data/catalog.toml");

/// Stored as written (`serde`): what is stored was parsed on its way in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, Deserialize)]
#[serde(transparent)]
pub struct CertificationId(String);

impl CertificationId {
    /// A certification's id as the catalog writes it (`is_catalog_id`); what a request names is
    /// parsed here, so a malformed id is refused at the edge the same way everywhere.
    pub fn parse(raw: &str) -> Option<CertificationId> {
        is_catalog_id(raw).then(|| CertificationId(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CertificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An exam code as the testing vendors print it (`IA-201`). Compared case-insensitively,
/// kept upper-case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExamCode(String);

impl ExamCode {
    pub fn parse(raw: &str) -> Option<ExamCode> {
        let code = raw.trim().to_ascii_uppercase();
        let valid = (1..=20).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        valid.then_some(ExamCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExamCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Track {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exam {
    pub code: ExamCode,
    pub name: String,
    /// How long a pass counts toward earning a certification (and the "expires" column of the
    /// exam history).
    pub pass_valid_years: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certification {
    pub id: CertificationId,
    pub name: String,
    pub abbreviation: String,
    pub track: String,
    pub valid_years: u32,
    pub earn: Requirement,
    pub recertify: Requirement,
    /// The logo file (under `data/logos/`) holders of the active certification may download.
    pub logo: Option<String>,
    /// Whether holding it for the catalog's tenure years earns achievement logos.
    pub tenure_logos: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    pub tracks: Vec<Track>,
    pub exams: Vec<Exam>,
    /// As written in the file: the order screens show them in.
    pub certifications: Vec<Certification>,
    /// Indices into `certifications` in dependency order: each after every certification its
    /// rules name, so one pass computes them all.
    pub evaluation_order: Vec<usize>,
    /// Years of continuous holding that earn an achievement logo (e.g. 10, 15, 20).
    pub tenure_years: Vec<u32>,
    /// The agreement candidates accept at their first exam.
    pub agreement: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogError {
    #[error("the catalog is not valid TOML: {0}")]
    Syntax(String),
    #[error("{0}")]
    Invalid(String),
}

fn invalid(message: impl Into<String>) -> CatalogError {
    CatalogError::Invalid(message.into())
}

impl Catalog {
    /// The catalog compiled into the product; checked by the tests, so a bad edit fails the build
    /// pipeline before it ships.
    pub fn built_in() -> Catalog {
        Catalog::parse(BUILT_IN).expect("the built-in catalog is valid")
    }

    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog =
            toml::from_str(text).map_err(|e| CatalogError::Syntax(e.message().to_string()))?;
        raw.check()
    }

    pub fn certification(&self, id: &str) -> Option<&Certification> {
        self.certifications.iter().find(|c| c.id.as_str() == id)
    }

    pub fn exam(&self, code: &ExamCode) -> Option<&Exam> {
        self.exams.iter().find(|e| &e.code == code)
    }

    pub fn track(&self, id: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    tenure_years: Vec<u32>,
    #[serde(default = "default_agreement")]
    agreement: String,
    #[serde(rename = "track")]
    tracks: Vec<RawTrack>,
    #[serde(rename = "exam")]
    exams: Vec<RawExam>,
    #[serde(rename = "certification")]
    certifications: Vec<RawCertification>,
}

fn default_agreement() -> String {
    "Candidate Certification Agreement".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrack {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExam {
    code: String,
    name: String,
    pass_valid_years: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertification {
    id: String,
    name: String,
    abbreviation: String,
    track: String,
    valid_years: u32,
    earn: RawRequirement,
    recertify: RawRequirement,
    logo: Option<String>,
    #[serde(default)]
    tenure_logos: bool,
}

/// One node of a rule as written: exactly one of `all`, `any`, `exams`, `ce_credits`,
/// `certifications`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRequirement {
    all: Option<Vec<RawRequirement>>,
    any: Option<Vec<RawRequirement>>,
    /// With `any`: how many of the alternatives (default 1).
    at_least: Option<u32>,
    exams: Option<Vec<String>>,
    certifications: Option<Vec<String>>,
    /// With `exams` or `certifications`: how many of those listed (default 1).
    pass: Option<u32>,
    ce_credits: Option<u32>,
}

impl RawCatalog {
    fn check(self) -> Result<Catalog, CatalogError> {
        let mut track_ids = HashSet::new();
        let mut tracks = Vec::new();
        for t in self.tracks {
            check_id("track", &t.id)?;
            if !track_ids.insert(t.id.clone()) {
                return Err(invalid(format!("track `{}` is listed twice", t.id)));
            }
            tracks.push(Track {
                id: t.id,
                name: t.name,
            });
        }

        let mut exams = Vec::new();
        for e in self.exams {
            let code = ExamCode::parse(&e.code)
                .ok_or_else(|| invalid(format!("exam code `{}` is not a valid code", e.code)))?;
            if exams.iter().any(|x: &Exam| x.code == code) {
                return Err(invalid(format!("exam `{code}` is listed twice")));
            }
            if e.pass_valid_years == 0 {
                return Err(invalid(format!(
                    "exam `{code}`: pass_valid_years must be ≥ 1"
                )));
            }
            exams.push(Exam {
                code,
                name: e.name,
                pass_valid_years: e.pass_valid_years,
            });
        }
        let exam_codes: HashSet<ExamCode> = exams.iter().map(|e| e.code.clone()).collect();

        let mut cert_ids = HashSet::new();
        for c in &self.certifications {
            check_id("certification", &c.id)?;
            if !cert_ids.insert(c.id.clone()) {
                return Err(invalid(format!("certification `{}` is listed twice", c.id)));
            }
        }

        let names = Names {
            exams: &exam_codes,
            certifications: &cert_ids,
        };
        let mut certifications = Vec::new();
        for c in self.certifications {
            let at = |part: &str, e: CatalogError| match e {
                CatalogError::Invalid(m) => {
                    invalid(format!("certification `{}` {part}: {m}", c.id))
                }
                other => other,
            };
            if !track_ids.contains(&c.track) {
                return Err(invalid(format!(
                    "certification `{}` names an unknown track `{}`",
                    c.id, c.track
                )));
            }
            if c.valid_years == 0 {
                return Err(invalid(format!(
                    "certification `{}`: valid_years must be ≥ 1",
                    c.id
                )));
            }
            let earn = c.earn.check(&names).map_err(|e| at("earn", e))?;
            let recertify = c.recertify.check(&names).map_err(|e| at("recertify", e))?;
            if earn.names_certification(&c.id) || recertify.names_certification(&c.id) {
                return Err(invalid(format!("certification `{}` names itself", c.id)));
            }
            certifications.push(Certification {
                id: CertificationId(c.id),
                name: c.name,
                abbreviation: c.abbreviation,
                track: c.track,
                valid_years: c.valid_years,
                earn,
                recertify,
                logo: c.logo,
                tenure_logos: c.tenure_logos,
            });
        }
        let evaluation_order = dependency_order(&certifications)?;

        let mut tenure_years = self.tenure_years;
        tenure_years.sort_unstable();
        tenure_years.dedup();
        if tenure_years.contains(&0) {
            return Err(invalid("tenure_years must be ≥ 1"));
        }

        Ok(Catalog {
            tracks,
            exams,
            certifications,
            evaluation_order,
            tenure_years,
            agreement: self.agreement,
        })
    }
}

pub(super) struct Names<'a> {
    pub exams: &'a HashSet<ExamCode>,
    pub certifications: &'a HashSet<String>,
}

impl RawRequirement {
    pub(super) fn check(self, names: &Names) -> Result<Requirement, CatalogError> {
        let kinds = [
            self.all.is_some(),
            self.any.is_some(),
            self.exams.is_some(),
            self.certifications.is_some(),
            self.ce_credits.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(invalid(
                "each rule is exactly one of `all`, `any`, `exams`, `certifications`, `ce_credits`",
            ));
        }
        if self.at_least.is_some() && self.any.is_none() {
            return Err(invalid("`at_least` goes with `any`"));
        }
        if self.pass.is_some() && self.exams.is_none() && self.certifications.is_none() {
            return Err(invalid("`pass` goes with `exams` or `certifications`"));
        }
        let group = |children: Vec<RawRequirement>, need: Option<u32>, all: bool| {
            if children.is_empty() {
                return Err(invalid("a group of rules needs at least one rule"));
            }
            let children = children
                .into_iter()
                .map(|c| c.check(names))
                .collect::<Result<Vec<_>, _>>()?;
            let need = if all {
                children.len()
            } else {
                need.unwrap_or(1) as usize
            };
            if need == 0 || need > children.len() {
                return Err(invalid(format!(
                    "`at_least = {need}` needs between 1 and {} alternatives",
                    children.len()
                )));
            }
            Ok(Requirement::Group { need, children })
        };
        if let Some(children) = self.all {
            return group(children, None, true);
        }
        if let Some(children) = self.any {
            return group(children, self.at_least, false);
        }
        if let Some(points) = self.ce_credits {
            if points == 0 {
                return Err(invalid("`ce_credits` must be ≥ 1"));
            }
            return Ok(Requirement::CeCredits { need: points });
        }
        let need = self.pass.unwrap_or(1);
        if let Some(raw) = self.exams {
            let mut codes = Vec::new();
            for r in raw {
                let code = ExamCode::parse(&r)
                    .filter(|c| names.exams.contains(c))
                    .ok_or_else(|| invalid(format!("names an unknown exam `{r}`")))?;
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            check_need(need, codes.len())?;
            return Ok(Requirement::Exams { codes, need });
        }
        let raw = self.certifications.unwrap_or_default();
        let mut ids = Vec::new();
        for r in raw {
            if !names.certifications.contains(&r) {
                return Err(invalid(format!("names an unknown certification `{r}`")));
            }
            let id = CertificationId(r);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        check_need(need, ids.len())?;
        Ok(Requirement::Certifications { ids, need })
    }
}

fn check_need(need: u32, listed: usize) -> Result<(), CatalogError> {
    if need == 0 || need as usize > listed {
        return Err(invalid(format!(
            "`pass = {need}` needs between 1 and {listed} listed"
        )));
    }
    Ok(())
}

/// The shape of every id in the catalog (certifications, tracks, logos): 1–40 lower-case
/// letters, digits or hyphens.
pub fn is_catalog_id(raw: &str) -> bool {
    (1..=40).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_id(what: &str, id: &str) -> Result<(), CatalogError> {
    if is_catalog_id(id) {
        Ok(())
    } else {
        Err(invalid(format!(
            "{what} id `{id}` must be 1–40 lower-case letters, digits or hyphens"
        )))
    }
}

/// The certifications' indices so each follows those its rules name; refuses a circle.
fn dependency_order(certifications: &[Certification]) -> Result<Vec<usize>, CatalogError> {
    let mut order: Vec<usize> = Vec::new();
    while order.len() < certifications.len() {
        let ready = (0..certifications.len()).find(|i| {
            let c = &certifications[*i];
            !order.contains(i)
                && c.earn
                    .named_certifications()
                    .chain(c.recertify.named_certifications())
                    .all(|named| order.iter().any(|o| &certifications[*o].id == named))
        });
        let Some(next) = ready else {
            let mut circle: Vec<String> = (0..certifications.len())
                .filter(|i| !order.contains(i))
                .map(|i| certifications[i].id.to_string())
                .collect();
            circle.sort();
            return Err(invalid(format!(
                "certifications name each other in a circle: {}",
                circle.join(", ")
            )));
        };
        order.push(next);
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certification_ids_have_the_catalogs_shape() {
        assert_eq!(
            CertificationId::parse("infrastructure-associate")
                .unwrap()
                .as_str(),
            "infrastructure-associate"
        );
        for bad in ["", "Associate", "a_b", "a b", "../x", &"a".repeat(41)] {
            assert!(CertificationId::parse(bad).is_none(), "{bad:?}");
        }
        let catalog = Catalog::built_in();
        for c in &catalog.certifications {
            assert!(CertificationId::parse(c.id.as_str()).is_some(), "{}", c.id);
        }
    }

    const MINIMAL: &str = r#"
        [[track]]
        id = "associate"
        name = "Associate"

        [[exam]]
        code = "100-1"
        name = "Fundamentals"
        pass_valid_years = 3

        [[certification]]
        id = "a"
        name = "A"
        abbreviation = "A"
        track = "associate"
        valid_years = 3
        earn = { exams = ["100-1"] }
        recertify = { any = [{ exams = ["100-1"] }, { ce_credits = 30 }] }
    "#;

    fn with_certification(extra: &str) -> String {
        format!("{MINIMAL}\n{extra}")
    }

    fn refusal(text: &str) -> String {
        match Catalog::parse(text) {
            Err(CatalogError::Invalid(m)) | Err(CatalogError::Syntax(m)) => m,
            Ok(_) => panic!("the catalog was accepted"),
        }
    }

    #[test]
    fn the_built_in_catalog_is_valid_and_names_tracks_exams_and_tenure_years() {
        let catalog = Catalog::built_in();
        assert!(catalog.tracks.len() >= 2);
        assert!(catalog.certifications.len() >= 4);
        assert_eq!(catalog.tenure_years, vec![10, 15, 20]);
        for c in &catalog.certifications {
            assert!(catalog.track(&c.track).is_some(), "{}", c.id);
        }
    }

    #[test]
    fn every_logo_the_built_in_catalog_names_is_a_file() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/logos");
        let catalog = Catalog::built_in();
        for c in &catalog.certifications {
            let logo = c
                .logo
                .as_ref()
                .unwrap_or_else(|| panic!("{} has no logo", c.id));
            assert!(dir.join(logo).is_file(), "{logo}");
            if c.tenure_logos {
                for years in &catalog.tenure_years {
                    let tenure = format!("{}-{years}-years.svg", c.id);
                    assert!(dir.join(&tenure).is_file(), "{tenure}");
                }
            }
        }
        assert!(catalog.agreement.contains("Agreement"));
    }

    #[test]
    fn a_minimal_catalog_parses_with_defaults() {
        let catalog = Catalog::parse(MINIMAL).unwrap();
        let a = catalog.certification("a").unwrap();
        assert_eq!(
            a.earn,
            Requirement::Exams {
                codes: vec![ExamCode::parse("100-1").unwrap()],
                need: 1
            }
        );
        assert!(matches!(a.recertify, Requirement::Group { need: 1, .. }));
        assert!(catalog.tenure_years.is_empty());
    }

    #[test]
    fn unknown_names_are_refused_with_the_name() {
        let unknown_exam = MINIMAL.replace(
            r#"earn = { exams = ["100-1"] }"#,
            r#"earn = { exams = ["999-9"] }"#,
        );
        assert!(refusal(&unknown_exam).contains("unknown exam `999-9`"));
        let unknown_track = MINIMAL.replace(r#"track = "associate""#, r#"track = "nowhere""#);
        assert!(refusal(&unknown_track).contains("unknown track `nowhere`"));
        let unknown_cert = MINIMAL.replace(
            r#"{ ce_credits = 30 }"#,
            r#"{ certifications = ["ghost"] }"#,
        );
        assert!(refusal(&unknown_cert).contains("unknown certification `ghost`"));
    }

    #[test]
    fn a_rule_is_exactly_one_kind_with_sensible_counts() {
        let two_kinds = MINIMAL.replace(
            r#"earn = { exams = ["100-1"] }"#,
            r#"earn = { exams = ["100-1"], ce_credits = 3 }"#,
        );
        assert!(refusal(&two_kinds).contains("exactly one of"));
        let too_many = MINIMAL.replace(
            r#"earn = { exams = ["100-1"] }"#,
            r#"earn = { exams = ["100-1"], pass = 2 }"#,
        );
        assert!(refusal(&too_many).contains("`pass = 2`"));
        let at_least = MINIMAL.replace(
            r#"recertify = { any = ["#,
            r#"recertify = { at_least = 3, any = ["#,
        );
        assert!(refusal(&at_least).contains("`at_least = 3`"));
        let empty = MINIMAL.replace(r#"earn = { exams = ["100-1"] }"#, r#"earn = { all = [] }"#);
        assert!(refusal(&empty).contains("at least one rule"));
        let zero = MINIMAL.replace("{ ce_credits = 30 }", "{ ce_credits = 0 }");
        assert!(refusal(&zero).contains("≥ 1"));
    }

    #[test]
    fn duplicates_bad_ids_and_unknown_fields_are_refused() {
        let twice = with_certification(
            r#"
            [[certification]]
            id = "a"
            name = "A again"
            abbreviation = "A"
            track = "associate"
            valid_years = 3
            earn = { exams = ["100-1"] }
            recertify = { ce_credits = 1 }
            "#,
        );
        assert!(refusal(&twice).contains("listed twice"));
        let bad_id = MINIMAL.replace(r#"id = "a""#, r#"id = "Has Spaces""#);
        assert!(refusal(&bad_id).contains("lower-case"));
        let typo = MINIMAL.replace("valid_years = 3", "valid_years = 3\nvalid_yeers = 3");
        assert!(Catalog::parse(&typo).is_err());
    }

    #[test]
    fn certifications_are_ordered_after_those_they_name_and_circles_are_refused() {
        let text = with_certification(
            r#"
            [[certification]]
            id = "b"
            name = "B"
            abbreviation = "B"
            track = "associate"
            valid_years = 3
            earn = { certifications = ["c"] }
            recertify = { ce_credits = 1 }

            [[certification]]
            id = "c"
            name = "C"
            abbreviation = "C"
            track = "associate"
            valid_years = 3
            earn = { exams = ["100-1"] }
            recertify = { ce_credits = 1 }
            "#,
        );
        let catalog = Catalog::parse(&text).unwrap();
        let written: Vec<_> = catalog
            .certifications
            .iter()
            .map(|c| c.id.to_string())
            .collect();
        assert_eq!(written, ["a", "b", "c"]);
        let evaluated: Vec<_> = catalog
            .evaluation_order
            .iter()
            .map(|i| catalog.certifications[*i].id.to_string())
            .collect();
        assert_eq!(evaluated, ["a", "c", "b"]);

        let circle = text.replace(
            r#"earn = { exams = ["100-1"] }
            recertify = { ce_credits = 1 }"#,
            r#"earn = { exams = ["100-1"] }
            recertify = { certifications = ["b"] }"#,
        );
        assert!(refusal(&circle).contains("circle: b, c"));
        let itself = MINIMAL.replace("{ ce_credits = 30 }", r#"{ certifications = ["a"] }"#);
        assert!(refusal(&itself).contains("names itself"));
    }

    #[test]
    fn exam_codes_are_compared_case_insensitively() {
        assert_eq!(ExamCode::parse(" ab-1 "), ExamCode::parse("AB-1"));
        assert_eq!(ExamCode::parse("").map(|_| ()), None);
        assert_eq!(ExamCode::parse("=cmd()").map(|_| ()), None);
    }
}
