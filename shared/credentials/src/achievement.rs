//! Each certification of the catalog as an Open Badges 3.0 `Achievement`: what a credential's
//! subject achieved, hosted at its `id` so anyone can read what it takes. The criteria are the
//! catalog's own rules in words (to earn it, to renew it), so they follow a new catalog version.

use serde_json::{json, Value};
use tessera_certification::{Catalog, Certification, Requirement};

use crate::issuer::{profile_url, CONTEXTS};

/// Where the achievement of `certification_id` lives under the API's public address `base`.
pub fn achievement_url(base: &str, certification_id: &str) -> String {
    format!("{base}/v1/achievements/{certification_id}")
}

/// The `Achievement` of `certification`, issued by the program at `base`.
pub fn achievement(base: &str, catalog: &Catalog, certification: &Certification) -> Value {
    let name = &certification.name;
    let years = certification.valid_years;
    json!({
        "@context": CONTEXTS,
        "id": achievement_url(base, certification.id.as_str()),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": name,
        "humanCode": certification.abbreviation,
        "description": format!(
            "{name} ({}), a certification of the {} track, valid for {years} {} from the day it is earned or renewed.",
            certification.abbreviation,
            certification.track,
            if years == 1 { "year" } else { "years" },
        ),
        "criteria": {
            "narrative": format!(
                "To earn it: {}. To renew it: {}.",
                narrative(catalog, &certification.earn),
                narrative(catalog, &certification.recertify),
            )
        },
        "creator": { "id": profile_url(base), "type": ["Profile"] },
    })
}

/// A requirement in words, as a sentence's clause.
fn narrative(catalog: &Catalog, requirement: &Requirement) -> String {
    match requirement {
        Requirement::Group { need, children } => {
            let parts: Vec<String> = children.iter().map(|c| narrative(catalog, c)).collect();
            match (parts.as_slice(), *need == children.len()) {
                ([only], _) => only.clone(),
                (_, true) => format!("all of ({})", parts.join("; ")),
                (_, false) => format!("{need} of ({})", parts.join("; ")),
            }
        }
        Requirement::Exams { codes, need } => {
            let exams: Vec<String> = codes
                .iter()
                .map(|code| match catalog.exam(code) {
                    Some(exam) => format!("{} ({code})", exam.name),
                    None => code.to_string(),
                })
                .collect();
            match exams.as_slice() {
                [only] => format!("pass the {only} exam"),
                _ if *need as usize == exams.len() => {
                    format!("pass each of the exams {}", exams.join(", "))
                }
                _ => format!("pass {need} of the exams {}", exams.join(", ")),
            }
        }
        Requirement::CeCredits { need } => {
            format!("hold {need} active continuing-education credits")
        }
        Requirement::Certifications { ids, need } => {
            let names: Vec<String> = ids
                .iter()
                .map(|id| match catalog.certification(id.as_str()) {
                    Some(c) => format!("{} ({})", c.name, c.abbreviation),
                    None => id.as_str().to_string(),
                })
                .collect();
            match names.as_slice() {
                [only] => format!("earn or renew {only}"),
                _ => format!("earn or renew {need} of {}", names.join(", ")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_certification_of_the_catalog_reads_as_an_achievement() {
        let catalog = Catalog::built_in();
        for certification in &catalog.certifications {
            let a = achievement("https://certs.example.com", &catalog, certification);
            assert_eq!(
                a["id"],
                format!(
                    "https://certs.example.com/v1/achievements/{}",
                    certification.id.as_str()
                )
            );
            let criteria = a["criteria"]["narrative"].as_str().unwrap();
            assert!(criteria.starts_with("To earn it: "), "{criteria}");
            assert!(criteria.contains(". To renew it: "), "{criteria}");
            assert!(!criteria.contains("()"), "{criteria}");
        }
        let ia = catalog.certification("infrastructure-associate").unwrap();
        let criteria = achievement("https://x", &catalog, ia)["criteria"]["narrative"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(criteria.contains("IA-201"), "{criteria}");
    }
}
