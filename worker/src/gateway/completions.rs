//! `POST /v1/chat/completions` and `POST /v1/completions`: one LLM job per request,
//! answered as one JSON object or, with `stream: true`, as server-sent events in OpenAI's
//! chunk format (a first chunk at once, the verified text once it is final, then `[DONE]`).

use super::*;

/// One generation from parse to answer, shared by chat and completions.
struct Generation {
    endpoint: &'static str,
    object: &'static str,
    chunk_object: &'static str,
    chat: bool,
}

const CHAT: Generation = Generation {
    endpoint: "chat.completions",
    object: "chat.completion",
    chunk_object: "chat.completion.chunk",
    chat: true,
};
const COMPLETION: Generation = Generation {
    endpoint: "completions",
    object: "text_completion",
    chunk_object: "text_completion",
    chat: false,
};

impl Generation {
    fn choice(&self, text: &str, finish: Option<&str>, delta: bool) -> Value {
        match (self.chat, delta) {
            (true, false) => {
                json!({"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish})
            }
            (true, true) => {
                json!({"index": 0, "delta": {"content": text}, "finish_reason": finish})
            }
            (false, _) => {
                json!({"index": 0, "text": text, "logprobs": null, "finish_reason": finish})
            }
        }
    }

    fn id(&self, job: JobId) -> String {
        if self.chat {
            format!("chatcmpl-verinfer-{job}")
        } else {
            format!("cmpl-verinfer-{job}")
        }
    }
}

async fn generate(
    g: Arc<Gateway>,
    kind: &'static Generation,
    name: String,
    request: Result<JobRequest, ApiError>,
    stream: bool,
    mode: Mode,
) -> Result<Response, ApiError> {
    let request = request?;
    let (model, info) = approved(&g, &name).await?;
    if info.spec.family != ModelFamily::Llama {
        return Err(ApiError::invalid(
            "model",
            format!(
                "`{name}` is a {:?} model, not an LLM: use /v1/embeddings or the worker's submit",
                info.spec.family
            ),
        ));
    }
    let id = submit(&g, model, &name, &info, request.to_bytes()).await?;
    let created = now_secs();
    let kind: &'static Generation = kind;
    if !stream {
        let (snapshot, bytes) = settle(&g, id, mode, true).await?;
        let out = JobOutput::parse(&bytes).map_err(|_| bad_output(id))?;
        let reason = openai::finish_reason(out.finish);
        return Ok(Json(json!({
            "id": kind.id(id),
            "object": kind.object,
            "created": created,
            "model": name,
            "choices": [kind.choice(&out.text, Some(reason), false)],
            "usage": usage(&out),
            "verinfer": dapp::proof_json(&snapshot, id),
        }))
        .into_response());
    }
    // Streaming: a first chunk at once, the verified text when it is final, then [DONE].
    let first = if kind.chat {
        json!({"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null})
    } else {
        kind.choice("", None, true)
    };
    let first = chunk(kind, id, created, &name, first);
    let stream = async_stream_events(first, move || async move {
        let mut events = Vec::new();
        match settle(&g, id, mode, true).await {
            Ok((snapshot, bytes)) => match JobOutput::parse(&bytes) {
                Ok(out) => {
                    let reason = openai::finish_reason(out.finish);
                    events.push(chunk(
                        kind,
                        id,
                        created,
                        &name,
                        kind.choice(&out.text, None, true),
                    ));
                    let mut last = chunk(
                        kind,
                        id,
                        created,
                        &name,
                        kind.choice("", Some(reason), true),
                    );
                    last["usage"] = usage(&out);
                    last["verinfer"] = dapp::proof_json(&snapshot, id);
                    events.push(last);
                }
                Err(_) => events.push(error_event(bad_output(id))),
            },
            Err(e) => events.push(error_event(e)),
        }
        events
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// One streamed chunk.
fn chunk(kind: &Generation, id: JobId, created: u64, name: &str, choice: Value) -> Value {
    json!({"id": kind.id(id), "object": kind.chunk_object, "created": created, "model": name, "choices": [choice]})
}

fn error_event(e: ApiError) -> Value {
    json!({"error": {"message": e.message, "type": e.kind, "param": e.param, "code": e.code}})
}

/// Server-sent events: `first`, then what `rest` yields, then `[DONE]`.
fn async_stream_events<F, Fut>(
    first: Value,
    rest: F,
) -> impl futures::Stream<Item = Result<Event, std::convert::Infallible>>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Vec<Value>> + Send + 'static,
{
    use futures::StreamExt;
    let head = futures::stream::once(async move { first });
    let tail = futures::stream::once(rest()).flat_map(futures::stream::iter);
    head.chain(tail)
        .map(|v| Event::default().data(v.to_string()))
        .chain(futures::stream::once(async {
            Event::default().data("[DONE]")
        }))
        .map(Ok)
}

/// The mode (header or body field) and the request, or the first error of the two.
fn with_mode(
    headers: &HeaderMap,
    field: Option<&str>,
    request: Result<JobRequest, ApiError>,
) -> (Mode, Result<JobRequest, ApiError>) {
    match Mode::of(headers, field) {
        Ok(mode) => (mode, request),
        Err(e) => (Mode::Verified, Err(e)),
    }
}

pub(super) async fn chat(
    State(g): State<Arc<Gateway>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let (name, mode, stream, request) = match parse::<ChatRequest>(&body) {
        Ok(r) => {
            let request = r.messages().and_then(|m| r.sampling.request(None, Some(m)));
            let (mode, request) = with_mode(&headers, r.sampling.verinfer_mode.as_deref(), request);
            (r.model, mode, r.sampling.stream, request)
        }
        Err(e) => (String::new(), Mode::Verified, false, Err(e)),
    };
    let result = generate(g.clone(), &CHAT, name.clone(), request, stream, mode).await;
    answered(&g, CHAT.endpoint, &name, mode, started, result)
}

pub(super) async fn completions(
    State(g): State<Arc<Gateway>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let (name, mode, stream, request) = match parse::<CompletionRequest>(&body) {
        Ok(r) => {
            let mut prompts = r.prompt.into_vec();
            let request = if prompts.len() == 1 {
                r.sampling.request(prompts.pop(), None)
            } else {
                Err(ApiError::invalid("prompt", "give one prompt per request"))
            };
            let (mode, request) = with_mode(&headers, r.sampling.verinfer_mode.as_deref(), request);
            (r.model, mode, r.sampling.stream, request)
        }
        Err(e) => (String::new(), Mode::Verified, false, Err(e)),
    };
    let result = generate(g.clone(), &COMPLETION, name.clone(), request, stream, mode).await;
    answered(&g, COMPLETION.endpoint, &name, mode, started, result)
}
