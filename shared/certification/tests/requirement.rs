//! The requirement rules (`tessera_certification::requirement`), case by case and as
//! properties: what evidence meets a requirement, and the progress shown toward it.

use std::collections::HashMap;
use tessera_certification::catalog::{CertificationId, ExamCode};
use tessera_certification::requirement::*;
use time::Date;

mod rules {
    use super::*;
    use time::macros::date;

    fn code(c: &str) -> ExamCode {
        ExamCode::parse(c).unwrap()
    }

    fn pass(c: &str, date: Date) -> Pass {
        Pass {
            code: code(c),
            date,
            counts_until: date.replace_year(date.year() + 3).unwrap(),
        }
    }

    fn credit(points: u32, active: Date, inactive: Date) -> Credit {
        Credit {
            points,
            active,
            inactive,
        }
    }

    /// Recertify by passing 1 qualifying exam OR earning 30 CE credits.
    fn exam_or_credits() -> Requirement {
        Requirement::Group {
            need: 1,
            children: vec![
                Requirement::Exams {
                    codes: vec![code("300-1"), code("300-2")],
                    need: 1,
                },
                Requirement::CeCredits { need: 30 },
            ],
        }
    }

    fn window(from: Date, at: Date) -> Window {
        Window { from, at }
    }

    #[test]
    fn how_a_rule_was_met_follows_only_its_met_branches() {
        let both_exams = Requirement::Group {
            need: 1,
            children: vec![
                Requirement::Exams {
                    codes: vec![code("300-1"), code("300-2")],
                    need: 2,
                },
                Requirement::CeCredits { need: 30 },
            ],
        };
        let evidence = Evidence {
            passes: vec![pass("300-1", date!(2021 - 01 - 01))],
            credits: vec![credit(30, date!(2021 - 02 - 01), date!(2024 - 02 - 01))],
            ..Evidence::default()
        };
        let at = window(date!(2020 - 01 - 01), date!(2021 - 03 - 01));
        let how = both_exams.progress(&evidence, at).how();
        assert_eq!(
            how,
            How {
                exams: false,
                ce_credits: true,
                certifications: false
            },
            "one of two exams is no way of meeting it"
        );
        let before = window(date!(2020 - 01 - 01), date!(2021 - 01 - 15));
        assert_eq!(both_exams.progress(&evidence, before).how(), How::default());
        let either = exam_or_credits().progress(&evidence, at).how();
        assert!(either.exams && either.ce_credits, "{either:?}");
    }

    #[test]
    fn the_progress_tree_is_numbered_and_counts_each_node_in_its_unit() {
        let evidence = Evidence {
            credits: vec![
                credit(5, date!(2020 - 02 - 01), date!(2023 - 02 - 01)),
                credit(5, date!(2020 - 02 - 01), date!(2023 - 02 - 01)),
            ],
            ..Evidence::default()
        };
        let tree = exam_or_credits().progress(
            &evidence,
            window(date!(2020 - 01 - 01), date!(2020 - 06 - 01)),
        );
        let lines: Vec<String> = tree
            .flatten()
            .iter()
            .map(|p| format!("{} — {}", p.number, p.summary()))
            .collect();
        assert_eq!(
            lines,
            [
                "1 — 0 / 1 requirements",
                "1.1 — 0 / 1 exams",
                "1.2 — 10 / 30 CE credits"
            ]
        );
        assert!(!tree.met);
        assert_eq!(tree.ask, Ask::AnyOf { need: 1 });
    }

    #[test]
    fn either_branch_of_an_or_meets_it_and_an_and_needs_every_branch() {
        let one_exam = Evidence {
            passes: vec![pass("300-2", date!(2021 - 05 - 05))],
            ..Evidence::default()
        };
        let w = window(date!(2021 - 01 - 01), date!(2021 - 12 - 31));
        assert!(exam_or_credits().is_met(&one_exam, w));

        let thirty_points = Evidence {
            credits: vec![
                credit(20, date!(2021 - 02 - 01), date!(2024 - 02 - 01)),
                credit(10, date!(2021 - 03 - 01), date!(2024 - 03 - 01)),
            ],
            ..Evidence::default()
        };
        assert!(exam_or_credits().is_met(&thirty_points, w));

        let both = Requirement::Group {
            need: 2,
            children: vec![
                Requirement::Exams {
                    codes: vec![code("300-1")],
                    need: 1,
                },
                Requirement::CeCredits { need: 30 },
            ],
        };
        let tree = both.progress(&thirty_points, w);
        assert_eq!(
            (tree.ask.clone(), tree.achieved, tree.required, tree.met),
            (Ask::AllOf, 1, 2, false)
        );
    }

    #[test]
    fn at_least_thresholds_count_distinct_exams_once() {
        let two_of_three = Requirement::Exams {
            codes: vec![code("300-1"), code("300-2"), code("300-3")],
            need: 2,
        };
        let w = window(date!(2021 - 01 - 01), date!(2021 - 12 - 31));
        let same_exam_twice = Evidence {
            passes: vec![
                pass("300-1", date!(2021 - 02 - 01)),
                pass("300-1", date!(2021 - 03 - 01)),
            ],
            ..Evidence::default()
        };
        assert_eq!(two_of_three.progress(&same_exam_twice, w).achieved, 1);
        let two_exams = Evidence {
            passes: vec![
                pass("300-1", date!(2021 - 02 - 01)),
                pass("300-3", date!(2021 - 03 - 01)),
            ],
            ..Evidence::default()
        };
        assert!(two_of_three.is_met(&two_exams, w));
    }

    #[test]
    fn evidence_outside_the_window_or_expired_on_the_day_does_not_count() {
        let rule = exam_or_credits();
        let before = Evidence {
            passes: vec![pass("300-1", date!(2020 - 12 - 31))],
            credits: vec![credit(30, date!(2020 - 12 - 31), date!(2023 - 12 - 31))],
            ..Evidence::default()
        };
        assert!(!rule.is_met(
            &before,
            window(date!(2021 - 01 - 01), date!(2021 - 06 - 01))
        ));
        // A credit that went inactive before the day no longer counts; on its last day it does.
        let lapsed = Evidence {
            credits: vec![credit(30, date!(2021 - 01 - 01), date!(2021 - 03 - 01))],
            ..Evidence::default()
        };
        assert!(rule.is_met(
            &lapsed,
            window(date!(2021 - 01 - 01), date!(2021 - 02 - 28))
        ));
        assert!(!rule.is_met(
            &lapsed,
            window(date!(2021 - 01 - 01), date!(2021 - 03 - 01))
        ));
        // An exam dated after the day being judged does not count yet.
        let later = Evidence {
            passes: vec![pass("300-1", date!(2021 - 07 - 01))],
            ..Evidence::default()
        };
        assert!(!rule.is_met(&later, window(date!(2021 - 01 - 01), date!(2021 - 06 - 30))));
    }

    #[test]
    fn first_met_is_the_day_the_threshold_is_crossed() {
        let evidence = Evidence {
            credits: vec![
                credit(10, date!(2021 - 02 - 01), date!(2024 - 02 - 01)),
                credit(10, date!(2021 - 04 - 01), date!(2024 - 04 - 01)),
                credit(10, date!(2021 - 09 - 15), date!(2024 - 09 - 15)),
            ],
            ..Evidence::default()
        };
        let rule = exam_or_credits();
        assert_eq!(
            rule.first_met(&evidence, date!(2021 - 01 - 01), date!(2022 - 01 - 01)),
            Some(date!(2021 - 09 - 15))
        );
        assert_eq!(
            rule.first_met(&evidence, date!(2021 - 01 - 01), date!(2021 - 09 - 14)),
            None
        );
        // The first credit lapsed before the third arrived: 20 points on that day, never 30.
        let lapsing = Evidence {
            credits: vec![
                credit(10, date!(2021 - 02 - 01), date!(2021 - 08 - 01)),
                credit(10, date!(2021 - 04 - 01), date!(2024 - 04 - 01)),
                credit(10, date!(2021 - 09 - 15), date!(2024 - 09 - 15)),
            ],
            ..Evidence::default()
        };
        assert_eq!(
            rule.first_met(&lapsing, date!(2021 - 01 - 01), date!(2023 - 01 - 01)),
            None
        );
        assert_eq!(
            rule.first_contribution(&lapsing, date!(2021 - 03 - 01)),
            Some(date!(2021 - 04 - 01))
        );
    }

    #[test]
    fn awards_of_named_certifications_count_in_the_window() {
        let rule = Requirement::Certifications {
            ids: vec![CertificationId::parse("expert").unwrap()],
            need: 1,
        };
        let mut evidence = Evidence::default();
        evidence.awards.insert(
            CertificationId::parse("expert").unwrap(),
            vec![date!(2022 - 05 - 01)],
        );
        assert!(rule.is_met(
            &evidence,
            window(date!(2022 - 01 - 01), date!(2022 - 05 - 01))
        ));
        assert!(!rule.is_met(
            &evidence,
            window(date!(2022 - 05 - 02), date!(2023 - 01 - 01))
        ));
        assert_eq!(
            rule.progress(
                &evidence,
                window(date!(2022 - 01 - 01), date!(2022 - 12 - 01))
            )
            .summary(),
            "1 / 1 certifications"
        );
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use time::Duration;

    const EXAMS: [&str; 3] = ["100-1", "200-1", "300-1"];

    fn start() -> Date {
        time::macros::date!(2020 - 01 - 01)
    }

    fn day(n: i64) -> Date {
        start() + Duration::days(n)
    }

    fn leaf() -> impl Strategy<Value = Requirement> {
        prop_oneof![
            (
                proptest::sample::subsequence(EXAMS.to_vec(), 1..=3),
                1u32..3
            )
                .prop_map(|(codes, need)| Requirement::Exams {
                    codes: codes.iter().map(|c| ExamCode::parse(c).unwrap()).collect(),
                    need,
                }),
            (1u32..40).prop_map(|need| Requirement::CeCredits { need }),
        ]
    }

    /// Trees up to three levels deep, each group needing some of its children.
    fn tree() -> impl Strategy<Value = Requirement> {
        leaf().prop_recursive(3, 12, 3, |inner| {
            proptest::collection::vec(inner, 1..=3).prop_flat_map(|children| {
                let n = children.len();
                (Just(children), 1..=n)
                    .prop_map(|(children, need)| Requirement::Group { need, children })
            })
        })
    }

    fn evidence() -> impl Strategy<Value = Evidence> {
        let pass = (0usize..3, 0i64..400, 1i64..400).prop_map(|(exam, on, lasts)| Pass {
            code: ExamCode::parse(EXAMS[exam]).unwrap(),
            date: day(on),
            counts_until: day(on + lasts),
        });
        let credit = (1u32..20, 0i64..400, 1i64..400).prop_map(|(points, on, lasts)| Credit {
            points,
            active: day(on),
            inactive: day(on + lasts),
        });
        (
            proptest::collection::vec(pass, 0..5),
            proptest::collection::vec(credit, 0..6),
        )
            .prop_map(|(passes, credits)| Evidence {
                passes,
                credits,
                awards: HashMap::new(),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// `first_met` tries only the days something happened; trying every day gives the same
        /// answer.
        #[test]
        fn the_first_day_met_is_the_first_of_all_days(rule in tree(), evidence in evidence()) {
            let (from, until) = (start(), day(500));
            let every_day = (0..=500)
                .map(day)
                .find(|at| rule.is_met(&evidence, Window { from, at: *at }));
            prop_assert_eq!(rule.first_met(&evidence, from, until), every_day);
        }

        /// More evidence never unmeets a rule on the same day.
        #[test]
        fn more_evidence_never_unmeets_a_rule(
            rule in tree(), evidence in evidence(), more in evidence(), at in 0i64..500,
        ) {
            let window = Window { from: start(), at: day(at) };
            let mut both = evidence.clone();
            both.passes.extend(more.passes);
            both.credits.extend(more.credits);
            if rule.is_met(&evidence, window) {
                prop_assert!(rule.is_met(&both, window));
            }
        }

        /// Every node of a progress tree is met exactly when it has achieved what it requires,
        /// and the numbers name each node once.
        #[test]
        fn progress_nodes_are_consistent(rule in tree(), evidence in evidence(), at in 0i64..500) {
            let progress = rule.progress(&evidence, Window { from: start(), at: day(at) });
            let nodes = progress.flatten();
            for node in &nodes {
                prop_assert_eq!(node.met, node.achieved >= node.required, "{}", node.number);
            }
            let mut numbers: Vec<&str> = nodes.iter().map(|n| n.number.as_str()).collect();
            numbers.sort();
            numbers.dedup();
            prop_assert_eq!(numbers.len(), nodes.len());
        }
    }
}
