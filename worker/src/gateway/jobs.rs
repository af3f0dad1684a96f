//! The job endpoints the web page uses: `POST /v1/jobs` (any approved model, raw input),
//! `GET /v1/jobs/{id}` (the proof object and the decoded result) and
//! `GET /v1/jobs/{id}/events` (the job's phases as server-sent events).

use super::*;

/// `POST /v1/jobs`: any approved model, with its input as `text` or `input` (hex bytes);
/// answers the job id at once. `/v1/jobs/{id}/events` then follows it.
#[derive(serde::Deserialize)]
struct RawJob {
    model: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    input: Option<String>,
}

pub(super) async fn post_job(State(g): State<Arc<Gateway>>, body: Bytes) -> Response {
    let started = Instant::now();
    let parsed: Result<RawJob, ApiError> = parse(&body);
    let name = parsed.as_ref().map_or(String::new(), |r| r.model.clone());
    let result = async {
        let r = parsed?;
        let input = match (r.text, r.input) {
            (Some(t), None) => t.into_bytes(),
            (None, Some(h)) => hex::decode(h.trim_start_matches("0x"))
                .map_err(|e| ApiError::invalid("input", format!("not hex: {e}")))?,
            _ => {
                return Err(ApiError::invalid(
                    "input",
                    "give the input as `text` or as hex `input`",
                ))
            }
        };
        let (model, info) = approved(&g, &name).await?;
        let id = submit(&g, model, &name, &info, input).await?;
        Ok((
            StatusCode::ACCEPTED,
            Json(json!({"job": id, "events": format!("/v1/jobs/{id}/events")})),
        )
            .into_response())
    }
    .await;
    answered(&g, "jobs.submit", &name, Mode::Fast, started, result)
}

async fn job_snapshot(g: &Gateway, id: JobId) -> Result<Snapshot, ApiError> {
    let at = g.chain.finalized().await.map_err(|e| unavailable(&e))?;
    let job = g
        .chain
        .job_at(&at, id)
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "job_not_found",
                format!("no job {id} on chain (never submitted, or pruned after its retention)"),
            )
        })?;
    Ok(Snapshot { at, job })
}

pub(super) async fn job(State(g): State<Arc<Gateway>>, Path(id): Path<JobId>) -> Response {
    let started = Instant::now();
    let result = async {
        let snapshot = job_snapshot(&g, id).await?;
        let mut out = dapp::proof_json(&snapshot, id);
        if let Ok(Some(bytes)) = dapp::output_of(&g.chain, &snapshot, id).await {
            out["output"] = json!(format!("0x{}", hex::encode(&bytes)));
            let registry = g.chain.models().await.map_err(|e| unavailable(&e))?;
            let spec = registry
                .iter()
                .find(|(m, _)| *m == snapshot.job.model)
                .map(|(_, info)| &info.spec);
            out["model"] = json!(spec.map(|s| String::from_utf8_lossy(&s.name[..]).into_owned()));
            match spec.map(|s| (s.family, s.output.element)) {
                Some((ModelFamily::Llama, _)) => {
                    if let Ok(result) = JobOutput::parse(&bytes) {
                        out["text"] = json!(result.text);
                        out["finish"] = json!(result.finish);
                        out["usage"] = usage(&result);
                    }
                }
                Some((_, verinfer_primitives::ElementType::I32)) => {
                    out["logits"] = json!(verinfer_primitives::decode_i32s(&bytes));
                }
                Some((_, verinfer_primitives::ElementType::F32)) => {
                    out["embedding"] = json!(verinfer_primitives::decode_f32s(&bytes));
                }
                _ => {}
            }
        }
        Ok(Json(out).into_response())
    }
    .await;
    answered(&g, "jobs", "", Mode::Verified, started, result)
}

/// The job's phases as server-sent events, one per change, each with the proof object,
/// until the job is final: what the web page shows live.
pub(super) async fn job_events(State(g): State<Arc<Gateway>>, Path(id): Path<JobId>) -> Response {
    if let Err(e) = job_snapshot(&g, id).await {
        return e.into_response();
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let g2 = g.clone();
    tokio::spawn(async move {
        let sent = tx.clone();
        let followed = dapp::follow_job(
            &g2.chain,
            &g2.blocks,
            id,
            g2.timeout,
            dapp::is_final,
            move |s| {
                let _ = sent.send(dapp::proof_json(s, id));
            },
        )
        .await;
        if let Err(FollowError::Timeout { status }) = followed {
            let _ = tx.send(json!({"job": id, "status": status, "timeout": true}));
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|v| {
            (
                Ok::<_, std::convert::Infallible>(Event::default().data(v.to_string())),
                rx,
            )
        })
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
