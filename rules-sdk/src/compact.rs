//! The compact encoding of an [`Output`] (ABI 1.2, `docs/abi.md` §8.1): what
//! `dudao_evaluate_compact` returns instead of JSON.
//!
//! Writing JSON was the largest part of a sandboxed evaluation after the pack's own work: every
//! string escaped byte by byte, every number printed in decimal, and many small copies, each
//! of which leaves the compiled pack for the engine's `memory.copy`. Here a string is its
//! length and its bytes, a value the eight bytes of its IEEE 754 double, and the buffer is
//! sized before it is written. Both sides compile this module, so the writer and the reader
//! cannot drift apart.
//!
//! ```text
//! output    = MAGIC, kind:u8, body
//! MAGIC     = 00 64 72 01            ("\0dr" and the encoding's version, 1)
//! kind 0    = count:u32, result × count          (ok)
//! kind 1    = message:str                        (error: the pack refuses the unit)
//! result    = status:u8, flags:u8, [value:f64], subject:str, indicator:str, [note:str]
//! status    = 0 met · 1 not_met · 2 not_applicable · 3 error
//! flags     = bit 0: a value follows · bit 1: a note follows · the other bits are 0
//! str       = len:u32, len bytes of UTF-8
//! ```
//!
//! Integers and doubles are little-endian. Nothing may follow the last result. The first byte
//! is NUL, which cannot begin a JSON text, so a reader tells the two encodings apart by it.

use std::fmt;

use crate::wire::{IndicatorResult, Output, Status};

/// The first four bytes of a compact output.
pub const MAGIC: [u8; 4] = [0, b'd', b'r', 1];

const KIND_OK: u8 = 0;
const KIND_ERROR: u8 = 1;
const HAS_VALUE: u8 = 1;
const HAS_NOTE: u8 = 2;
/// Bytes of the smallest result: status, flags and two empty strings.
const SMALLEST_RESULT: usize = 2 + 4 + 4;

/// Whether `bytes` are in the compact encoding (rather than JSON).
pub fn is_compact(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0)
}

/// `output` in the compact encoding.
///
/// A value that is not finite is written as no value, exactly as JSON writes it (`null`), so
/// the host reads the same results from either encoding.
pub fn encode(output: &Output) -> Vec<u8> {
    let size = match output {
        Output::Ok { results } => 4 + results.iter().map(encoded_len).sum::<usize>(),
        Output::Error { message } => 4 + message.len(),
    };
    let mut bytes = Vec::with_capacity(MAGIC.len() + 1 + size);
    bytes.extend_from_slice(&MAGIC);
    match output {
        Output::Ok { results } => {
            bytes.push(KIND_OK);
            put_len(&mut bytes, results.len());
            for result in results {
                let value = result.value.filter(|value| value.is_finite());
                bytes.push(status_byte(result.status));
                bytes.push(
                    if value.is_some() { HAS_VALUE } else { 0 } | if result.note.is_some() { HAS_NOTE } else { 0 },
                );
                if let Some(value) = value {
                    bytes.extend_from_slice(&value.to_le_bytes());
                }
                put_str(&mut bytes, &result.subject);
                put_str(&mut bytes, &result.indicator);
                if let Some(note) = &result.note {
                    put_str(&mut bytes, note);
                }
            }
        }
        Output::Error { message } => {
            bytes.push(KIND_ERROR);
            put_str(&mut bytes, message);
        }
    }
    bytes
}

fn encoded_len(result: &IndicatorResult) -> usize {
    let value = if result.value.is_some_and(f64::is_finite) { 8 } else { 0 };
    let note = result.note.as_ref().map_or(0, |note| 4 + note.len());
    SMALLEST_RESULT + value + result.subject.len() + result.indicator.len() + note
}

fn status_byte(status: Status) -> u8 {
    match status {
        Status::Met => 0,
        Status::NotMet => 1,
        Status::NotApplicable => 2,
        Status::Error => 3,
    }
}

fn put_len(bytes: &mut Vec<u8>, len: usize) {
    // Outputs are bounded far below 4 GiB (the host refuses more than its output limit, and a
    // 32-bit pack cannot hold more); a longer one is cut to what its length says.
    bytes.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_str(bytes: &mut Vec<u8>, text: &str) {
    put_len(bytes, text.len());
    bytes.extend_from_slice(text.as_bytes());
}

/// Why bytes are not a compact output: what was wrong, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Offset of the byte where reading stopped.
    pub at: usize,
    /// What was expected or found there.
    pub what: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at)
    }
}

impl std::error::Error for DecodeError {}

/// Reads a compact output.
///
/// # Errors
///
/// A [`DecodeError`] when the bytes are cut short, have another header, an unknown kind,
/// status or flag, text that is not UTF-8, or bytes after the end.
pub fn decode(bytes: &[u8]) -> Result<Output, DecodeError> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(MAGIC.len(), "the compact header")? != MAGIC {
        return Err(DecodeError { at: 0, what: "the header is not that of compact encoding version 1".to_owned() });
    }
    let output = match reader.byte("the output's kind")? {
        KIND_OK => {
            let count = reader.len("the number of results")?;
            // Every result takes at least `SMALLEST_RESULT` bytes: a count the bytes cannot
            // hold is refused before anything is allocated for it.
            if count > reader.left() / SMALLEST_RESULT {
                return Err(reader.error(format!("{count} results cannot fit in the {} bytes left", reader.left())));
            }
            let mut results = Vec::with_capacity(count);
            for _ in 0..count {
                results.push(reader.result()?);
            }
            Output::Ok { results }
        }
        KIND_ERROR => Output::Error { message: reader.text("the error message")? },
        other => return Err(DecodeError { at: reader.at - 1, what: format!("unknown output kind {other}") }),
    };
    if reader.left() > 0 {
        return Err(reader.error(format!("{} bytes follow the end of the output", reader.left())));
    }
    Ok(output)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn error(&self, what: String) -> DecodeError {
        DecodeError { at: self.at, what }
    }

    fn take(&mut self, count: usize, what: &str) -> Result<&'a [u8], DecodeError> {
        if count > self.left() {
            return Err(self.error(format!("the output ends inside {what}")));
        }
        let taken = &self.bytes[self.at..self.at + count];
        self.at += count;
        Ok(taken)
    }

    fn byte(&mut self, what: &str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }

    fn len(&mut self, what: &str) -> Result<usize, DecodeError> {
        let mut word = [0; 4];
        word.copy_from_slice(self.take(4, what)?);
        Ok(u32::from_le_bytes(word) as usize)
    }

    fn text(&mut self, what: &str) -> Result<String, DecodeError> {
        let len = self.len(what)?;
        let start = self.at;
        let bytes = self.take(len, what)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(error) => Err(DecodeError { at: start + error.valid_up_to(), what: format!("{what} is not UTF-8") }),
        }
    }

    fn result(&mut self) -> Result<IndicatorResult, DecodeError> {
        let status = match self.byte("a result's status")? {
            0 => Status::Met,
            1 => Status::NotMet,
            2 => Status::NotApplicable,
            3 => Status::Error,
            other => return Err(DecodeError { at: self.at - 1, what: format!("unknown status {other}") }),
        };
        let flags = self.byte("a result's flags")?;
        if flags & !(HAS_VALUE | HAS_NOTE) != 0 {
            return Err(DecodeError { at: self.at - 1, what: format!("unknown flags {flags:#04x}") });
        }
        let value = if flags & HAS_VALUE != 0 {
            let mut word = [0; 8];
            word.copy_from_slice(self.take(8, "a result's value")?);
            Some(f64::from_le_bytes(word))
        } else {
            None
        };
        let subject = self.text("a result's subject")?;
        let indicator = self.text("a result's indicator")?;
        let note = if flags & HAS_NOTE != 0 { Some(self.text("a result's note")?) } else { None };
        Ok(IndicatorResult { subject, indicator, value, status, note })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Output {
        Output::Ok {
            results: vec![
                IndicatorResult {
                    subject: "S1:primary".into(),
                    indicator: "qb.school.resource_standard".into(),
                    value: Some(6.0),
                    status: Status::NotMet,
                    note: Some("未达标项：体育运动场馆面积".into()),
                },
                IndicatorResult {
                    subject: "S1".into(),
                    indicator: "x".into(),
                    value: None,
                    status: Status::NotApplicable,
                    note: None,
                },
                IndicatorResult {
                    subject: "S1".into(),
                    indicator: "y".into(),
                    value: Some(-0.1),
                    status: Status::Met,
                    note: None,
                },
            ],
        }
    }

    #[test]
    fn an_output_reads_back_as_the_same_results_and_sized_exactly() {
        for output in [sample(), Output::Error { message: "学校 `S9` 无在校生".into() }, Output::Ok { results: vec![] }]
        {
            let bytes = encode(&output);
            assert!(is_compact(&bytes));
            assert_eq!(bytes.capacity(), bytes.len());
            assert_eq!(decode(&bytes), Ok(output));
        }
    }

    #[test]
    fn a_value_json_cannot_carry_is_written_as_none_as_json_does() {
        let output = Output::Ok {
            results: [f64::NAN, f64::INFINITY]
                .map(|value| IndicatorResult {
                    subject: "S".into(),
                    indicator: "i".into(),
                    value: Some(value),
                    status: Status::Met,
                    note: None,
                })
                .to_vec(),
        };
        let from_json: Output = serde_json::from_slice(&serde_json::to_vec(&output).expect("json")).expect("json");
        assert_eq!(decode(&encode(&output)), Ok(from_json));
    }

    #[test]
    fn every_cut_and_every_trailing_byte_is_refused_with_its_place() {
        let bytes = encode(&sample());
        for end in 0..bytes.len() {
            let error = decode(&bytes[..end]).expect_err("a cut output");
            assert!(error.at <= end, "{error} for a cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer).expect_err("trailing").what, "1 bytes follow the end of the output");
    }

    #[test]
    fn a_bad_header_kind_status_flag_or_text_is_named() {
        let good = encode(&sample());
        let with = |at: usize, byte: u8| {
            let mut bytes = good.clone();
            bytes[at] = byte;
            decode(&bytes).expect_err("refused").to_string()
        };
        assert_eq!(with(3, 2), "the header is not that of compact encoding version 1 at byte 0");
        assert_eq!(with(4, 7), "unknown output kind 7 at byte 4");
        assert_eq!(with(9, 4), "unknown status 4 at byte 9");
        assert_eq!(with(10, 0x83), "unknown flags 0x83 at byte 10");
        // The first byte of the first subject, `S`.
        assert_eq!(with(23, 0xff), "a result's subject is not UTF-8 at byte 23");
    }

    #[test]
    fn a_count_the_bytes_cannot_hold_is_refused_before_allocating() {
        let mut bytes = MAGIC.to_vec();
        bytes.push(KIND_OK);
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&bytes).expect_err("refused").what, "4294967295 results cannot fit in the 0 bytes left");
    }
}
