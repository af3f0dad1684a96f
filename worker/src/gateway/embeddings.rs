//! `POST /v1/embeddings`: one job per input text, submitted together, answered once all
//! are settled, as floats or as OpenAI's base64 of little-endian f32s.

use super::*;

pub(super) async fn embeddings(
    State(g): State<Arc<Gateway>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let parsed: Result<EmbeddingRequest, ApiError> = parse(&body);
    let name = parsed.as_ref().map_or(String::new(), |r| r.model.clone());
    let mut mode = Mode::Verified;
    let result = async {
        let r = parsed?;
        mode = Mode::of(&headers, r.verinfer_mode.as_deref())?;
        let base64 = match r.encoding_format.as_deref() {
            None | Some("float") => false,
            Some("base64") => true,
            Some(other) => {
                return Err(ApiError::invalid(
                    "encoding_format",
                    format!("`{other}` is not `float` or `base64`"),
                ))
            }
        };
        let inputs = r.input.into_vec();
        if inputs.is_empty() || inputs.len() > 64 || inputs.iter().any(String::is_empty) {
            return Err(ApiError::invalid("input", "give 1 to 64 non-empty texts"));
        }
        let (model, info) = approved(&g, &name).await?;
        if info.spec.output.element != verinfer_primitives::ElementType::F32 {
            return Err(ApiError::invalid(
                "model",
                format!("`{name}` does not return embeddings: use an embedding model such as all-MiniLM-L6-v2"),
            ));
        }
        // Submitted together: each waits for its own inclusion, and the nonces are counted
        // locally, so they do not queue behind each other.
        let ids = futures::future::try_join_all(
            inputs
                .iter()
                .map(|text| submit(&g, model, &name, &info, text.as_bytes().to_vec())),
        )
        .await?;
        let settled = futures::future::join_all(ids.iter().map(|&id| settle(&g, id, mode, false))).await;
        let mut data = Vec::new();
        let mut proofs = Vec::new();
        for (i, (id, s)) in ids.iter().zip(settled).enumerate() {
            let (snapshot, bytes) = s?;
            let vector = verinfer_primitives::decode_f32s(&bytes).ok_or_else(|| bad_output(*id))?;
            // base64 of the little-endian f32s, which the output bytes already are.
            let embedding = if base64 {
                use base64::Engine as _;
                json!(base64::engine::general_purpose::STANDARD.encode(&bytes))
            } else {
                json!(vector)
            };
            data.push(json!({"object": "embedding", "index": i, "embedding": embedding}));
            proofs.push(dapp::proof_json(&snapshot, *id));
        }
        let tokens: usize = match &g.wordpiece {
            Some(t) => inputs
                .iter()
                .map(|s| t.encode(s).map_or(0, |ids| ids.len()))
                .sum(),
            None => 0,
        };
        Ok(Json(json!({
            "object": "list",
            "data": data,
            "model": name,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            "verinfer": {"jobs": proofs},
        }))
        .into_response())
    }
    .await;
    answered(&g, "embeddings", &name, mode, started, result)
}
