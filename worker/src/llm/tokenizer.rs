//! The LLM tokenizer, built with Hugging Face's `tokenizers` from what a GGUF file says
//! (`tokenizer.ggml.*`): a byte-level BPE over the file's tokens and merges, the
//! pre-tokenizer that `tokenizer.ggml.pre` names, the control tokens as special added
//! tokens, and a byte-level decoder. The reference tests check the ids against llama.cpp.

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{AddedToken, PreTokenizerWrapper};

use crate::WorkerError;

/// GGUF's token types (`tokenizer.ggml.token_type`).
const CONTROL: i32 = 3;
const USER_DEFINED: i32 = 4;

/// Token texts that end a generation besides `eos_token_id`, as llama.cpp recognises
/// them when they are control tokens.
const END_TOKENS: [&str; 4] = ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end|>"];

/// What a GGUF file says about its tokenizer.
#[derive(Clone, Debug)]
pub struct TokenizerSpec {
    /// `tokenizer.ggml.model`: only `gpt2` (byte-level BPE) is supported.
    pub model: String,
    /// `tokenizer.ggml.pre`: the pre-tokenizer's name.
    pub pre: String,
    /// `tokenizer.ggml.tokens`, by id.
    pub tokens: Vec<String>,
    /// `tokenizer.ggml.merges`, `"left right"`, by rank.
    pub merges: Vec<String>,
    /// `tokenizer.ggml.token_type`, by id (empty if absent: all normal).
    pub token_types: Vec<i32>,
    /// `tokenizer.ggml.bos_token_id`.
    pub bos: Option<u32>,
    /// `tokenizer.ggml.eos_token_id`.
    pub eos: Option<u32>,
    /// `tokenizer.ggml.add_bos_token` (false when absent).
    pub add_bos: bool,
}

/// A byte-level BPE tokenizer.
#[derive(Clone, Debug)]
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    ends: Vec<u32>,
    control: Vec<u32>,
    bos: Option<u32>,
    add_bos: bool,
    vocab: usize,
}

impl Tokenizer {
    /// Builds the tokenizer; fails, saying why, for a model or pre-tokenizer it does not
    /// know, or for inconsistent metadata.
    pub fn new(spec: &TokenizerSpec) -> Result<Self, WorkerError> {
        let bad = |why: String| WorkerError::InvalidInput(format!("the GGUF tokenizer: {why}"));
        if spec.model != "gpt2" {
            return Err(bad(format!(
                "tokenizer.ggml.model is `{}`; this worker runs byte-level BPE (`gpt2`) vocabularies",
                spec.model
            )));
        }
        let pre = pre_tokenizer(&spec.pre).ok_or_else(|| {
            bad(format!(
                "pre-tokenizer `{}` is not supported (supported: smollm, gpt2)",
                spec.pre
            ))
        })?;
        if !spec.token_types.is_empty() && spec.token_types.len() != spec.tokens.len() {
            return Err(bad("token_type and tokens differ in length".into()));
        }
        let vocab: Vocab = spec
            .tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let merges = spec
            .merges
            .iter()
            .map(|m| {
                m.split_once(' ')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .ok_or_else(|| bad(format!("merge `{m}` is not two tokens")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let bpe = BPE::builder()
            .vocab_and_merges(vocab, merges)
            .build()
            .map_err(|e| bad(format!("the BPE does not build: {e}")))?;
        let mut inner = tokenizers::Tokenizer::new(bpe);
        inner
            .with_pre_tokenizer(Some(pre))
            .with_decoder(Some(ByteLevelDecoder::default()));
        // A token's id is its index in the vocabulary; added tokens keep those ids.
        let of_type = |kind: i32| {
            spec.token_types
                .iter()
                .enumerate()
                .filter(move |(_, t)| **t == kind)
                .map(|(i, _)| i as u32)
        };
        let text = |id: u32| spec.tokens[id as usize].clone();
        let control: Vec<u32> = of_type(CONTROL).collect();
        let specials: Vec<AddedToken> = control
            .iter()
            .map(|&i| AddedToken::from(text(i), true))
            .collect();
        let user: Vec<AddedToken> = of_type(USER_DEFINED)
            .map(|i| AddedToken::from(text(i), false).normalized(false))
            .collect();
        inner.add_special_tokens(&specials);
        inner.add_tokens(&user);
        let mut ends: Vec<u32> = spec.eos.into_iter().collect();
        ends.extend(
            control
                .iter()
                .copied()
                .filter(|&i| END_TOKENS.contains(&spec.tokens[i as usize].as_str())),
        );
        ends.sort_unstable();
        ends.dedup();
        Ok(Self {
            inner,
            ends,
            control,
            bos: spec.bos,
            add_bos: spec.add_bos,
            vocab: spec.tokens.len(),
        })
    }

    /// The ids of `text`, control tokens written in it (`<|im_start|>`) included as their
    /// ids, with the BOS token first when the model asks for one.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, WorkerError> {
        let enc = self
            .inner
            .encode_fast(text, false)
            .map_err(|e| WorkerError::InvalidInput(format!("cannot tokenize the text: {e}")))?;
        let mut ids = Vec::with_capacity(enc.len() + 1);
        if self.add_bos {
            ids.extend(self.bos);
        }
        ids.extend_from_slice(enc.get_ids());
        Ok(ids)
    }

    /// The text of `ids`, control tokens left out.
    pub fn decode(&self, ids: &[u32]) -> Result<String, WorkerError> {
        self.inner
            .decode(ids, true)
            .map_err(|e| WorkerError::InvalidInput(format!("cannot decode token ids: {e}")))
    }

    /// Whether `id` ends a generation (EOS, or an end-of-turn control token).
    pub fn is_end(&self, id: u32) -> bool {
        self.ends.contains(&id)
    }

    /// Whether `id` is a control token (`<|im_start|>`), which decoding leaves out.
    pub fn is_control(&self, id: u32) -> bool {
        self.control.binary_search(&id).is_ok()
    }

    /// The end-of-generation ids.
    pub fn end_ids(&self) -> &[u32] {
        &self.ends
    }

    /// The vocabulary size.
    pub fn vocab_size(&self) -> usize {
        self.vocab
    }
}

/// The pre-tokenizer llama.cpp applies for `name`: both split text with GPT-2's regex into
/// byte-level words with no prefix space; `smollm` first puts every digit on its own.
fn pre_tokenizer(name: &str) -> Option<PreTokenizerWrapper> {
    let byte_level = ByteLevel::new(false, true, true);
    match name {
        "smollm" => Some(PreTokenizerWrapper::Sequence(Sequence::new(vec![
            PreTokenizerWrapper::Digits(Digits::new(true)),
            PreTokenizerWrapper::ByteLevel(byte_level),
        ]))),
        "gpt2" | "default" => Some(PreTokenizerWrapper::ByteLevel(byte_level)),
        _ => None,
    }
}
