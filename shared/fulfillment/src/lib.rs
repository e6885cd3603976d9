//! Fulfillment: printed items for active certifications (the guide's "Certificates & Plaques"):
//! certificate kits, plaques and recognition letters. Each active certification's initial kit is
//! claimed once at no charge; everything else costs its configured price; trackable shipping is
//! a priced option.
//! Every amount is computed here, on the server, in the currency's minor unit (cents); nothing
//! a client sends is a price.

use serde::{Deserialize, Serialize};
use time::Date;

use tessera_certification::record::CandidateRecord;
use tessera_certification::status::Status;
use tessera_certification::Catalog;

pub mod messages;
pub mod order;
pub mod ordering;
pub mod payment;
pub mod ports;
pub mod refunds;
pub mod reprints;
pub mod shipping;
pub mod signature;
pub mod unpaid;
pub mod views;

/// Prices, from configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prices {
    /// A kit beyond the initial one.
    pub kit_cents: u32,
    pub plaque_cents: u32,
    pub letter_cents: u32,
    /// Trackable shipping, once per order.
    pub tracking_cents: u32,
    /// ISO 4217, lower case (`usd`).
    pub currency: String,
}

impl Default for Prices {
    fn default() -> Prices {
        Prices {
            kit_cents: 1500,
            plaque_cents: 4500,
            letter_cents: 500,
            tracking_cents: 1000,
            currency: "usd".into(),
        }
    }
}

impl Prices {
    /// The price of one `kind` (a kit beyond the initial one).
    pub fn of(&self, kind: ItemKind) -> u32 {
        match kind {
            ItemKind::CertificateKit => self.kit_cents,
            ItemKind::Plaque => self.plaque_cents,
            ItemKind::RecognitionLetter => self.letter_cents,
        }
    }
}

/// Most of one item in one order.
pub const MAX_QUANTITY: u32 = 5;
/// Most lines in one order.
pub const MAX_LINES: usize = 20;

/// What is printed for a certification. Orders made before plaques and letters were offered are
/// all certificate kits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// The certificate and its card; the first of each certification is free.
    #[default]
    CertificateKit,
    Plaque,
    RecognitionLetter,
}

impl ItemKind {
    pub const ALL: [ItemKind; 3] = [
        ItemKind::CertificateKit,
        ItemKind::Plaque,
        ItemKind::RecognitionLetter,
    ];

    /// The kind as the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::CertificateKit => "certificate_kit",
            ItemKind::Plaque => "plaque",
            ItemKind::RecognitionLetter => "recognition_letter",
        }
    }

    pub fn parse(raw: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    fn is_kit(self) -> bool {
        self == ItemKind::CertificateKit
    }

    /// The item's name for a certification.
    fn name(self, certification: &str) -> String {
        match self {
            ItemKind::CertificateKit => format!("{certification} certificate kit"),
            ItemKind::Plaque => format!("{certification} plaque"),
            ItemKind::RecognitionLetter => format!("{certification} recognition letter"),
        }
    }
}

/// One item the candidate may order (`Kit` for history: most are certificate kits).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Kit {
    pub certification_id: String,
    pub kind: ItemKind,
    pub name: String,
    /// The price of the next kit: 0 while the initial kit is unclaimed.
    pub price_cents: u32,
    pub initial_kit_available: bool,
}

/// The items of the candidate's active certifications: every certificate kit in catalog order,
/// then the plaques, then the recognition letters; `claimed` lists the certifications whose
/// initial kit is claimed already.
pub fn kits(
    catalog: &Catalog,
    record: &CandidateRecord,
    claimed: &[String],
    prices: &Prices,
    today: Date,
) -> Vec<Kit> {
    let active: Vec<_> = record
        .standings(catalog, today)
        .into_iter()
        .filter(|s| s.status == Status::Active)
        .filter_map(|s| catalog.certification(s.certification.as_str()))
        .collect();
    ItemKind::ALL
        .into_iter()
        .flat_map(|kind| {
            active.iter().map(move |certification| {
                let initial =
                    kind.is_kit() && !claimed.iter().any(|c| c == certification.id.as_str());
                Kit {
                    certification_id: certification.id.to_string(),
                    kind,
                    name: kind.name(&certification.name),
                    price_cents: if initial { 0 } else { prices.of(kind) },
                    initial_kit_available: initial,
                }
            })
        })
        .collect()
}

/// One line the candidate asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requested {
    pub certification_id: String,
    #[serde(default)]
    pub kind: ItemKind,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub certification_id: String,
    #[serde(default)]
    pub kind: ItemKind,
    pub name: String,
    pub quantity: u32,
    /// Whether the first kit of this line is the free initial kit (claimed by this order).
    pub claims_initial_kit: bool,
    pub amount_cents: u32,
}

/// What an order costs, computed from the kits on offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub lines: Vec<Line>,
    pub tracking: bool,
    pub tracking_cents: u32,
    pub total_cents: u32,
    pub currency: String,
}

impl Quote {
    /// The certifications whose initial kit this order claims.
    pub fn claims(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|l| l.claims_initial_kit)
            .map(|l| l.certification_id.as_str())
            .collect()
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("no items")]
    Empty,
    #[error("{0} is not a kit this candidate may order")]
    NotOffered(String),
    #[error("{0} is listed twice")]
    Repeated(String),
    #[error("quantities are 1 to {MAX_QUANTITY}")]
    Quantity,
}

/// Prices `requested` against `offered` (from `kits`).
pub fn quote(
    offered: &[Kit],
    requested: &[Requested],
    tracking: bool,
    prices: &Prices,
) -> Result<Quote, QuoteError> {
    if requested.is_empty() {
        return Err(QuoteError::Empty);
    }
    let mut lines: Vec<Line> = Vec::new();
    for r in requested {
        if !(1..=MAX_QUANTITY).contains(&r.quantity) {
            return Err(QuoteError::Quantity);
        }
        let same = |id: &str, kind: ItemKind| id == r.certification_id && kind == r.kind;
        if lines.iter().any(|l| same(&l.certification_id, l.kind)) {
            return Err(QuoteError::Repeated(r.certification_id.clone()));
        }
        let kit = offered
            .iter()
            .find(|k| same(&k.certification_id, k.kind))
            .ok_or_else(|| QuoteError::NotOffered(r.certification_id.clone()))?;
        let paid = r.quantity - u32::from(kit.initial_kit_available);
        lines.push(Line {
            certification_id: kit.certification_id.clone(),
            kind: kit.kind,
            name: kit.name.clone(),
            quantity: r.quantity,
            claims_initial_kit: kit.initial_kit_available,
            amount_cents: paid * prices.of(kit.kind),
        });
    }
    let tracking_cents = if tracking { prices.tracking_cents } else { 0 };
    let total_cents = lines.iter().map(|l| l.amount_cents).sum::<u32>() + tracking_cents;
    Ok(Quote {
        lines,
        tracking,
        tracking_cents,
        total_cents,
        currency: prices.currency.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_certification::samples::sample_record;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 25);

    fn offered(claimed: &[&str]) -> Vec<Kit> {
        let claimed: Vec<String> = claimed.iter().map(|c| c.to_string()).collect();
        kits(
            &Catalog::built_in(),
            &sample_record("TSC1000001"),
            &claimed,
            &Prices::default(),
            TODAY,
        )
    }

    fn requested(id: &str, quantity: u32) -> Requested {
        Requested {
            certification_id: id.into(),
            kind: ItemKind::CertificateKit,
            quantity,
        }
    }

    #[test]
    fn each_active_certification_offers_its_initial_kit_free_until_claimed() {
        let all = offered(&[]);
        let kits: Vec<&Kit> = all.iter().filter(|k| k.kind.is_kit()).collect();
        let ids: Vec<&str> = kits.iter().map(|k| k.certification_id.as_str()).collect();
        assert_eq!(ids, ["networking-technician", "infrastructure-associate"]);
        assert_eq!(
            &all[..2],
            kits.iter().map(|k| (*k).clone()).collect::<Vec<_>>()
        );
        assert!(kits
            .iter()
            .all(|k| k.price_cents == 0 && k.initial_kit_available));
        let after = offered(&["infrastructure-associate"]);
        assert_eq!(after[1].price_cents, 1500);
        assert!(!after[1].initial_kit_available);
        assert_eq!(after[0].price_cents, 0);
    }

    #[test]
    fn the_first_kit_is_free_once_and_the_rest_cost_the_kit_price() {
        let prices = Prices::default();
        let q = quote(
            &offered(&["networking-technician"]),
            &[
                requested("infrastructure-associate", 2),
                requested("networking-technician", 1),
            ],
            true,
            &prices,
        )
        .unwrap();
        assert_eq!(q.lines[0].amount_cents, 1500, "one free, one paid");
        assert!(q.lines[0].claims_initial_kit);
        assert_eq!(q.lines[1].amount_cents, 1500, "initial already claimed");
        assert_eq!(q.tracking_cents, 1000);
        assert_eq!(q.total_cents, 4000);
        assert_eq!(q.claims(), ["infrastructure-associate"]);
        assert_eq!(q.currency, "usd");
    }

    #[test]
    fn plaques_and_letters_are_offered_per_certification_at_their_price_never_free() {
        let all = offered(&[]);
        let of = |kind: ItemKind| -> Vec<(&str, u32, bool)> {
            all.iter()
                .filter(|k| k.kind == kind)
                .map(|k| {
                    (
                        k.certification_id.as_str(),
                        k.price_cents,
                        k.initial_kit_available,
                    )
                })
                .collect()
        };
        assert_eq!(
            of(ItemKind::Plaque),
            [
                ("networking-technician", 4500, false),
                ("infrastructure-associate", 4500, false)
            ]
        );
        assert_eq!(
            of(ItemKind::RecognitionLetter)[0],
            ("networking-technician", 500, false)
        );
        assert_eq!(all[2].name, "Networking Technician plaque");
        let line = |kind: ItemKind, quantity: u32| Requested {
            certification_id: "networking-technician".into(),
            kind,
            quantity,
        };
        let q = quote(
            &all,
            &[
                line(ItemKind::CertificateKit, 1),
                line(ItemKind::Plaque, 2),
                line(ItemKind::RecognitionLetter, 1),
            ],
            false,
            &Prices::default(),
        )
        .unwrap();
        let amounts: Vec<u32> = q.lines.iter().map(|l| l.amount_cents).collect();
        assert_eq!(
            amounts,
            [0, 9000, 500],
            "a plaque of the same certification is its own line"
        );
        assert_eq!(q.claims(), ["networking-technician"], "only the kit claims");
        assert_eq!(
            quote(
                &all,
                &[line(ItemKind::Plaque, 1), line(ItemKind::Plaque, 1)],
                false,
                &Prices::default()
            ),
            Err(QuoteError::Repeated("networking-technician".into()))
        );
        let stored: Line = serde_json::from_str(
            r#"{"certification_id":"x","name":"X certificate kit","quantity":1,"claims_initial_kit":true,"amount_cents":0}"#,
        )
        .unwrap();
        assert_eq!(
            stored.kind,
            ItemKind::CertificateKit,
            "orders stored before kinds"
        );
    }

    #[test]
    fn a_free_claim_alone_costs_nothing() {
        let q = quote(
            &offered(&[]),
            &[requested("networking-technician", 1)],
            false,
            &Prices::default(),
        )
        .unwrap();
        assert_eq!(q.total_cents, 0);
    }

    #[test]
    fn kits_not_offered_repeated_lines_and_bad_quantities_are_refused() {
        let offer = offered(&[]);
        let prices = Prices::default();
        assert_eq!(
            quote(
                &offer,
                &[requested("enterprise-professional", 1)],
                false,
                &prices
            ),
            Err(QuoteError::NotOffered("enterprise-professional".into())),
            "an expired certification has no kit"
        );
        assert_eq!(
            quote(
                &offer,
                &[
                    requested("networking-technician", 1),
                    requested("networking-technician", 1)
                ],
                false,
                &prices
            ),
            Err(QuoteError::Repeated("networking-technician".into()))
        );
        for quantity in [0, MAX_QUANTITY + 1] {
            assert_eq!(
                quote(
                    &offer,
                    &[requested("networking-technician", quantity)],
                    false,
                    &prices
                ),
                Err(QuoteError::Quantity)
            );
        }
        assert_eq!(quote(&offer, &[], true, &prices), Err(QuoteError::Empty));
    }
}
