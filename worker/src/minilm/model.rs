//! A BERT encoder in burn modules, sized by [`BertConfig`]; all-MiniLM-L6-v2 is 6 layers,
//! hidden 384, 12 heads, GELU, LayerNorm ε = 1e-12, 512 positions.

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::gelu;
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;

/// BERT hyper-parameters.
#[derive(Config, Debug)]
pub struct BertConfig {
    /// Vocabulary size.
    #[config(default = 30522)]
    pub vocab_size: usize,
    /// Width of the hidden states.
    #[config(default = 384)]
    pub hidden: usize,
    /// Encoder layers.
    #[config(default = 6)]
    pub layers: usize,
    /// Attention heads per layer.
    #[config(default = 12)]
    pub heads: usize,
    /// Width of the feed-forward inner layer.
    #[config(default = 1536)]
    pub intermediate: usize,
    /// Learned absolute positions.
    #[config(default = 512)]
    pub max_positions: usize,
    /// Segment (token type) embeddings.
    #[config(default = 2)]
    pub type_vocab_size: usize,
    /// LayerNorm epsilon.
    #[config(default = 1e-12)]
    pub layer_norm_eps: f64,
}

/// Word + position + segment embeddings, then LayerNorm.
#[derive(Module, Debug)]
pub struct Embeddings<B: Backend> {
    word: Embedding<B>,
    position: Embedding<B>,
    token_type: Embedding<B>,
    norm: LayerNorm<B>,
}

/// One post-LayerNorm transformer layer.
#[derive(Module, Debug)]
pub struct EncoderLayer<B: Backend> {
    query: Linear<B>,
    key: Linear<B>,
    value: Linear<B>,
    attn_out: Linear<B>,
    attn_norm: LayerNorm<B>,
    ffn_in: Linear<B>,
    ffn_out: Linear<B>,
    ffn_norm: LayerNorm<B>,
    #[module(skip)]
    heads: usize,
}

/// The encoder: embeddings then the layers. BERT's pooler is not used by sentence
/// embeddings and is not loaded.
#[derive(Module, Debug)]
pub struct Bert<B: Backend> {
    embeddings: Embeddings<B>,
    layers: Vec<EncoderLayer<B>>,
}

impl BertConfig {
    /// Modules with placeholder weights, to be overwritten by the loader.
    pub fn init<B: Backend>(&self, device: &B::Device) -> Bert<B> {
        let norm = || {
            LayerNormConfig::new(self.hidden)
                .with_epsilon(self.layer_norm_eps)
                .init(device)
        };
        let linear = |i, o| LinearConfig::new(i, o).init(device);
        Bert {
            embeddings: Embeddings {
                word: EmbeddingConfig::new(self.vocab_size, self.hidden).init(device),
                position: EmbeddingConfig::new(self.max_positions, self.hidden).init(device),
                token_type: EmbeddingConfig::new(self.type_vocab_size, self.hidden).init(device),
                norm: norm(),
            },
            layers: (0..self.layers)
                .map(|_| EncoderLayer {
                    query: linear(self.hidden, self.hidden),
                    key: linear(self.hidden, self.hidden),
                    value: linear(self.hidden, self.hidden),
                    attn_out: linear(self.hidden, self.hidden),
                    attn_norm: norm(),
                    ffn_in: linear(self.hidden, self.intermediate),
                    ffn_out: linear(self.intermediate, self.hidden),
                    ffn_norm: norm(),
                    heads: self.heads,
                })
                .collect(),
        }
    }
}

impl<B: Backend> EncoderLayer<B> {
    /// `x`: `[batch, seq, hidden]`; `pad_mask`: `[batch, heads, seq, seq]`, true where the
    /// key is padding.
    fn forward(&self, x: Tensor<B, 3>, pad_mask: Tensor<B, 4, Bool>) -> Tensor<B, 3> {
        let [b, s, h] = x.dims();
        let d = h / self.heads;
        let split = |t: Tensor<B, 3>| t.reshape([b, s, self.heads, d]).swap_dims(1, 2);
        let q = split(self.query.forward(x.clone()));
        let k = split(self.key.forward(x.clone()));
        let v = split(self.value.forward(x.clone()));
        // Default scale is 1/sqrt(head_dim), as in BERT.
        let ctx = attention(
            q,
            k,
            v,
            Some(pad_mask),
            None,
            AttentionModuleOptions::default(),
        );
        let ctx = ctx.swap_dims(1, 2).reshape([b, s, h]);
        let x = self.attn_norm.forward(self.attn_out.forward(ctx) + x);
        let ffn = self.ffn_out.forward(gelu(self.ffn_in.forward(x.clone())));
        self.ffn_norm.forward(ffn + x)
    }
}

impl<B: Backend> Bert<B> {
    /// Hidden states `[batch, seq, hidden]` for `ids` `[batch, seq]`; `mask` is 1 for real
    /// tokens and 0 for padding.
    pub fn forward(&self, ids: Tensor<B, 2, Int>, mask: Tensor<B, 2, Int>) -> Tensor<B, 3> {
        let [b, s] = ids.dims();
        let device = ids.device();
        let positions = Tensor::<B, 1, Int>::arange(0..s as i64, &device)
            .reshape([1, s])
            .expand([b, s]);
        let e = &self.embeddings;
        let x = e.word.forward(ids.clone())
            + e.position.forward(positions)
            + e.token_type.forward(ids.zeros_like());
        let mut x = e.norm.forward(x);
        let heads = self.layers.first().map_or(1, |l| l.heads);
        let pad_mask = mask
            .equal_elem(0)
            .reshape([b, 1, 1, s])
            .expand([b, heads, s, s]);
        for layer in &self.layers {
            x = layer.forward(x, pad_mask.clone());
        }
        x
    }
}
