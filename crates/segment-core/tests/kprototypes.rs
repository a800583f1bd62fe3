//! k-prototypes on customer files with categories: planted groups that differ by their categories
//! are found when the categories are compared by value, and not when they enter as how common their
//! value is; the segments speak in categories; a saved model assigns a new file's customers alike in
//! the page's apply and in the streaming apply (the command line's).

use segment_core::ingest::read_csv;
use segment_core::model::{apply, apply_stream, SegmentModel};
use segment_core::score::adjusted_rand_index;
use segment_core::session::Session;
use segment_core::spec::{AnalysisSpec, Method};
use segment_core::transactions::LoadMode;

fn session(csv: &str) -> Session {
    let mut s = Session::new();
    s.load(csv.as_bytes().to_vec(), &LoadMode::AsIs, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    s
}

fn spec_for(s: &Session, method: Method) -> AnalysisSpec {
    let table = s.table().unwrap_or_else(|e| panic!("{e}"));
    let mut spec = AnalysisSpec::default_for(table);
    spec.features = ["spend", "plan", "channel"].map(String::from).to_vec();
    spec.transforms.clear();
    spec.method = method;
    spec.set_k(4);
    spec
}

/// The streaming apply of `model` to `csv` (a file of `mixed_customers`): the rows it used, and each
/// row's segment (None: dropped, or in none).
fn streamed(model: &SegmentModel, csv: &str) -> (usize, Vec<Option<usize>>) {
    let mut out = Vec::new();
    let summary = apply_stream(model, &[], &[], csv.as_bytes(), &mut out, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let segments = String::from_utf8(out)
        .unwrap_or_default()
        .lines()
        .skip(1)
        // customer_id,spend,tenure_months,plan,channel,region,segment,segment_name
        .filter_map(|l| l.split(',').nth(6).map(|s| s.parse::<usize>().ok().map(|s| s - 1)))
        .collect();
    (summary.rows_used, segments)
}

fn labels_of(s: &Session) -> Vec<Option<usize>> {
    s.segmentation().map(|seg| seg.labels()).unwrap_or_default()
}

/// The acceptance test of the mixed-data issue: four groups told apart only by a plan, a channel and
/// spend (every plan about as common) are recovered by k-prototypes (ARI >= 0.9) and not by k-means on
/// the same columns with the categories as how common their value is (ARI < 0.6).
#[test]
fn groups_that_differ_by_category_are_found_by_comparing_the_categories() {
    let (csv, truth) = segment_core::synth::mixed_customers(4_000, 7, 0);
    let truth: Vec<Option<usize>> = truth.into_iter().map(Some).collect();
    let mut s = session(&csv);
    let spec = spec_for(&s, Method::KPrototypes);
    s.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let ours = adjusted_rand_index(&labels_of(&s), &truth);
    assert!(ours >= 0.9, "k-prototypes ARI {ours}");
    let result = s.segmentation().unwrap_or_else(|| panic!("no result"));
    assert_eq!(result.spec.kprototypes.categories, vec!["plan".to_string(), "channel".to_string()]);
    // The segments speak in the plan: each segment's description starts from its plan.
    for p in &result.profiles {
        assert!(p.description.starts_with("plan "), "{}", p.description);
        assert!(p.suggested_name.contains("plan "), "{}", p.suggested_name);
    }
    assert!(result.scores.silhouette.as_ref().is_some_and(|s| s.mean > 0.0));

    let frequency = spec_for(&s, Method::KMeans);
    s.run(&frequency, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let theirs = adjusted_rand_index(&labels_of(&s), &truth);
    assert!(theirs < 0.6, "k-means on how common the values are: ARI {theirs}");
}

/// Without a category among the features, k-prototypes says what to do; settings that name a number
/// as a category, which column and why.
#[test]
fn k_prototypes_without_categories_says_what_to_tick() {
    let (csv, _) = segment_core::synth::mixed_customers(300, 1, 0);
    let mut s = session(&csv);
    let mut spec = spec_for(&s, Method::KPrototypes);
    spec.features = vec!["spend".into(), "tenure_months".into()];
    let err = s.run(&spec, &mut |_, _| {}).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("tick at least one category column"), "{err}");
    // Settings that name a number as a category (a hand-edited file, prepared without a session).
    spec.kprototypes.categories = vec!["tenure_months".into()];
    let table = s.table().unwrap_or_else(|e| panic!("{e}"));
    let err = segment_core::pipeline::prepare(
        table,
        &spec,
        segment_core::pipeline::Fitting::Learn,
        1,
        &mut |_, _| {},
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("tenure_months") && err.contains("compares categories by value"), "{err}");
}

/// A saved k-prototypes model assigns next month's file (new customers, a plan the model never saw, a
/// missing channel) the same in the page's apply and the streaming apply, and its own training file
/// to the segments it was fitted with.
#[test]
fn a_saved_model_assigns_by_value_in_the_page_and_in_the_stream() {
    let (csv, _) = segment_core::synth::mixed_customers(2_000, 11, 0);
    let mut s = session(&csv);
    let spec = spec_for(&s, Method::KPrototypes);
    s.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let trained = labels_of(&s);
    let model = s.save_model(&[], "train.csv").unwrap_or_else(|e| panic!("{e}"));
    let model = SegmentModel::from_json(&model.to_json()).unwrap_or_else(|e| panic!("{e}"));

    // The training file: every customer keeps its segment.
    let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let applied =
        apply(&model, csv.as_bytes(), &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.result.labels(), trained);

    // Next month: other customers, in another order of plans (the file's most common first differs),
    // one plan the model never saw and a few missing channels.
    let (next, _) = segment_core::synth::mixed_customers(1_000, 12, 0);
    let next = next.replacen("student", "platinum", 5).replacen(",app,", ",,", 3);
    let table = read_csv(next.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let applied =
        apply(&model, next.as_bytes(), &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let page_labels: Vec<Option<usize>> = applied.result.labels();
    let (rows_used, streamed) = streamed(&model, &next);
    // The rows cleaning dropped (a missing channel) have no segment in either.
    let streamed: Vec<Option<usize>> = streamed.into_iter().filter(Option::is_some).collect();
    assert_eq!(rows_used, page_labels.len());
    assert_eq!(streamed, page_labels);
}

/// The segments' rules speak in the categories' values ("plan is basic"), catch the planted segments
/// (fidelity at least 90%, where thresholds on spend alone reached about 70%), and the rule model
/// applies them by name to a file whose values are numbered otherwise.
#[test]
fn rules_name_the_category_values_and_a_rule_model_applies_them() {
    let (csv, _) = segment_core::synth::mixed_customers(3_000, 5, 0);
    let mut s = session(&csv);
    let spec = spec_for(&s, Method::KPrototypes);
    s.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let result = s.segmentation().unwrap_or_else(|| panic!("no result"));
    let fidelity = result.rule_fidelity.unwrap_or(0.0);
    assert!(fidelity >= 0.9, "fidelity {fidelity}");
    for p in &result.profiles {
        let rule = p.rule.as_ref().map(|r| r.words()).unwrap_or_default();
        assert!(rule.contains("plan is "), "{rule}");
    }
    let model = s.save_model(&[], "train.csv").unwrap_or_else(|e| panic!("{e}"));
    let rules = model.rules_model().unwrap_or_else(|e| panic!("{e}"));
    let rules = SegmentModel::from_json(&rules.to_json()).unwrap_or_else(|e| panic!("{e}"));
    // Next month's file, its plans in another order of frequency: the rules read values by name.
    let (next, _) = segment_core::synth::mixed_customers(1_500, 6, 0);
    let next = next.replacen(",basic,", ",student,", 200);
    let table = read_csv(next.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let applied =
        apply(&rules, next.as_bytes(), &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let labels = applied.result.labels();
    let (_, streamed) = streamed(&rules, &next);
    assert_eq!(streamed, labels);
    // Each customer the rule model puts in a segment meets that segment's rule on its plan.
    let plan_of: Vec<&str> = next.lines().skip(1).filter_map(|l| l.split(',').nth(3)).collect();
    for (&row, label) in applied.result.kept_rows.iter().zip(&labels) {
        let Some(s) = label else { continue };
        let rule = rules.segments[*s].rule.as_ref().map(|r| r.words()).unwrap_or_default();
        if let Some(value) = rule.split("plan is ").nth(1).and_then(|t| t.split([' ', ',']).next()) {
            if !rule.contains("plan is not") && !rule.contains(", or ") {
                assert_eq!(plan_of[row], value, "row {row}: {rule}");
            }
        }
    }
}

/// The automatic choice, given features with categories the person ticked, also proposes k-prototypes
/// (scored in its own distance) and picks it on groups that differ by their plan and spend, in place of
/// segmentations of the categories' value counts (which would separate common from rare values); its
/// segments follow the planted groups' strongest difference (low and high spend, ARI >= 0.9: with
/// gamma suggested from the data, one plan against another weighs less than the spend gap, so the
/// silhouette prefers two segments to four). Without a category among the features it proposes none.
#[test]
fn the_automatic_choice_proposes_k_prototypes_when_categories_are_ticked() {
    let (csv, truth) = segment_core::synth::mixed_customers(4_000, 11, 0);
    let truth: Vec<Option<usize>> = truth.into_iter().map(Some).collect();
    let mut s = session(&csv);
    let base = spec_for(&s, Method::KMeans);
    let choice = s.choose(&base, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}")).0;
    let proposed: Vec<_> =
        choice.candidates.iter().filter(|c| c.spec.method == Method::KPrototypes).collect();
    assert_eq!(proposed.len(), 9, "k-prototypes at k = 2..10");
    assert!(proposed.iter().all(|c| c.representation.contains("plan and channel compared by value")));
    let chosen = choice.chosen.and_then(|i| choice.candidates.get(i)).unwrap_or_else(|| panic!("no pick"));
    assert_eq!(chosen.spec.method, Method::KPrototypes, "{}", choice.explanation);
    assert!(
        choice
            .candidates
            .iter()
            .all(|c| c.spec.method == Method::KPrototypes || !c.spec.features.contains(&"plan".to_string())),
        "no value counts of the plan"
    );
    let spend_level: Vec<Option<usize>> = truth.iter().map(|g| g.map(|g| g / 2)).collect();
    let ari = adjusted_rand_index(&labels_of(&s), &spend_level);
    assert!(ari >= 0.9, "ARI {ari}: {}", choice.explanation);
    assert!(choice.explanation.starts_with("k-prototypes"), "{}", choice.explanation);

    let mut numbers = base.clone();
    numbers.features = vec!["spend".into(), "tenure_months".into()];
    let choice = s.choose(&numbers, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}")).0;
    assert!(choice.candidates.iter().all(|c| c.spec.method != Method::KPrototypes));
}

/// Huang's start, offered beside Cao's, finds the planted groups too; the result says the gamma the
/// fit used (suggested from the data when none is set: half the numbers' mean standard deviation, 0.5
/// on z-scored numbers), and the parameters say which start.
#[test]
fn huang_start_and_the_gamma_used_are_said() {
    use segment_core::cluster::kprototypes::StartKind;
    let (csv, truth) = segment_core::synth::mixed_customers(2_000, 5, 0);
    let truth: Vec<Option<usize>> = truth.into_iter().map(Some).collect();
    let mut s = session(&csv);
    let mut spec = spec_for(&s, Method::KPrototypes);
    spec.kprototypes.start = StartKind::Huang;
    s.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let ari = adjusted_rand_index(&labels_of(&s), &truth);
    assert!(ari >= 0.9, "Huang's start: ARI {ari}");
    let result = s.segmentation().unwrap_or_else(|| panic!("no result"));
    let gamma = result.gamma.unwrap_or_else(|| panic!("no gamma"));
    assert!((gamma - 0.5).abs() < 1e-9, "suggested gamma {gamma}");
    assert!(result.spec.parameters().contains("Huang's start"), "{}", result.spec.parameters());
    // The page's key for each start is its name in settings files.
    for start in StartKind::ALL {
        assert_eq!(serde_json::to_value(start).ok(), Some(serde_json::Value::from(start.key())));
    }
    spec.kprototypes.gamma = Some(1.25);
    s.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.segmentation().and_then(|r| r.gamma), Some(1.25));
    spec.method = Method::KMeans;
    s.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.segmentation().and_then(|r| r.gamma), None);
}
