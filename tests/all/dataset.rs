//! Data validation: every class of bad input is named by file, row, column and value, all
//! problems are reported together, and nothing is evaluated.

use dudao_dataset::{self as dataset, DataError, Dataset, DatasetError};

use crate::support;

const COUNTIES: &str = "id,name,parent_id\n410825,温县,410800\n410821,修武县,410800\n";
const HEADER: &str = "id,name,county_id,stage,kind,primary_students,junior_students,qualified_teachers,backbone_teachers,pe_art_teachers,teaching_area_m2,sports_area_m2,equipment_value_yuan,multimedia_rooms";
const GOOD_ROW: &str = "S1,第一小学,410825,primary,regular,500,0,25,6,5,2500,4000,1100000,13";

fn problems(schools: &str) -> Vec<DataError> {
    let dir = support::dataset_dir(&[("counties.csv", COUNTIES), ("schools.csv", schools)]);
    let data = Dataset::load(dir.path()).expect("loads");
    let manifest = quality_balance::manifest();
    match dataset::prepare(&data, &[&manifest]) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0,
    }
}

fn one(schools: &str) -> DataError {
    let mut found = problems(schools);
    assert_eq!(found.len(), 1, "expected one problem, got {found:#?}");
    found.remove(0)
}

#[test]
fn a_good_row_has_no_problems() {
    assert_eq!(problems(&format!("{HEADER}\n{GOOD_ROW}\n")), Vec::new());
}

#[test]
fn a_missing_column_is_named_once_with_the_pack() {
    let header = HEADER.replace(",multimedia_rooms", "");
    let row = GOOD_ROW.rsplit_once(',').expect("has columns").0;
    let error = one(&format!("{header}\n{row}\n{row}\n").replacen("S1", "S2", 1));
    assert!(error.source.ends_with("schools.csv"));
    assert_eq!(error.row, None);
    assert_eq!(error.column.as_deref(), Some("multimedia_rooms"));
    assert!(error.to_string().contains("the column is missing; pack `quality-balance` requires it"), "{error}");
}

#[test]
fn a_non_numeric_value_is_named_with_row_column_and_value() {
    let error = one(&format!("{HEADER}\n{}\n", GOOD_ROW.replace("2500,4000", "2500,4OOO")));
    assert_eq!(error.row, Some(2));
    assert_eq!(error.column.as_deref(), Some("sports_area_m2"));
    assert_eq!(error.value.as_deref(), Some("4OOO"));
    let text = error.to_string();
    assert!(
        text.ends_with("schools.csv, row 2 (S1 第一小学), column `sports_area_m2` (L2), value `4OOO`: not a number"),
        "{text}"
    );
}

#[test]
fn a_fractional_count_and_a_negative_count_are_refused() {
    let error = one(&format!("{HEADER}\n{}\n", GOOD_ROW.replace(",13", ",12.5")));
    assert_eq!((error.column.as_deref(), error.value.as_deref()), (Some("multimedia_rooms"), Some("12.5")));
    assert!(error.message.contains("not a whole number"));

    let error = one(&format!("{HEADER}\n{}\n", GOOD_ROW.replace(",25,6,", ",-25,6,")));
    assert_eq!((error.column.as_deref(), error.value.as_deref()), (Some("qualified_teachers"), Some("-25")));
    assert!(error.message.contains("negative"), "{error}");
}

#[test]
fn a_school_naming_an_unknown_county_is_refused() {
    let error = one(&format!("{HEADER}\n{}\n", GOOD_ROW.replace("410825", "410899")));
    assert_eq!((error.column.as_deref(), error.value.as_deref()), (Some("county_id"), Some("410899")));
    assert!(error.message.contains("no county with this id"), "{error}");
}

#[test]
fn a_duplicate_id_names_both_rows() {
    let error = one(&format!("{HEADER}\n{GOOD_ROW}\n{}\n{GOOD_ROW}\n", GOOD_ROW.replace("S1", "S2")));
    assert_eq!((error.row, error.value.as_deref()), (Some(4), Some("S1")));
    assert!(error.message.contains("used twice (first on row 2)"), "{error}");
}

#[test]
fn a_school_id_equal_to_a_county_id_is_refused() {
    let error = one(&format!("{HEADER}\n{}\n", GOOD_ROW.replacen("S1", "410821", 1)));
    assert!(error.message.contains("already used by a county"), "{error}");
}

#[test]
fn stage_and_student_counts_that_disagree_are_refused() {
    for (stage, primary, junior) in
        [("primary", 500, 20), ("junior", 30, 400), ("nine_year", 300, 0), ("primary", 0, 0)]
    {
        let row = GOOD_ROW.replace("primary,regular,500,0", &format!("{stage},regular,{primary},{junior}"));
        let error = one(&format!("{HEADER}\n{row}\n"));
        assert_eq!((error.column.as_deref(), error.value.as_deref()), (Some("stage"), Some(stage)));
        assert!(error.message.contains("does not fit the student counts"), "{error}");
    }
}

#[test]
fn an_unknown_stage_or_kind_lists_the_allowed_values() {
    let error = one(&format!("{HEADER}\n{}\n", GOOD_ROW.replace("primary,regular", "primary,annex")));
    assert_eq!(error.value.as_deref(), Some("annex"));
    assert!(error.message.contains("`regular`, `teaching_point`"), "{error}");
}

#[test]
fn an_empty_required_value_is_refused() {
    let error = one(&format!("{HEADER}\n{}\n", GOOD_ROW.replace(",6,5,", ",,5,")));
    assert_eq!((error.column.as_deref(), error.value.as_deref()), (Some("backbone_teachers"), None));
    assert!(error.message.contains("empty"), "{error}");
}

#[test]
fn all_problems_are_reported_together_in_file_order() {
    let rows = [
        GOOD_ROW.to_owned(),
        GOOD_ROW.replace("S1", "S2").replace("2500", "lots"),
        GOOD_ROW.replace("S1", "S3").replace("410825", "999"),
        GOOD_ROW.replace("S1", "S4").replace(",13", ",-1"),
        GOOD_ROW.to_owned(),
    ];
    let found = problems(&format!("{HEADER}\n{}\n", rows.join("\n")));
    let places: Vec<(Option<usize>, Option<&str>)> = found.iter().map(|e| (e.row, e.column.as_deref())).collect();
    assert_eq!(
        places,
        vec![
            (Some(3), Some("teaching_area_m2")),
            (Some(4), Some("county_id")),
            (Some(5), Some("multimedia_rooms")),
            (Some(6), Some("id")),
        ]
    );
}

#[test]
fn extra_columns_pass_through_only_to_packs_that_declare_them() {
    let dir = support::dataset_dir(&[
        ("counties.csv", COUNTIES),
        ("schools.csv", &format!("{HEADER},taiji_classes\n{GOOD_ROW},4\n")),
    ]);
    let data = Dataset::load(dir.path()).expect("loads");
    let manifest = quality_balance::manifest();
    let prepared = dataset::prepare(&data, &[&manifest]).expect("valid");
    let record = prepared.packs[0].records[&rules_sdk::wire::Level::School][0].to_record();
    assert!(!record.contains_key("taiji_classes"), "undeclared columns are not passed to a pack");
    assert_eq!(record["qualified_teachers"], serde_json::json!(25));
    assert_eq!(record["teaching_area_m2"], serde_json::json!(2500.0));
    assert_eq!(record["stage"], serde_json::json!("primary"));
}

#[test]
fn malformed_files_are_named() {
    let ragged =
        support::dataset_dir(&[("counties.csv", COUNTIES), ("schools.csv", &format!("{HEADER}\n{GOOD_ROW},extra\n"))]);
    let data = Dataset::load(ragged.path()).expect("a ragged row is a problem of that row");
    let error =
        dataset::prepare(&data, &[&quality_balance::manifest()]).expect_err("ragged rows are refused").to_string();
    assert!(
        error.contains("schools.csv, row 2 (S1 第一小学)") && error.contains("15 cells but the header has 14"),
        "{error}"
    );

    let gbk = support::dataset_dir(&[("counties.csv", "id,name\n410825,\u{6e29}\n")]);
    std::fs::write(gbk.path().join("counties.csv"), b"id,name,parent_id\n410825,\xce\xc2\xcf\xd8,410800\n")
        .expect("write");
    let error = Dataset::load(gbk.path()).expect_err("non-UTF-8 is refused").to_string();
    assert!(error.contains("counties.csv, row 2: the file is not UTF-8"), "{error}");

    let empty = tempfile::tempdir().expect("folder");
    assert!(matches!(Dataset::load(empty.path()), Err(DatasetError::NoCounties { .. })));

    let json = tempfile::tempdir().expect("folder");
    let path = json.path().join("data.json");
    std::fs::write(&path, "{\"counties\": [{\"id\": \"1\", \"name\": \"x\"},]}").expect("write");
    let error = Dataset::load(&path).expect_err("bad JSON is refused").to_string();
    assert!(error.contains("data.json, row 1, column ") && error.contains("not valid JSON"), "{error}");
}

#[test]
fn json_datasets_name_the_table_and_record() {
    let dir = tempfile::tempdir().expect("folder");
    let path = dir.path().join("data.json");
    std::fs::write(
        &path,
        r#"{"counties": [{"id": "410825", "name": "温县"}],
            "schools": [{"id": "S1", "name": "一小", "county_id": "410825", "stage": "primary", "kind": "regular",
              "primary_students": 500, "junior_students": 0, "qualified_teachers": 25.5, "backbone_teachers": 6,
              "pe_art_teachers": 5, "teaching_area_m2": "2500", "sports_area_m2": 4000, "equipment_value_yuan": 1100000,
              "multimedia_rooms": 13}]}"#,
    )
    .expect("write");
    let data = Dataset::load(&path).expect("loads");
    let errors = dataset::prepare(&data, &[&quality_balance::manifest()]).expect_err("a fractional count");
    assert_eq!(errors.0.len(), 1);
    let text = errors.0[0].to_string();
    assert!(
        text.ends_with(
            "data.json (schools), record 1 (S1 一小), column `qualified_teachers`, value `25.5`: not a whole number"
        ),
        "{text}"
    );
}

/// The host writes each unit from its records' values and the field names of their table: the
/// bytes must be exactly what serialising the SDK's `Unit` writes (key order, members per level,
/// the previous period, parameters), for every unit of the four standard packs with their
/// previous period.
#[test]
fn a_units_json_is_what_serialising_the_sdks_unit_writes() {
    use dudao_engine::pack::LoadedPack;
    use dudao_engine::sandbox::{Limits, Sandbox};
    let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
    let packs: Vec<LoadedPack> =
        ["rules/quality-balance", "rules/government-duty", "rules/school-supervision", "rules/quality-monitoring"]
            .iter()
            .map(|krate| LoadedPack::load(&sandbox, &support::pack_path(krate)).expect("loads"))
            .collect();
    let manifests: Vec<&rules_sdk::Manifest> = packs.iter().map(|pack| &pack.manifest).collect();
    let current = Dataset::load(&support::fixture("jiaozuo")).expect("loads");
    let previous = Dataset::load(&support::fixture("jiaozuo-2025")).expect("loads");
    let options = dataset::PrepareOptions { previous: Some(&previous), ..Default::default() };
    let prepared = dataset::prepare_with(&current, &manifests, &options).expect("valid");
    // Each record's text is its map's, as serde_json writes a map (keys sorted).
    for pack in prepared.packs.iter().chain(prepared.previous.iter().flat_map(|period| &period.packs)) {
        for record in pack.records.values().flatten() {
            assert_eq!(record.json(), serde_json::to_string(&record.to_record()).expect("serialises"));
        }
    }
    let (mut units, mut with_previous, mut with_members) = (0, 0, 0);
    for (index, manifest) in manifests.iter().enumerate() {
        for spec in &manifest.units {
            for subject in prepared.subjects_in_scope(index, spec.level) {
                let bytes = dataset::unit_json(&prepared, index, spec, subject);
                let unit = dataset::unit(&prepared, index, spec, subject);
                assert_eq!(
                    String::from_utf8(serde_json::to_vec(&unit).expect("serialises")).expect("UTF-8"),
                    String::from_utf8(bytes).expect("UTF-8"),
                    "pack {} {} unit {subject}",
                    manifest.id,
                    spec.level
                );
                units += 1;
                with_previous += usize::from(unit.has_previous());
                with_members += usize::from(!spec.include.is_empty());
            }
        }
    }
    assert!(units > 1000 && with_previous > 300 && with_members > 10, "{units} {with_previous} {with_members}");
}
