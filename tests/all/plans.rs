//! Evaluation plans: a comprehensive and a special round over the Jiaozuo fixtures, scores
//! traceable to their leaves, and every layering rule enforced.

use std::path::{Path, PathBuf};
use std::process::Command;

use dudao_engine::plan::PlanError;
use dudao_engine::round::{self, RunError};
use dudao_engine::score::ScoreNode;
use rules_sdk::wire::Level;

use crate::support::{self, WatPack};

const STANDARD: [&str; 4] =
    ["rules/quality-balance", "rules/government-duty", "rules/school-supervision", "rules/quality-monitoring"];
const LOCAL: [(&str, &str); 2] = [("rules/local/wenxian-taiji", "410825"), ("rules/local/xiuwu-afterschool", "410821")];

/// Builds every pack the fixture plans use.
fn build_all() {
    for krate in STANDARD.iter().chain(LOCAL.iter().map(|(krate, _)| krate)) {
        support::pack_path(krate);
    }
}

fn comprehensive() -> PathBuf {
    build_all();
    support::root().join("fixtures/plans/jiaozuo-2026.toml")
}

/// One `[[packs]]` entry pinned to the file's current digest.
fn entry(path: &Path, scope: &str, extra: &str) -> String {
    let sha = dudao_engine::pack::sha256_hex(&std::fs::read(path).expect("pack"));
    format!("\n[[packs]]\npath = {:?}\nsha256 = \"{sha}\"\nscope = \"{scope}\"\n{extra}\n", path.display().to_string())
}

fn write_plan(dir: &Path, packs: &str) -> PathBuf {
    let path = dir.join("plan.toml");
    let text = format!("id = \"test\"\ntitle = \"测试轮次\"\nperiod = \"2026\"\nkind = \"comprehensive\"\n{packs}");
    std::fs::write(&path, text).expect("plan");
    path
}

fn layering_error(result: Result<(dudao_engine::evaluate::Evaluation, round::Round), RunError>) -> String {
    match result {
        Err(RunError::Plan(error @ PlanError::Layering { .. })) => error.to_string(),
        Err(other) => panic!("expected a layering error, got: {other}"),
        Ok(_) => panic!("expected a layering error, the plan ran"),
    }
}

#[test]
fn the_committed_fixture_plans_pin_the_packs_built_from_this_tree() {
    build_all();
    for plan in ["fixtures/plans/jiaozuo-2026.toml", "fixtures/plans/jiaozuo-2026-special.toml"] {
        let output = Command::new(env!("CARGO_BIN_EXE_dudao"))
            .args(["pin", "--check", plan])
            .current_dir(support::root())
            .output()
            .expect("dudao runs");
        assert!(
            output.status.success(),
            "{plan} is not pinned to the current build; after reviewing the change run `dudao pin {plan}`:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn a_comprehensive_round_scores_and_grades_every_county_with_local_sections_only_where_they_belong() {
    let (evaluation, round) =
        round::run_plan(&comprehensive(), &support::fixture("jiaozuo"), &round::RunSettings::default())
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(evaluation.failures().is_empty(), "{:?}", evaluation.failures());
    let counties = &evaluation.prepared.subjects[&Level::County];
    assert_eq!(counties.len(), 11);
    let pack_index = |id: &str| evaluation.packs.iter().position(|pack| pack.info.id == id).expect("pack in plan");
    for (county, record) in counties.iter().enumerate() {
        // Packs scored at county level have a graded card; school-supervision rolls its school
        // cards up to the county.
        for id in ["quality-balance", "government-duty", "quality-monitoring"] {
            let card = evaluation
                .scores
                .cards
                .iter()
                .find(|card| card.pack == pack_index(id) && card.level == Level::County && card.subject == county);
            let card = card.unwrap_or_else(|| panic!("{id} has no score for {}", record.name));
            assert!(card.grade.is_some(), "{id} grades {}", record.name);
            assert!((0.0..=100.0).contains(&card.total));
        }
        let supervision = evaluation.scores.summaries.iter().find(|summary| {
            summary.pack == pack_index("school-supervision")
                && summary.level == Level::County
                && summary.subject == county
        });
        assert!(supervision.is_some_and(|s| s.members > 0 && !s.grades.is_empty()));
        assert!(round.overall.iter().any(|overall| overall.level == Level::County && overall.subject == county));
    }
    // Local packs: only their county's subjects were evaluated.
    for (krate, code) in LOCAL {
        let id = format!("{code}-{}", krate.rsplit('-').next().expect("name"));
        let pack = pack_index(&id);
        let outcomes: Vec<_> = evaluation.outcomes.iter().filter(|outcome| outcome.pack == pack).collect();
        assert!(!outcomes.is_empty());
        let county = counties.iter().position(|county| county.id == code).expect("county");
        for outcome in outcomes {
            let in_county = match outcome.level {
                Level::County => outcome.subject == county,
                level => evaluation.prepared.members[&(Level::County, level)][county].contains(&outcome.subject),
            };
            assert!(in_county, "{id} evaluated a subject outside {code}");
        }
    }
    let bonus_counties: Vec<&str> = round
        .overall
        .iter()
        .filter(|overall| overall.level == Level::County && overall.bonus > 0.0)
        .map(|overall| counties[overall.subject].id.as_str())
        .collect();
    assert_eq!(bonus_counties, vec!["410821", "410825"]);
    // A veto caps the overall grade.
    for overall in round.overall.iter().filter(|overall| !overall.vetoes.is_empty()) {
        assert_eq!(overall.grade.as_deref(), Some("不合格"));
    }
}

/// Recomputes a node's score from its children and checks leaves against the results.
fn check_trace(node: &ScoreNode, results: &[&rules_sdk::wire::IndicatorResult]) {
    if node.children.is_empty() {
        let result = results.iter().find(|result| *result.indicator == *node.id).expect("a leaf has its result");
        assert_eq!(node.value, result.value, "{}", node.id);
        assert_eq!(node.status, Some(result.status), "{}", node.id);
        return;
    }
    let weights: f64 = node.children.iter().map(|child| child.weight).sum();
    let expected = node.children.iter().map(|child| child.weight * child.score).sum::<f64>() / weights;
    assert!((expected - node.score).abs() < 1e-9, "{} = {} but its children give {expected}", node.id, node.score);
    for child in &node.children {
        check_trace(child, results);
    }
}

#[test]
fn every_score_is_traceable_to_the_leaf_results_that_made_it() {
    let (evaluation, _) =
        round::run_plan(&comprehensive(), &support::fixture("jiaozuo"), &round::RunSettings::default())
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(evaluation.scores.cards.len() > 300);
    for card in &evaluation.scores.cards {
        let subject = &evaluation.prepared.subject(card.level, card.subject).id;
        let outcome = evaluation
            .outcomes
            .iter()
            .find(|o| o.pack == card.pack && o.level == card.level && o.subject == card.subject)
            .expect("the card's outcome");
        let results: Vec<_> = outcome.result.as_ref().expect("ok").iter().filter(|r| &r.subject == subject).collect();
        let weights: f64 = card.tree.iter().map(|node| node.weight).sum();
        let total = card.tree.iter().map(|node| node.weight * node.score).sum::<f64>() / weights;
        assert!((total - card.total).abs() < 1e-9);
        for node in &card.tree {
            check_trace(node, &results);
        }
    }
}

#[test]
fn a_special_round_covers_only_its_indicators_and_the_selection_is_reproducible() {
    build_all();
    let plan = support::root().join("fixtures/plans/jiaozuo-2026-special.toml");
    let (evaluation, round) = round::run_plan(
        &plan,
        &support::fixture("jiaozuo"),
        &round::RunSettings { threads: Some(1), ..Default::default() },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let selected = |id: &str| round.plan.indicators.iter().any(|pattern| dudao_engine::scope::matches(pattern, id));
    let mut seen = 0;
    for outcome in &evaluation.outcomes {
        for result in outcome.result.as_ref().expect("ok") {
            assert!(selected(&result.indicator), "{} is outside the special round", result.indicator);
            seen += 1;
        }
    }
    assert!(seen > 100);
    // Two schools per county, the same on every run and thread count.
    assert!(round.sample.iter().all(|group| group.selected.len() == 2.min(group.population)));
    let (_, again) = round::run_plan(
        &plan,
        &support::fixture("jiaozuo"),
        &round::RunSettings { threads: Some(2), ..Default::default() },
    )
    .expect("runs");
    assert_eq!(round.sample, again.sample);
    let csv = |threads| {
        let (evaluation, round) =
            round::run_plan(&plan, &support::fixture("jiaozuo"), &round::RunSettings { threads, ..Default::default() })
                .expect("runs");
        (dudao_publish::results::csv(&evaluation), dudao_publish::results::json(&evaluation, Some(&round)))
    };
    assert_eq!(csv(Some(1)), csv(Some(2)));
}

#[test]
fn sampling_depends_on_the_seed_and_takes_the_fraction_rounded_up() {
    let (_, round) =
        round::run_plan(&comprehensive(), &support::fixture("jiaozuo"), &round::RunSettings::default()).expect("runs");
    for group in &round.sample {
        assert_eq!(group.selected.len(), (group.population as f64 * 0.1).ceil() as usize);
    }
    let dir = tempfile::tempdir().expect("folder");
    let text = std::fs::read_to_string(comprehensive()).expect("plan").replace("seed = 20261129", "seed = 1");
    let text = text.replace("../../target/packs/", &format!("{}/", support::root().join("target/packs").display()));
    let text = text.replace(
        "previous_data = \"../jiaozuo-2025\"",
        &format!("previous_data = {:?}", support::fixture("jiaozuo-2025").display().to_string()),
    );
    let other = dir.path().join("plan.toml");
    std::fs::write(&other, text).expect("plan");
    let (_, reseeded) = round::run_plan(&other, &support::fixture("jiaozuo"), &round::RunSettings::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(round.sample, reseeded.sample);
}

#[test]
fn a_tampered_pack_file_is_refused_before_anything_runs() {
    build_all();
    let dir = tempfile::tempdir().expect("folder");
    let original = support::quality_balance();
    let copy = dir.path().join("quality-balance.wasm");
    std::fs::copy(&original, &copy).expect("copy");
    let plan = write_plan(dir.path(), &entry(&copy, "standard", ""));
    // Change one byte of a custom-free region: append a byte, as a swapped file would differ.
    let mut bytes = std::fs::read(&copy).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&copy, &bytes).expect("tamper");
    match round::run_plan(&plan, &support::fixture("jiaozuo"), &round::RunSettings::default()) {
        Err(RunError::Plan(PlanError::PinMismatch { pack, expected, found, .. })) => {
            assert_eq!(pack, copy);
            assert_ne!(expected, found);
        }
        Err(other) => panic!("expected a pin mismatch, got {other}"),
        Ok(_) => panic!("a tampered pack ran"),
    }
    let message = round::run_plan(&plan, &support::fixture("jiaozuo"), &round::RunSettings::default())
        .expect_err("refused")
        .to_string();
    assert!(message.contains("does not match its pin") && message.contains("quality-balance.wasm"), "{message}");
}

/// A local WAT pack for 温县 with this manifest body.
fn local_wat(dir: &Path, name: &str, manifest: &str) -> PathBuf {
    WatPack { manifest: manifest.to_owned(), ..WatPack::default() }.write(dir, name)
}

const LOCAL_MANIFEST: &str = r#"{"abi":"1.1","id":"410825-extra","version":"0.1.0","title":"温县测试包",
"units":[{"level":"school"}],"inputs":[],
"indicators":[{"id":"ID","name":"测试指标","level":"school"VETO}]}"#;

fn local_manifest(id: &str, veto: bool) -> String {
    let veto = if veto {
        r#","veto":{"cap":"不合格","reason":"测试","source":{"document":"测试","item":"一"}}"#
    } else {
        ""
    };
    LOCAL_MANIFEST.replace("ID", id).replace("VETO", veto)
}

#[test]
fn a_local_pack_may_not_define_a_standard_id() {
    let dir = tempfile::tempdir().expect("folder");
    let local = local_wat(dir.path(), "local.wasm", &local_manifest("qb.school.resource_standard", false));
    let packs = entry(&support::quality_balance(), "standard", "") + &entry(&local, "local", "county = \"410825\"");
    let plan = write_plan(dir.path(), &packs);
    let message = layering_error(round::run_plan(&plan, &support::fixture("jiaozuo"), &round::RunSettings::default()));
    assert!(message.contains("pack `410825-extra` breaks the plan's layering rules"), "{message}");
    assert!(
        message.contains("defines `qb.school.resource_standard`, an id of the standard pack `quality-balance`"),
        "{message}"
    );
}

#[test]
fn a_local_pack_must_namespace_its_ids_and_may_not_veto() {
    let dir = tempfile::tempdir().expect("folder");
    let local = local_wat(dir.path(), "local.wasm", &local_manifest("taiji.rate", true));
    let plan = write_plan(dir.path(), &entry(&local, "local", "county = \"410825\""));
    let message = layering_error(round::run_plan(&plan, &support::fixture("jiaozuo"), &round::RunSettings::default()));
    assert!(message.contains("`taiji.rate` must be namespaced by the county: `410825.…`"), "{message}");
    assert!(message.contains("declares a veto; only standard packs may veto"), "{message}");
}

#[test]
fn a_local_pack_may_not_read_other_counties() {
    // Asking for city units would show the pack every county's records.
    let dir = tempfile::tempdir().expect("folder");
    let manifest = local_manifest("410825.extra.rate", false)
        .replace(r#"{"level":"school"}"#, r#"{"level":"city","include":["school"]}"#)
        .replace(r#""level":"school"}]"#, r#""level":"city"}]"#);
    let local = local_wat(dir.path(), "local.wasm", &manifest);
    let plan = write_plan(dir.path(), &entry(&local, "local", "county = \"410825\""));
    let message = layering_error(round::run_plan(&plan, &support::fixture("jiaozuo"), &round::RunSettings::default()));
    assert!(message.contains("evaluates city units, which would show it data outside county `410825`"), "{message}");

    // And a well-behaved local pack receives only its county's schools (the rest of the
    // dataset is not even validated for it).
    let (evaluation, _) =
        round::run_plan(&comprehensive(), &support::fixture("jiaozuo"), &round::RunSettings::default()).expect("runs");
    let taiji = evaluation.packs.iter().position(|pack| pack.info.id == "410825-taiji").expect("in plan");
    let schools: Vec<&str> = evaluation
        .outcomes
        .iter()
        .filter(|outcome| outcome.pack == taiji && outcome.level == Level::School)
        .map(|outcome| evaluation.prepared.subject(Level::School, outcome.subject).id.as_str())
        .collect();
    assert!(!schools.is_empty() && schools.iter().all(|id| id.starts_with("410825")), "{schools:?}");
}

#[test]
fn a_plan_setting_an_undeclared_parameter_is_refused() {
    build_all();
    let dir = tempfile::tempdir().expect("folder");
    let gd = support::pack_path("rules/government-duty");
    let plan = write_plan(dir.path(), &entry(&gd, "standard", "[packs.params]\nlarge_school_studnets = 1500"));
    let message = layering_error(round::run_plan(
        &plan,
        &support::fixture("jiaozuo"),
        &round::RunSettings { previous_data: Some(support::fixture("jiaozuo-2025")), ..Default::default() },
    ));
    assert!(message.contains("sets parameter `large_school_studnets`, which the pack does not declare"), "{message}");
}

#[test]
fn a_plan_parameter_changes_what_the_pack_computes() {
    build_all();
    let dir = tempfile::tempdir().expect("folder");
    let gd = support::pack_path("rules/government-duty");
    let staffing = |students: u32| {
        let plan = write_plan(
            dir.path(),
            &entry(&gd, "standard", &format!("[packs.params]\nlarge_school_students = {students}")),
        );
        let (evaluation, _) = round::run_plan(&plan, &support::fixture("jiaozuo"), &round::RunSettings::default())
            .unwrap_or_else(|e| panic!("{e}"));
        dudao_publish::results::rows(&evaluation)
            .into_iter()
            .filter(|row| row.indicator_id == "gd.leadership.inspector_staffing")
            .map(|row| (row.subject_id, row.value))
            .collect::<Vec<_>>()
    };
    // A lower "many students" threshold makes more schools need their own inspector.
    assert_ne!(staffing(2000), staffing(800));
}

#[test]
fn local_packs_are_added_changed_and_removed_without_rebuilding_the_host() {
    build_all();
    let dudao = |plan: &Path| {
        let output = Command::new(env!("CARGO_BIN_EXE_dudao"))
            .args(["run", "--format", "csv", "--data"])
            .arg(support::fixture("jiaozuo"))
            .arg("--plan")
            .arg(plan)
            .output()
            .expect("dudao runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let dir = tempfile::tempdir().expect("folder");
    let standard = entry(&support::quality_balance(), "standard", "");
    let without = dudao(&write_plan(dir.path(), &standard));
    assert!(!without.contains("410825-extra"));

    // Add: a county author's new module, dropped in next to the plan. It evaluates 温县 itself.
    let manifest = local_manifest("410825.extra.students", false).replace(r#""level":"school""#, r#""level":"county""#);
    let output = |value: u32| {
        format!(
            r#"{{"ok":{{"results":[{{"subject":"410825","indicator":"410825.extra.students","value":{value},"status":"met"}}]}}}}"#
        )
    };
    let write_local = |value: u32| {
        let pack = WatPack { manifest: manifest.clone(), output: output(value).into_bytes(), ..WatPack::default() };
        pack.write(dir.path(), "local.wasm")
    };
    let local = write_local(1);
    let with = dudao(&write_plan(dir.path(), &(standard.clone() + &entry(&local, "local", "county = \"410825\""))));
    assert!(with.contains("410825-extra,410825,410825.extra.students,1,met"), "{with}");
    assert_eq!(
        with.lines().filter(|line| line.starts_with("quality-balance,")).count(),
        without.lines().filter(|line| line.starts_with("quality-balance,")).count()
    );

    // Change: a new version of the module, re-pinned.
    let local = write_local(2);
    let changed = dudao(&write_plan(dir.path(), &(standard.clone() + &entry(&local, "local", "county = \"410825\""))));
    assert!(changed.contains("410825-extra,410825,410825.extra.students,2,met"), "{changed}");

    // Remove: drop it from the plan.
    let removed = dudao(&write_plan(dir.path(), &standard));
    assert_eq!(removed, without);
}

/// Regression: `--fuel`, `--memory-mib` and `--timeout-ms` were silently ignored with a plan.
#[test]
fn limits_given_for_a_run_apply_to_a_plan_and_replace_its_own() {
    build_all();
    let dir = tempfile::tempdir().expect("folder");
    let qb = support::pack_path("rules/quality-balance");
    // The plan itself allows far too little fuel for the pack even to describe itself.
    let plan = write_plan(dir.path(), &format!("[limits]\nfuel = 20000\n{}", entry(&qb, "standard", "")));
    let data = support::fixture("jiaozuo");
    let refused =
        round::run_plan(&plan, &data, &round::RunSettings::default()).expect_err("the plan's fuel is too small");
    assert!(refused.to_string().contains("ran out of fuel after 20000 units"), "{refused}");

    // Given for the run, the default budget replaces the plan's: every county evaluates.
    let settings = round::RunSettings {
        limits: dudao_engine::sandbox::LimitOverrides { fuel: Some(2_000_000_000), ..Default::default() },
        ..Default::default()
    };
    let (evaluation, _) = round::run_plan(&plan, &data, &settings).unwrap_or_else(|e| panic!("{e}"));
    assert!(evaluation.failures().is_empty(), "{:?}", evaluation.failures());
    assert_eq!(evaluation.prepared.subjects[&Level::County].len(), 11);
}

#[test]
fn the_results_table_is_written_in_parallel_blocks_in_row_order_on_any_pool_size() {
    build_all();
    let (evaluation, _) =
        round::run_plan(&comprehensive(), &support::fixture("jiaozuo"), &round::RunSettings::default()).expect("runs");
    // Blocks of 256 outcomes, a window of 4 blocks per thread: on 1 thread the table takes
    // more than one window, on 3 threads several blocks are formatted at once.
    assert!(evaluation.outcomes.len() > 4 * 256, "{} outcomes", evaluation.outcomes.len());
    let write = |threads| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        pool.install(|| dudao_publish::results::csv(&evaluation))
    };
    let one = write(1);
    assert_eq!(one, write(3), "the same bytes from 1 and 3 threads");
    // Every row once, in the order of the rows every other output reads.
    let rows = dudao_publish::results::rows(&evaluation);
    let mut reader = csv::Reader::from_reader(one.as_bytes());
    let written: Vec<(String, String, String)> = reader
        .records()
        .map(|record| {
            let record = record.expect("a CSV row");
            (record[0].to_owned(), record[1].to_owned(), record[2].to_owned())
        })
        .collect();
    let expected: Vec<(String, String, String)> =
        rows.iter().map(|row| (row.pack_id.to_owned(), row.subject_id.clone(), row.indicator_id.to_owned())).collect();
    assert_eq!(written, expected);
}

#[test]
fn the_table_written_while_units_finish_is_the_whole_runs_and_the_run_keeps_only_what_roll_ups_read() {
    build_all();
    let plan = comprehensive();
    let data = support::fixture("jiaozuo");
    let (whole, _) = round::run_plan(&plan, &data, &round::RunSettings::default()).expect("runs");

    // `dudao run --format csv` writes the table stretch by stretch and keeps only what the
    // roll-ups read: the bytes are those of the whole evaluation's table, roll-ups included.
    let output = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(["run", "--format", "csv", "--threads", "2", "--data"])
        .arg(&data)
        .arg("--plan")
        .arg(&plan)
        .output()
        .expect("dudao runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let table = dudao_publish::results::csv(&whole);
    assert!(!whole.scores.rollups.is_empty(), "the plan rolls indicators up");
    assert_eq!(String::from_utf8(output.stdout).expect("UTF-8"), table);

    // The same through the library: a sole reader sees every outcome with its results and
    // tree, and afterwards the evaluation holds only the rolled-up indicators' results.
    let seen = std::sync::Arc::new(std::sync::Mutex::new((0_usize, 0_usize)));
    let inner = seen.clone();
    let finished = dudao_engine::evaluate::Finished::new(move |stretch: dudao_engine::evaluate::Stretch<'_>| {
        let mut seen = inner.lock().expect("lock");
        seen.0 += stretch.outcomes.iter().map(|o| o.result.as_ref().map_or(0, Vec::len)).sum::<usize>();
        seen.1 += stretch.cards.iter().flatten().filter(|card| !card.tree.is_empty()).count();
    });
    let settings = round::RunSettings { finished: Some(finished.sole_reader()), ..round::RunSettings::default() };
    let (lean, _) = round::run_plan(&plan, &data, &settings).expect("runs");
    let results = |evaluation: &dudao_engine::evaluate::Evaluation| -> usize {
        evaluation.outcomes.iter().map(|o| o.result.as_ref().map_or(0, Vec::len)).sum()
    };
    let trees = whole.scores.cards.iter().filter(|card| !card.tree.is_empty()).count();
    assert_eq!(*seen.lock().expect("lock"), (results(&whole), trees), "the reader saw every result and tree");
    assert_eq!(lean.outcomes.len(), whole.outcomes.len());
    assert_eq!(lean.scores.rollups, whole.scores.rollups, "the same roll-ups");
    assert_eq!(lean.scores.summaries, whole.scores.summaries, "the same totals rolled up");
    let totals = |evaluation: &dudao_engine::evaluate::Evaluation| -> Vec<(usize, f64, Option<String>)> {
        evaluation.scores.cards.iter().map(|card| (card.subject, card.total, card.grade.clone())).collect()
    };
    assert_eq!(totals(&lean), totals(&whole));
    assert!(lean.scores.cards.iter().all(|card| card.tree.is_empty()), "no tree is kept");
    assert!(results(&lean) < results(&whole), "{} of {} results kept", results(&lean), results(&whole));
    let rolled: std::collections::HashSet<(Level, String)> = whole
        .packs
        .iter()
        .flat_map(|pack| pack.manifest.nodes())
        .filter(|node| !node.rollup.is_empty())
        .filter_map(|node| node.level.map(|level| (level, node.id.clone())))
        .collect();
    for outcome in &lean.outcomes {
        for result in outcome.result.as_ref().map_or(&[][..], Vec::as_slice) {
            assert!(rolled.contains(&(outcome.level, result.indicator.clone())), "{} kept", result.indicator);
        }
    }
}
