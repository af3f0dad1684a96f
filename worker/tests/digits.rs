//! The digits CNN on real weights and the real sklearn digits: float and integer accuracy,
//! and the integer model's determinism.

mod common;

use common::{models, B};
use verinfer_worker::backend::cpu;
use verinfer_worker::digits::{self, DigitImage, DigitsInt, QuantizedDigits};
use verinfer_worker::{local, InferenceModel};

const FILES: &[&str] = &["handwriting_model.pth", "digits.csv.gz"];

#[test]
fn integer_model_accuracy_is_within_two_points_of_float() {
    let acc = local::digits_accuracy::<B>(&models(FILES), &cpu::device(), 128).unwrap();
    assert_eq!(acc.total, 1797);
    println!(
        "float {:.2} %, int {:.2} %",
        acc.float_percent(),
        acc.int_percent()
    );
    // A numpy float forward pass of the same checkpoint on the same inputs scores 88.4 %.
    assert!(
        acc.float_percent() > 87.0,
        "float accuracy {:.2} %",
        acc.float_percent()
    );
    assert!(
        acc.int_percent() >= acc.float_percent() - 2.0,
        "int {:.2} % vs float {:.2} %",
        acc.int_percent(),
        acc.float_percent()
    );
    // Quantization error flips few predictions; a broken integer path would flip many.
    assert!(
        acc.disagreements * 100 < acc.total * 5,
        "{} of {} predictions differ from float",
        acc.disagreements,
        acc.total
    );
}

#[test]
fn integer_model_is_deterministic_across_runs_and_batch_sizes() {
    let dir = models(FILES);
    let device = cpu::device();
    let data = local::load_digits_data(&dir).unwrap();
    let images: Vec<DigitImage> = data.iter().take(37).map(|d| d.image.clone()).collect();
    let model = local::load_digits_int::<B>(&dir, &device).unwrap();

    let bytes = |outs: &[digits::IntLogits]| {
        outs.iter()
            .flat_map(|o| o.canonical_bytes())
            .collect::<Vec<u8>>()
    };
    let first = model.run_batch(&images).unwrap();
    let second = model.run_batch(&images).unwrap();
    assert_eq!(bytes(&first), bytes(&second), "two runs differ");
    let singles: Vec<_> = images
        .iter()
        .map(|im| model.run(im.clone()).unwrap())
        .collect();
    assert_eq!(
        bytes(&first),
        bytes(&singles),
        "batch differs from one at a time"
    );
    let in_sevens: Vec<_> = images
        .chunks(7)
        .flat_map(|c| model.run_batch(c).unwrap())
        .collect();
    assert_eq!(
        bytes(&first),
        bytes(&in_sevens),
        "batch of 37 differs from batches of 7"
    );

    // Quantizing again from the checkpoint gives the same integer model.
    let again = local::load_digits_int::<B>(&dir, &device).unwrap();
    assert_eq!(model.digest(), again.digest());
}

#[test]
fn pinned_activation_scales_match_a_fresh_calibration() {
    let fresh = local::calibrate_digits::<B>(&models(FILES), &cpu::device()).unwrap();
    let pinned = digits::PINNED_ACTIVATION_SCALES;
    let close = |a: f32, b: f32| ((a - b) / b).abs() < 1e-4;
    for i in 0..3 {
        assert!(
            close(fresh.convs[i], pinned.convs[i]),
            "conv{} scale {} vs pinned {}",
            i + 1,
            fresh.convs[i],
            pinned.convs[i]
        );
    }
    assert!(
        close(fresh.fc1, pinned.fc1),
        "fc1 scale {} vs pinned {}",
        fresh.fc1,
        pinned.fc1
    );
}

#[test]
fn integer_model_uses_only_int8_weights_and_int32_safe_requantization() {
    let dir = models(FILES);
    let float = local::load_digits_float::<B>(&dir, &cpu::device()).unwrap();
    let q = QuantizedDigits::from_float(&float, &digits::PINNED_ACTIVATION_SCALES).unwrap();
    for layer in q.convs.iter().chain([&q.fc1, &q.fc2]) {
        assert!(layer.weights.iter().all(|w| (-127..=127).contains(w)));
        let max_acc: i64 = (0..layer.o)
            .map(|c| {
                (0..layer.k)
                    .map(|r| i64::from(layer.weights[r * layer.o + c].abs()) * 127)
                    .sum::<i64>()
                    + i64::from(layer.bias[c].abs())
            })
            .max()
            .unwrap();
        assert!(max_acc < i64::from(i32::MAX));
        if layer.shift > 0 {
            let shifted_max = max_acc >> layer.pre_shift;
            let m = layer.multiplier.iter().copied().max().unwrap();
            assert!(shifted_max * i64::from(m) + (1 << (layer.shift - 1)) < i64::from(i32::MAX));
        }
    }
    assert!(q.input_lut.iter().all(|x| (-127..=127).contains(x)));
    let _ = DigitsInt::<B>::new(&q, &cpu::device());
}
