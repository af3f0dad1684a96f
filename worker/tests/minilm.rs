//! all-MiniLM-L6-v2 on real weights, checked against an independent numpy forward pass and
//! Hugging Face's tokenizer (worker/reference/minilm_ref.py wrote the fixture).

mod common;

use common::{models, B};
use serde::Deserialize;
use verinfer_worker::backend::cpu;
use verinfer_worker::minilm::{MiniLm, EMBEDDING_DIM};
use verinfer_worker::InferenceModel;

const FILES: &[&str] = &["model.safetensors", "vocab.txt"];

#[derive(Deserialize)]
struct Fixture {
    max_tokens: usize,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn fixture() -> Fixture {
    serde_json::from_str(include_str!("fixtures/minilm_reference.json")).unwrap()
}

fn model() -> MiniLm<B> {
    MiniLm::load(models(FILES).path(), &cpu::device()).unwrap()
}

#[test]
fn tokenizer_matches_hugging_face() {
    let f = fixture();
    assert_eq!(f.max_tokens, verinfer_worker::minilm::MAX_TOKENS);
    let m = model();
    for c in &f.cases {
        assert_eq!(
            m.tokenizer().encode(&c.text).unwrap(),
            c.ids,
            "token ids differ for {:?}",
            c.text
        );
    }
}

#[test]
fn embeddings_match_the_numpy_reference() {
    let f = fixture();
    assert!(f.cases.len() >= 20);
    let m = model();
    let mut worst = 1.0f64;
    for c in &f.cases {
        let e = m.run(c.text.clone()).unwrap();
        assert_eq!(e.0.len(), EMBEDDING_DIM);
        let cos = e.cosine(&c.embedding);
        worst = worst.min(cos);
        assert!(cos >= 0.9999, "cosine {cos} for {:?}", c.text);
        let norm: f32 = e.0.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4);
    }
    println!(
        "min cosine vs numpy reference over {} sentences: {worst:.8}",
        f.cases.len()
    );
}

#[test]
fn batch_matches_single() {
    let f = fixture();
    let m = model();
    // Very different lengths, so the batch carries a lot of padding.
    let texts: Vec<String> = f
        .cases
        .iter()
        .take(12)
        .map(|c| c.text.clone())
        .chain([f.cases.last().unwrap().text.clone()])
        .collect();
    let batch = m.run_batch(&texts).unwrap();
    assert_eq!(batch.len(), texts.len());
    let mut worst = 0.0f32;
    for (t, b) in texts.iter().zip(&batch) {
        let single = m.run(t.clone()).unwrap();
        let d = single.max_abs_diff(&b.0);
        worst = worst.max(d);
        assert!(d < 1e-5, "batch vs single max abs diff {d} for {t:?}");
        assert!(single.cosine(&b.0) > 0.999_999);
    }
    println!("batch vs single: max abs diff {worst:e}");
}

#[test]
fn similar_sentences_are_closer_than_unrelated_ones() {
    let m = model();
    let e = m
        .run_batch(&[
            "A man is playing a guitar.".into(),
            "Someone plays an instrument.".into(),
            "The stock market fell sharply today.".into(),
        ])
        .unwrap();
    assert!(e[0].cosine(&e[1].0) > e[0].cosine(&e[2].0) + 0.2);
}
