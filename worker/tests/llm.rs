//! The Llama family against references that nobody on this project wrote the numerics of:
//! llama.cpp (its tokenizer, chat template handling and greedy decoding) and a float numpy
//! forward over the same dequantized weights. `scripts/llm-reference.sh` produced the
//! fixtures once; the same tests run SmolLM2-135M-Instruct and a tiny second llama GGUF
//! with its own shape, weights and vocabulary, through the same code.
//!
//! Numerics and tolerances:
//! - we compute f32 activations over f32 weights, as the numpy reference does. Greedy
//!   tokens must equal numpy's; a step may differ only where numpy's top-2 margin is below
//!   [`NUMPY_TIE`] (a tie to f32 rounding), and then the rest of that sequence is not
//!   compared;
//! - llama.cpp rounds activations to 8 bits for its quantized dot products, so its logits
//!   differ from ours by a few tenths. A divergence from llama.cpp is allowed only where
//!   llama.cpp's top-2 margin is below [`LLAMA_CPP_TIE`]; each one is printed;
//! - teacher-forced logits at numpy's top-5 ids must agree within [`LOGIT_TOLERANCE`].

mod common;

use std::path::{Path, PathBuf};

use common::B;
use serde_json::Value;
use verinfer_primitives::SamplingParams;
use verinfer_worker::backend::cpu;
use verinfer_worker::llm::{generate, LlmModel, Message, Request};

/// The largest numpy top-2 margin at which our greedy token may differ from numpy's.
const NUMPY_TIE: f64 = 1e-3;
/// The largest llama.cpp top-2 margin at which our greedy token may differ from its.
const LLAMA_CPP_TIE: f64 = 0.5;
/// The most a teacher-forced logit may differ from numpy's.
const LOGIT_TOLERANCE: f64 = 5e-4;
/// Sequences decoded together in the greedy tests (batching is part of what is tested).
const BATCH: usize = 8;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (scripts/llm-reference.sh writes it)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

fn ids(v: &Value) -> Vec<u32> {
    serde_json::from_value(v.clone()).expect("an array of token ids")
}

fn smollm2_path() -> PathBuf {
    common::models(&["SmolLM2-135M-Instruct.Q4_1.gguf"])
        .path()
        .join("SmolLM2-135M-Instruct.Q4_1.gguf")
}

fn tiny_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-llama.gguf")
}

fn load(path: &Path) -> LlmModel<B> {
    LlmModel::load(path, &cpu::device()).unwrap()
}

/// Our ids equal llama.cpp's on every string, and decode back to llama.cpp's text.
fn check_tokenizer(model: &LlmModel<B>, cases: &Value) {
    let cases = cases.as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        let text = c["text"].as_str().unwrap();
        let expected = ids(&c["ids"]);
        assert_eq!(
            model.tokenizer.encode(text).unwrap(),
            expected,
            "ids of {text:?}"
        );
        let has_control = expected.iter().any(|&t| model.tokenizer.is_control(t));
        if !has_control {
            let back = model.tokenizer.decode(&expected).unwrap();
            assert_eq!(back, c["detokenized"].as_str().unwrap(), "text of {text:?}");
        }
    }
}

/// Greedy decoding of every case, `BATCH` sequences at a time, against numpy token for
/// token and against llama.cpp up to near-ties. Returns the llama.cpp divergences.
fn check_greedy(model: &LlmModel<B>, cases: &[Value], stop_ids: &[u32]) -> Vec<String> {
    let mut divergences = Vec::new();
    for chunk in cases.chunks(BATCH) {
        let steps = chunk
            .iter()
            .map(|c| {
                c["llama_cpp"]["ids"]
                    .as_array()
                    .unwrap()
                    .len()
                    .max(c["numpy"]["ids"].as_array().unwrap().len())
            })
            .max()
            .unwrap();
        let requests: Vec<Request> = chunk
            .iter()
            .map(|c| Request {
                prompt: ids(&c["prompt_ids"]),
                max_tokens: steps,
                sampling: SamplingParams::GREEDY,
                stop: Vec::new(),
                seed: [0; 32],
            })
            .collect();
        let out = model.generate(&requests).unwrap();
        for (c, g) in chunk.iter().zip(out) {
            let name = c["name"].as_str().unwrap();
            // The references stop at their EOS id only; we stop at every end token.
            let ours: Vec<u32> = g.ids;
            if let Some(last) = ours.last() {
                if ours.len() < steps {
                    assert!(
                        model.tokenizer.is_end(*last),
                        "{name}: stopped early without an end token"
                    );
                }
            }
            let compare = |reference: &str, tie: f64| -> Option<(usize, f64)> {
                let want = ids(&c[reference]["ids"]);
                let margins: Vec<f64> =
                    serde_json::from_value(c[reference]["margins"].clone()).unwrap();
                for (step, (a, b)) in ours.iter().zip(&want).enumerate() {
                    if a != b {
                        let m = margins[step];
                        assert!(
                            m < tie,
                            "{name}: step {step} gives {a} where {reference} gives {b} at a top-2 margin of {m} (allowed below {tie})"
                        );
                        return Some((step, m));
                    }
                    if stop_ids.contains(b) {
                        break;
                    }
                }
                let n = ours.len().min(want.len());
                if n < want.len() && ours.len() < steps {
                    // We ended at an end token the reference does not stop at.
                    assert!(model.tokenizer.is_end(ours[n - 1]), "{name}: ended early");
                }
                None
            };
            assert_eq!(
                compare("numpy", NUMPY_TIE),
                None,
                "{name}: differs from the numpy reference"
            );
            if let Some((step, m)) = compare("llama_cpp", LLAMA_CPP_TIE) {
                divergences.push(format!("{name}: step {step}, llama.cpp margin {m:.4}"));
            }
        }
    }
    for d in &divergences {
        eprintln!("diverges from llama.cpp at a near-tie: {d}");
    }
    divergences
}

/// Teacher-forced logits over prompt + llama.cpp's tokens against numpy's at its top 5.
fn check_teacher_forced(model: &LlmModel<B>, cases: &[Value]) -> f64 {
    let vocab = model.llama.params().vocab;
    let mut worst = 0.0f64;
    for c in cases {
        let prompt = ids(&c["prompt_ids"]);
        let generated = ids(&c["llama_cpp"]["ids"]);
        let all = [prompt.clone(), generated.clone()].concat();
        let logits = generate::prefill_logits(&model.llama, &all[..all.len() - 1]).unwrap();
        let reference = c["numpy_teacher_forced"]["top5"].as_array().unwrap();
        for (step, top) in reference.iter().enumerate() {
            let row = &logits[(prompt.len() - 1 + step) * vocab..][..vocab];
            for pair in top.as_array().unwrap() {
                let (id, want) = (
                    pair[0].as_u64().unwrap() as usize,
                    pair[1].as_f64().unwrap(),
                );
                worst = worst.max((f64::from(row[id]) - want).abs());
            }
        }
    }
    assert!(
        worst <= LOGIT_TOLERANCE,
        "teacher-forced logits differ from numpy by {worst}"
    );
    eprintln!("teacher-forced logits: largest difference from numpy {worst:.2e}");
    worst
}

#[test]
fn smollm2_tokenizer_matches_llama_cpp() {
    let model = load(&smollm2_path());
    let f = fixture("smollm2_tokenizer.json");
    assert!(f["cases"].as_array().unwrap().len() >= 30);
    check_tokenizer(&model, &f["cases"]);
}

#[test]
fn smollm2_chat_template_matches_jinja2() {
    let model = load(&smollm2_path());
    let f = fixture("smollm2_chat.json");
    let template = model
        .template
        .as_ref()
        .expect("SmolLM2 has a chat template");
    for c in f["cases"].as_array().unwrap() {
        let messages: Vec<Message> = serde_json::from_value(c["messages"].clone()).unwrap();
        let want = c["jinja2"].as_str().unwrap();
        assert_eq!(template.render(&messages).unwrap(), want);
    }
    let one = template.render(&[Message::user("Hi")]).unwrap();
    assert!(
        one.starts_with("<|im_start|>system\n"),
        "the default system prompt: {one}"
    );
    assert!(one.ends_with("<|im_start|>assistant\n"));
}

#[test]
fn smollm2_greedy_matches_numpy_and_llama_cpp() {
    let model = load(&smollm2_path());
    let f = fixture("smollm2_greedy.json");
    let cases = f["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    assert!(cases.iter().any(|c| c["kind"] == "chat") && cases.iter().any(|c| c["kind"] == "raw"));
    let stop = ids(&f["stop_ids"]);
    let divergences = check_greedy(&model, cases, &stop);
    eprintln!(
        "{} of {} prompts diverge from llama.cpp, each at a near-tie",
        divergences.len(),
        cases.len()
    );
    check_teacher_forced(&model, cases);
}

#[test]
fn a_second_llama_gguf_runs_with_no_code_of_its_own() {
    let model = load(&tiny_path());
    let p = model.llama.params();
    assert_ne!(
        (p.blocks, p.embedding),
        (30, 576),
        "the tiny model has a shape of its own"
    );
    let f = fixture("tiny_llama_reference.json");
    check_tokenizer(&model, &f["tokenizer_cases"]);
    let template = model
        .template
        .as_ref()
        .expect("the tiny model has a chat template");
    for c in f["chat_cases"].as_array().unwrap() {
        let messages: Vec<Message> = serde_json::from_value(c["messages"].clone()).unwrap();
        assert_eq!(
            template.render(&messages).unwrap(),
            c["jinja2"].as_str().unwrap()
        );
    }
    let cases = f["cases"].as_array().unwrap();
    let stop = ids(&f["stop_ids"]);
    check_greedy(&model, cases, &stop);
    check_teacher_forced(&model, cases);
}

#[test]
fn seeded_sampling_replays_and_an_auditor_recomputes_every_choice() {
    let model = load(&tiny_path());
    let prompt = model.tokenizer.encode("The quick brown fox").unwrap();
    let request = |seed: u8| Request {
        prompt: prompt.clone(),
        max_tokens: 24,
        sampling: SamplingParams {
            temperature: 0.9,
            top_k: 40,
            top_p: 0.95,
        },
        stop: Vec::new(),
        seed: [seed; 32],
    };
    let a = model.generate(&[request(1)]).unwrap().remove(0);
    let again = model.generate(&[request(1), request(2)]).unwrap();
    assert_eq!(
        (&again[0].ids, &again[0].text, again[0].finish),
        (&a.ids, &a.text, a.finish),
        "the same seed gives the same tokens, batched or not"
    );
    assert_ne!(again[1].ids, a.ids, "another seed gives other tokens");
    let all = [prompt.clone(), a.ids.clone()].concat();
    let steps = generate::audit_steps(
        &model.llama,
        &all,
        prompt.len(),
        &request(1).sampling,
        &[1; 32],
    )
    .unwrap();
    assert_eq!(steps.len(), a.ids.len());
    for (s, margin) in steps.iter().zip(&a.margins) {
        assert_eq!(
            s.choice, s.token,
            "position {}: the prefill recomputes the sampled token",
            s.pos
        );
        assert!(
            (s.margin - margin).abs() < 1e-3,
            "position {}: margin {} vs {margin}",
            s.pos,
            s.margin
        );
    }
}

#[test]
fn stop_sequences_and_max_tokens_end_a_generation() {
    let model = load(&tiny_path());
    let prompt = model
        .tokenizer
        .encode("Once upon a time there was")
        .unwrap();
    let greedy = |max_tokens: usize, stop: Vec<String>| {
        model
            .generate(&[Request {
                prompt: prompt.clone(),
                max_tokens,
                sampling: SamplingParams::GREEDY,
                stop,
                seed: [0; 32],
            }])
            .unwrap()
            .remove(0)
    };
    let full = greedy(16, Vec::new());
    if full.finish == generate::Finish::Length {
        assert_eq!(full.ids.len(), 16);
    }
    // Stop at the text of the third generated token: the generation ends right there.
    let third = model.tokenizer.decode(&full.ids[..3]).unwrap();
    let cut = model.tokenizer.decode(&full.ids[..2]).unwrap();
    let stop = third
        .strip_prefix(cut.as_str())
        .unwrap_or_default()
        .to_string();
    if !stop.trim().is_empty() && !cut.contains(stop.as_str()) {
        let stopped = greedy(16, vec![stop.clone()]);
        assert_eq!(stopped.finish, generate::Finish::Stop);
        assert!(stopped.ids.len() <= 3 && stopped.ids[..] == full.ids[..stopped.ids.len()]);
        assert!(!stopped.text.contains(stop.as_str()));
    }
    let short = greedy(2, Vec::new());
    assert!(short.ids.len() <= 2);
}

#[test]
fn unsupported_files_are_refused_with_the_reason() {
    let dir = std::env::temp_dir().join(format!("verinfer-llm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.gguf");
    std::fs::write(&junk, b"not a gguf file at all").unwrap();
    let err = LlmModel::<B>::load(&junk, &cpu::device())
        .unwrap_err()
        .to_string();
    assert!(err.contains("GGUF"), "{err}");
    let missing = LlmModel::<B>::load(&dir.join("missing.gguf"), &cpu::device()).unwrap_err();
    assert!(missing.to_string().contains("fetch-models"), "{missing}");
    std::fs::remove_dir_all(&dir).unwrap();
}
