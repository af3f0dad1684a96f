//! Inference speed on the CPU backend: batch-1 latency and throughput at batch 1, 8 and 64,
//! for the integer digits model (the registered one), the float digits model (to compare
//! with onnxruntime, which runs the float graph) and all-MiniLM-L6-v2.
//!
//! Inputs: the first sklearn digits; for MiniLM, the fixture sentences in order (cycled),
//! the same ones `worker/reference/bench_onnx.py` feeds onnxruntime.
//! Run: `cargo bench -p verinfer-worker --bench inference` (after scripts/fetch-models.sh),
//! or `scripts/bench-inference.sh` for the comparison with onnxruntime.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde::Deserialize;
use verinfer_worker::backend::cpu::{self, Cpu};
use verinfer_worker::minilm::MiniLm;
use verinfer_worker::models::ModelDir;
use verinfer_worker::{local, InferenceModel};

const BATCHES: [usize; 3] = [1, 8, 64];

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
}

fn models() -> ModelDir {
    let dir = ModelDir::from_env_or_repo();
    if let Err(e) = dir.require(&[
        "handwriting_model.pth",
        "digits.csv.gz",
        "model.safetensors",
        "vocab.txt",
    ]) {
        panic!("{e}\n(run scripts/fetch-models.sh first)");
    }
    dir
}

/// The benchmark sentences: every fixture sentence except the over-long truncation case.
pub fn bench_sentences() -> Vec<String> {
    let f: Fixture =
        serde_json::from_str(include_str!("../tests/fixtures/minilm_reference.json")).unwrap();
    f.cases
        .into_iter()
        .map(|c| c.text)
        .filter(|t| t.len() < 400)
        .collect()
}

fn digits(c: &mut Criterion) {
    let dir = models();
    let device = cpu::device();
    let data = local::load_digits_data(&dir).unwrap();
    let int = local::load_digits_int::<Cpu>(&dir, &device).unwrap();
    let float = local::load_digits_float::<Cpu>(&dir, &device).unwrap();
    for (name, model) in [
        ("digits_int", &int as &dyn Runner),
        ("digits_float", &float as &dyn Runner),
    ] {
        let mut g = c.benchmark_group(name);
        g.sample_size(20)
            .measurement_time(Duration::from_secs(4))
            .warm_up_time(Duration::from_secs(1));
        for b in BATCHES {
            let images: Vec<_> = data.iter().take(b).map(|d| d.image.clone()).collect();
            g.throughput(Throughput::Elements(b as u64));
            g.bench_with_input(BenchmarkId::new("batch", b), &images, |bench, images| {
                bench.iter(|| model.run(images))
            });
        }
        g.finish();
    }
}

fn minilm(c: &mut Criterion) {
    let model = MiniLm::<Cpu>::load(models().path(), &cpu::device()).unwrap();
    let sentences = bench_sentences();
    let mut g = c.benchmark_group("minilm");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(6))
        .warm_up_time(Duration::from_secs(1));
    for b in BATCHES {
        let texts: Vec<String> = sentences.iter().cycle().take(b).cloned().collect();
        g.throughput(Throughput::Elements(b as u64));
        g.bench_with_input(BenchmarkId::new("batch", b), &texts, |bench, texts| {
            bench.iter(|| model.run_batch(texts).unwrap())
        });
    }
    g.finish();
}

/// Both digits models behind one type, so one loop benches them.
trait Runner {
    fn run(&self, images: &[verinfer_worker::digits::DigitImage]) -> usize;
}

impl<M: InferenceModel<Input = verinfer_worker::digits::DigitImage>> Runner for M {
    fn run(&self, images: &[verinfer_worker::digits::DigitImage]) -> usize {
        self.run_batch(images).unwrap().len()
    }
}

criterion_group!(benches, digits, minilm);
criterion_main!(benches);
