//! BERT WordPiece tokenization (uncased) with Hugging Face's `tokenizers`: the same
//! normalizer, pre-tokenizer, WordPiece model and `[CLS] … [SEP]` post-processor that
//! `BertWordPieceTokenizer` builds over MiniLM's `vocab.txt`. The integration test checks
//! the ids against the reference fixture.

use std::path::Path;

use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{TruncationParams, TruncationStrategy};

use crate::WorkerError;

/// A WordPiece tokenizer over a BERT `vocab.txt`.
#[derive(Clone, Debug)]
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    pad: u32,
}

impl Tokenizer {
    /// Loads `vocab.txt` (one token a line; the line number is the id). `max_tokens`
    /// includes `[CLS]` and `[SEP]`: longer texts are truncated.
    pub fn from_file(path: &Path, max_tokens: usize) -> Result<Self, WorkerError> {
        if !path.is_file() {
            return Err(WorkerError::MissingFile {
                path: path.to_owned(),
            });
        }
        let bad = |reason: String| WorkerError::BadFile {
            path: path.to_owned(),
            reason,
        };
        if max_tokens < 2 {
            return Err(WorkerError::InvalidInput(
                "max_tokens must leave room for [CLS] and [SEP]".into(),
            ));
        }
        let vocab = path
            .to_str()
            .ok_or_else(|| bad("the path is not UTF-8".into()))?;
        let model = WordPiece::from_file(vocab)
            .unk_token("[UNK]".into())
            .build()
            .map_err(|e| bad(format!("not a WordPiece vocabulary: {e}")))?;
        let mut inner = tokenizers::Tokenizer::new(model);
        let id = |t: &str| {
            inner
                .token_to_id(t)
                .ok_or_else(|| bad(format!("the vocabulary has no {t} token")))
        };
        let (cls, sep, pad) = (id("[CLS]")?, id("[SEP]")?, id("[PAD]")?);
        id("[UNK]")?;
        inner
            .with_normalizer(Some(BertNormalizer::default()))
            .with_pre_tokenizer(Some(BertPreTokenizer))
            .with_post_processor(Some(BertProcessing::new(
                ("[SEP]".into(), sep),
                ("[CLS]".into(), cls),
            )))
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                strategy: TruncationStrategy::LongestFirst,
                ..Default::default()
            }))
            .map_err(|e| bad(format!("bad truncation settings: {e}")))?;
        Ok(Self { inner, pad })
    }

    /// The id used to pad batches.
    pub fn pad_id(&self) -> u32 {
        self.pad
    }

    /// Token ids for `text`, with `[CLS]` and `[SEP]`, at most `max_tokens` long.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, WorkerError> {
        let encoding = self
            .inner
            .encode_fast(text, true)
            .map_err(|e| WorkerError::InvalidInput(format!("cannot tokenize the text: {e}")))?;
        Ok(encoding.get_ids().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(dir: &Path) -> Tokenizer {
        let vocab = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "hello", ",", "!", "cafe",
            "北",
        ];
        let path = dir.join("vocab.txt");
        std::fs::write(&path, vocab.join("\n")).unwrap();
        Tokenizer::from_file(&path, 8).unwrap()
    }

    #[test]
    fn word_piece_normalization_and_specials() {
        let dir = std::env::temp_dir().join(format!("verinfer-vocab-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let t = tiny(&dir);
        assert_eq!(
            t.encode("Unaffable, hello!").unwrap(),
            [2, 4, 5, 6, 8, 7, 9, 3]
        );
        // "unx" has no full segmentation: the whole word is [UNK]; accents are stripped
        // and CJK ideographs are words of their own.
        assert_eq!(t.encode("unx Café\u{200b} 北").unwrap(), [2, 1, 10, 11, 3]);
        // Truncation keeps [SEP] and the total at max_tokens.
        let long = t.encode(&["hello"; 8].join(" ")).unwrap();
        assert_eq!((long.len(), long.last()), (8, Some(&3)));
        assert!(matches!(
            Tokenizer::from_file(&dir.join("missing.txt"), 8),
            Err(WorkerError::MissingFile { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
