//! BERT WordPiece tokenization (uncased), matching Hugging Face's `BertWordPieceTokenizer`
//! (`tokenizers`' BertNormalizer, BertPreTokenizer and WordPiece model) on the same
//! `vocab.txt`. The integration test checks the ids against that implementation.
//!
//! Steps:
//! 1. clean: drop NUL, U+FFFD and control/format characters; every whitespace → space;
//! 2. put spaces around CJK ideographs, so each becomes its own word;
//! 3. strip accents: Unicode NFD, then drop non-spacing marks (é → e);
//! 4. lowercase;
//! 5. split on whitespace, and split every punctuation character off as its own word;
//! 6. WordPiece: greedy longest match from the left, continuation pieces prefixed `##`,
//!    a word with no full segmentation (or over 100 characters) becomes `[UNK]`;
//! 7. `[CLS]` … `[SEP]`, truncating the pieces so the total fits `max_tokens`.

use std::collections::HashMap;
use std::path::Path;

use unicode_categories::UnicodeCategories;
use unicode_normalization::UnicodeNormalization;

use crate::WorkerError;

/// Words longer than this (in chars) are `[UNK]`, as in BERT.
const MAX_WORD_CHARS: usize = 100;

/// A WordPiece tokenizer over a BERT `vocab.txt`.
#[derive(Clone, Debug)]
pub struct Tokenizer {
    vocab: HashMap<String, u32>,
    cls: u32,
    sep: u32,
    unk: u32,
    pad: u32,
    max_tokens: usize,
}

impl Tokenizer {
    /// Loads `vocab.txt` (one token a line; the line number is the id). `max_tokens`
    /// includes `[CLS]` and `[SEP]`.
    pub fn from_file(path: &Path, max_tokens: usize) -> Result<Self, WorkerError> {
        let text = std::fs::read_to_string(path).map_err(|_| WorkerError::MissingFile {
            path: path.to_owned(),
        })?;
        let vocab: HashMap<String, u32> = text
            .lines()
            .enumerate()
            .map(|(i, t)| (t.to_owned(), i as u32))
            .collect();
        let id = |t: &str| {
            vocab.get(t).copied().ok_or_else(|| WorkerError::BadFile {
                path: path.to_owned(),
                reason: format!("the vocabulary has no {t} token"),
            })
        };
        if max_tokens < 2 {
            return Err(WorkerError::InvalidInput(
                "max_tokens must leave room for [CLS] and [SEP]".into(),
            ));
        }
        Ok(Self {
            cls: id("[CLS]")?,
            sep: id("[SEP]")?,
            unk: id("[UNK]")?,
            pad: id("[PAD]")?,
            vocab,
            max_tokens,
        })
    }

    /// The id used to pad batches.
    pub fn pad_id(&self) -> u32 {
        self.pad
    }

    /// Token ids for `text`, with `[CLS]` and `[SEP]`, at most `max_tokens` long.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = vec![self.cls];
        'words: for word in pre_tokenize(&normalize(text)) {
            for id in self.word_piece(&word) {
                if ids.len() == self.max_tokens - 1 {
                    break 'words;
                }
                ids.push(id);
            }
        }
        ids.push(self.sep);
        ids
    }

    fn word_piece(&self, word: &str) -> Vec<u32> {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() > MAX_WORD_CHARS {
            return vec![self.unk];
        }
        let mut pieces = Vec::new();
        let mut start = 0; // index into `chars`
        while start < chars.len() {
            let mut end = chars.len();
            let found = loop {
                if end == start {
                    break None;
                }
                let from = chars[start].0;
                let to = chars.get(end).map_or(word.len(), |c| c.0);
                let piece = &word[from..to];
                let hit = if start == 0 {
                    self.vocab.get(piece)
                } else {
                    self.vocab.get(&format!("##{piece}"))
                };
                if let Some(&id) = hit {
                    break Some(id);
                }
                end -= 1;
            };
            match found {
                Some(id) => pieces.push(id),
                None => return vec![self.unk],
            }
            start = end;
        }
        pieces
    }
}

/// Steps 1–4 of the module doc.
fn normalize(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            cleaned.push(' ');
        } else if is_cjk(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    let stripped: String = cleaned.nfd().filter(|c| !c.is_mark_nonspacing()).collect();
    // `str::to_lowercase`, not per-char, so that context rules (final sigma) match HF's.
    stripped.to_lowercase()
}

/// Step 5: whitespace-separated words, with each punctuation character a word of its own.
fn pre_tokenize(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for chunk in text.split(is_whitespace).filter(|w| !w.is_empty()) {
        let mut current = String::new();
        for c in chunk.chars() {
            if is_punctuation(c) {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                words.push(c.to_string());
            } else {
                current.push(c);
            }
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// Control and format characters (Unicode C*), except the whitespace controls.
fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.is_other()
}

/// ASCII punctuation (which includes symbols such as `$`, `+`, `^`) and Unicode P*.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.is_punctuation()
}

/// The CJK Unified Ideographs blocks, as BERT defines them (not Hangul or kana).
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B920..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Tokenizer {
        let vocab = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "hello", ",", "!", "cafe",
            "北",
        ];
        let vocab = vocab
            .iter()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i as u32))
            .collect();
        Tokenizer {
            vocab,
            pad: 0,
            unk: 1,
            cls: 2,
            sep: 3,
            max_tokens: 8,
        }
    }

    #[test]
    fn normalizes_and_splits() {
        assert_eq!(normalize("Café\u{200b}\tX"), "cafe x");
        assert_eq!(pre_tokenize("hello, world!"), ["hello", ",", "world", "!"]);
        assert_eq!(normalize("北京"), " 北  京 ");
    }

    #[test]
    fn word_piece_and_specials() {
        let t = tiny();
        assert_eq!(t.encode("Unaffable, hello!"), [2, 4, 5, 6, 8, 7, 9, 3]);
        // "unx" has no full segmentation: the whole word is [UNK].
        assert_eq!(t.encode("unx café 北"), [2, 1, 10, 11, 3]);
        // Truncation keeps [SEP] and the total at max_tokens.
        assert_eq!(
            t.encode("hello hello hello hello hello hello hello hello")
                .len(),
            8
        );
    }
}
