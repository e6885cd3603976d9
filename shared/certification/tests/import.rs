//! Parsing the import files (`tessera_certification::import`): the documented columns, the row
//! errors each bad row gets, and the documented samples.

use tessera_certification::import::*;

mod parsing {
    use super::*;
    use time::macros::date;

    const EXAMS: &str = "\
candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date
TSC1000001,Ada,Lovelace,Ada@Example.com,VT226754252,REG-0001,IA-201,Infrastructure Associate,Pass,2021-04-01
TSC1000001,Ada,Lovelace,ada@example.com,VT226754252,REG-0002,EC-301,Enterprise Core,fail,2022-01-10
";

    #[test]
    fn exam_rows_parse_into_typed_values_with_row_numbers() {
        let parsed = parse_exam_results(EXAMS).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let (row, first) = &parsed.rows[0];
        assert_eq!(*row, 2);
        assert_eq!(first.candidate.candidate_id.as_str(), "TSC1000001");
        assert_eq!(
            first.candidate.email.as_ref().unwrap().as_str(),
            "ada@example.com"
        );
        assert_eq!(first.exam.as_str(), "IA-201");
        assert_eq!(
            (first.grade, first.date),
            (Grade::Pass, date!(2021 - 04 - 01))
        );
        assert_eq!(parsed.rows[1].1.grade, Grade::Fail);
    }

    #[test]
    fn columns_are_found_by_name_in_any_order_and_extra_ones_are_ignored() {
        let text = "\
date,grade,exam_name,exam_code,registration_number,testing_id,email,last_name,first_name,candidate_id,seat
2021-04-01,pass,Core,EC-301,R1,,,Lovelace,Ada,tsc1,12
";
        let parsed = parse_exam_results(text).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        let row = &parsed.rows[0].1;
        assert_eq!(row.candidate.candidate_id.as_str(), "TSC1");
        assert_eq!(
            (
                row.candidate.email.clone(),
                row.candidate.testing_id.clone()
            ),
            (None, None)
        );
    }

    #[test]
    fn a_missing_column_refuses_the_whole_file_naming_it() {
        let text = "candidate_id,first_name,last_name,email\nTSC1,Ada,Lovelace,a@b.co\n";
        let err = parse_exam_results(text).unwrap_err();
        assert_eq!(err.code(), "missing_columns");
        assert!(err.to_string().contains("registration_number"), "{err}");
        assert_eq!(parse_exam_results("").unwrap_err(), ImportError::Empty);
    }

    #[test]
    fn bad_rows_are_reported_by_row_number_and_the_good_ones_still_parse() {
        let text = format!(
            "{EXAMS}\
TSC1000002,Grace,Hopper,not-an-email,,REG-3,IA-201,Infrastructure Associate,pass,2021-01-01
TSC1000003,Alan,Turing,,,REG-4,IA-201,Infrastructure Associate,maybe,2021-01-01
TSC1000004,Edsger,Dijkstra,,,REG-5,IA-201,Infrastructure Associate,pass,01/02/2021
,Barbara,Liskov,,,REG-6,IA-201,Infrastructure Associate,pass,2021-01-01
TSC1000006,Ken,Thompson,,,=1+1,IA-201,Infrastructure Associate,pass,2021-01-01
"
        );
        let parsed = parse_exam_results(&text).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        let errors: Vec<(usize, &str, &str)> = parsed
            .errors
            .iter()
            .map(|e| (e.row, e.code, e.message.split(':').next().unwrap()))
            .collect();
        assert_eq!(
            errors,
            [
                (4, "invalid_email", "email"),
                (5, "invalid", "grade"),
                (6, "invalid_date", "date"),
                (7, "required", "candidate_id"),
                (8, "invalid", "registration_number"),
            ]
        );
    }

    #[test]
    fn formula_looking_names_are_kept_as_text_not_refused_or_changed() {
        let text = "\
candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date
TSC9,=HYPERLINK(\"http://x\"),@SUM(A1),,,R9,IA-201,+cmd|' /C calc'!A0,pass,2021-01-01
";
        let parsed = parse_exam_results(text).unwrap();
        let row = &parsed.rows[0].1;
        assert_eq!(row.candidate.first_name, "=HYPERLINK(\"http://x\")");
        assert_eq!(row.candidate.last_name, "@SUM(A1)");
        assert_eq!(row.exam_name, "+cmd|' /C calc'!A0");
    }

    #[test]
    fn size_and_row_caps_refuse_the_file_before_importing() {
        let huge = "x".repeat(MAX_IMPORT_BYTES + 1);
        assert_eq!(
            parse_exam_results(&huge).unwrap_err(),
            ImportError::TooLarge
        );
        let mut many = String::from(
            "candidate_id,external_id,activity,provider,points,active_date,inactive_date\n",
        );
        for i in 0..=MAX_IMPORT_ROWS {
            many.push_str(&format!("T{i},E{i},A,P,1,2020-01-01,2021-01-01\n"));
        }
        assert_eq!(
            parse_ce_credits(&many).unwrap_err(),
            ImportError::TooManyRows
        );
    }

    #[test]
    fn ce_rows_parse_and_check_points_and_date_order() {
        let text = "\
\u{feff}candidate_id,external_id,activity,provider,points,active_date,inactive_date
TSC1000001,1462600,Routing workshop,Training Partner One,5,2020-02-01,2023-02-01
TSC1000001,1462601,Routing workshop,Training Partner One,0,2020-02-01,2023-02-01
TSC1000001,1462602,Routing workshop,Training Partner One,5,2023-02-01,2020-02-01

TSC1000001,1462603,\"Quoted, with comma\",Training Partner One,10,2020-02-01,2023-02-01
";
        let parsed = parse_ce_credits(text).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[0].1.points, 5);
        assert_eq!(parsed.rows[1].0, 6);
        assert_eq!(parsed.rows[1].1.activity, "Quoted, with comma");
        let codes: Vec<_> = parsed.errors.iter().map(|e| (e.row, e.code)).collect();
        assert_eq!(codes, [(3, "invalid"), (4, "date_order")]);
    }

    #[test]
    fn the_documented_samples_parse_without_errors() {
        let exams =
            parse_exam_results(include_str!("../../../docs/samples/exam-results.csv")).unwrap();
        assert!(exams.errors.is_empty(), "{:?}", exams.errors);
        assert_eq!(exams.rows.len(), 15);
        let credits =
            parse_ce_credits(include_str!("../../../docs/samples/ce-credits.csv")).unwrap();
        assert!(credits.errors.is_empty(), "{:?}", credits.errors);
        assert_eq!(credits.rows.len(), 5);
    }

    #[test]
    fn a_short_row_reports_the_missing_cells() {
        let text = "candidate_id,external_id,activity,provider,points,active_date,inactive_date\nTSC1,E1,Talk\n";
        let parsed = parse_ce_credits(text).unwrap();
        assert_eq!(parsed.errors[0].row, 2);
        assert_eq!(parsed.errors[0].code, "required");
    }
}
