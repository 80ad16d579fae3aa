//! The flat results table of the data dictionary.

use super::ResultRow;
use crate::text::format_value;
use dudao_dataset::Prepared;
use dudao_engine::evaluate::Evaluation;
use dudao_engine::outcome::{EvaluatedPack, UnitOutcome};
use dudao_engine::round::Round;
use dudao_engine::rows::{outcome_cards, outcome_rows, rollup_row};
use dudao_engine::score::{ScoreCard, ScoreNode};
use dudao_engine::textguard::neutralise_formula;

/// Columns of the results table; the first five are the data dictionary's.
pub const COLUMNS: [&str; 9] =
    ["pack_id", "subject_id", "indicator_id", "value", "status", "level", "subject_name", "note", "score"];

/// The results table as CSV (UTF-8, header row, `\n` line ends).
pub fn csv(evaluation: &Evaluation) -> String {
    let mut bytes = Vec::new();
    write_csv(evaluation, &mut bytes).expect("writing to memory");
    String::from_utf8(bytes).expect("every cell is UTF-8")
}

/// Writes the results table of [`csv`] to `out` a block of rows at a time (a national table
/// is hundreds of megabytes: it is never held in memory whole).
///
/// Blocks of [`BLOCK`] outcomes are formatted in parallel on the current thread pool, a window
/// of them at a time, and written in order: the bytes are the same for any thread count.
///
/// # Errors
///
/// The I/O error of `out`.
pub fn write_csv(evaluation: &Evaluation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(&csv_header())?;
    let cards = outcome_cards(evaluation);
    write_outcome_rows(&evaluation.packs, &evaluation.prepared, &evaluation.outcomes, &cards, out)?;
    write_rollup_rows(evaluation, out)?;
    out.flush()
}

/// The header line of the results table.
pub fn csv_header() -> Vec<u8> {
    csv_rows(std::iter::empty(), true)
}

/// Writes the rows of consecutive outcomes (with each one's score card) as [`write_csv`] does:
/// what a run that writes its table while units finish calls for each stretch
/// ([`dudao_engine::evaluate::Stretch`]), in order, between [`csv_header`] and
/// [`write_rollup_rows`].
///
/// # Errors
///
/// The I/O error of `out`.
pub fn write_outcome_rows(
    packs: &[EvaluatedPack],
    prepared: &Prepared,
    outcomes: &[UnitOutcome],
    cards: &[Option<&ScoreCard>],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let rows = |(outcomes, cards): (&[UnitOutcome], &[Option<&ScoreCard>])| {
        csv_rows(
            outcomes.iter().zip(cards).flat_map(|(outcome, card)| outcome_rows(packs, prepared, outcome, *card)),
            false,
        )
    };
    let blocks: Vec<_> = outcomes.chunks(BLOCK).zip(cards.chunks(BLOCK)).collect();
    write_blocks(&blocks, rows, out)
}

/// Writes the roll-up rows, the last rows of the results table.
///
/// # Errors
///
/// The I/O error of `out`.
pub fn write_rollup_rows(evaluation: &Evaluation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let blocks: Vec<_> = evaluation.scores.rollups.chunks(BLOCK).collect();
    write_blocks(&blocks, |rollups| csv_rows(rollups.iter().map(|rolled| rollup_row(evaluation, rolled)), false), out)
}

/// Formats blocks in parallel on the current thread pool, a window of four blocks per thread
/// at a time, and writes them in order.
fn write_blocks<B: Copy + Send + Sync>(
    blocks: &[B],
    format: impl Fn(B) -> Vec<u8> + Sync,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    for window in blocks.chunks(4 * rayon::current_num_threads()) {
        let formatted: Vec<Vec<u8>> = window.par_iter().map(|block| format(*block)).collect();
        for bytes in formatted {
            out.write_all(&bytes)?;
        }
    }
    Ok(())
}

/// How many outcomes (or roll-ups) one block of [`write_csv`] formats.
const BLOCK: usize = 256;

/// Rows formatted as CSV lines, after the header line if `header`.
fn csv_rows<'a>(rows: impl Iterator<Item = ResultRow<'a>>, header: bool) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let write = || -> csv::Result<()> {
        if header {
            writer.write_record(COLUMNS)?;
        }
        for row in rows {
            let value = row.value.map(format_value).unwrap_or_default();
            let score = row.score.map(format_value).unwrap_or_default();
            // Names and notes are the dataset's and the pack's words: never a formula in a cell.
            let (name, note) = (neutralise_formula(&row.subject_name), neutralise_formula(&row.note));
            writer.write_record([
                row.pack_id,
                &row.subject_id,
                row.indicator_id,
                &value,
                row.status.as_str(),
                row.level.as_str(),
                name.as_ref(),
                note.as_ref(),
                &score,
            ])?;
        }
        Ok(())
    };
    write().expect("writing CSV to memory");
    writer.into_inner().expect("writing CSV to memory")
}

/// The flat scores table: for every score card, one row per scored node (dimensions and
/// leaves, depth first) and a `total` row with the grade and vetoes; with a plan, the overall
/// rows (`pack_id` = `*`).
pub fn scores_csv(evaluation: &Evaluation, round: Option<&Round>) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    writer
        .write_record([
            "pack_id",
            "subject_id",
            "level",
            "subject_name",
            "node_id",
            "node_name",
            "weight",
            "score",
            "grade",
            "vetoes",
        ])
        .expect("writing to memory");
    fn walk(writer: &mut csv::Writer<Vec<u8>>, prefix: &[String], nodes: &[ScoreNode]) {
        for node in nodes {
            let mut record = prefix.to_vec();
            record.extend([
                node.id.to_string(),
                neutralise_formula(&node.name).into_owned(),
                format_value(node.weight),
                format_value(node.score),
                String::new(),
                String::new(),
            ]);
            writer.write_record(&record).expect("writing to memory");
            walk(writer, prefix, &node.children);
        }
    }
    for card in &evaluation.scores.cards {
        let subject = evaluation.prepared.subject(card.level, card.subject);
        let prefix = vec![
            evaluation.packs[card.pack].info.id.clone(),
            subject.id.clone(),
            card.level.as_str().to_owned(),
            neutralise_formula(&subject.name).into_owned(),
        ];
        let vetoes: Vec<&str> = card.vetoes.iter().map(|veto| veto.indicator.as_str()).collect();
        let mut total = prefix.clone();
        total.extend([
            "total".to_owned(),
            "总分".to_owned(),
            String::new(),
            format_value(card.total),
            card.grade.clone().unwrap_or_default(),
            vetoes.join(" "),
        ]);
        writer.write_record(&total).expect("writing to memory");
        walk(&mut writer, &prefix, &card.tree);
    }
    if let Some(round) = round {
        for overall in &round.overall {
            let subject = evaluation.prepared.subject(overall.level, overall.subject);
            let vetoes: Vec<&str> = overall.vetoes.iter().map(|veto| veto.indicator.as_str()).collect();
            writer
                .write_record([
                    "*",
                    &subject.id,
                    overall.level.as_str(),
                    &neutralise_formula(&subject.name),
                    "overall",
                    "综合",
                    "",
                    &format_value(overall.total),
                    overall.grade.as_deref().unwrap_or_default(),
                    &vetoes.join(" "),
                ])
                .expect("writing to memory");
        }
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("every cell is UTF-8")
}
