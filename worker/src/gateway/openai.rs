//! OpenAI's wire format, as far as the gateway speaks it: the request bodies of
//! `/v1/chat/completions`, `/v1/completions` and `/v1/embeddings`, and the error shape.
//! Fields OpenAI defines and verinfer cannot honour are refused by name (`n` above 1,
//! `logprobs`, tools); other unknown fields are ignored, as OpenAI's own server does.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::llm::{JobRequest, Message};

/// An error in OpenAI's shape, with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong and what to do.
    pub message: String,
    /// OpenAI's `type`.
    pub kind: &'static str,
    /// The request field at fault, if one is.
    pub param: Option<String>,
    /// A short machine-readable code.
    pub code: &'static str,
}

impl ApiError {
    /// 400: the request is malformed; `param` names the field.
    pub fn invalid(param: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            kind: "invalid_request_error",
            param: Some(param.to_owned()),
            code: "invalid_value",
        }
    }

    /// Another status.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        let kind = match status.as_u16() {
            401 | 403 => "authentication_error",
            402 => "insufficient_quota",
            404 => "invalid_request_error",
            _ => "server_error",
        };
        Self {
            status,
            message: message.into(),
            kind,
            param: None,
            code,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        });
        (self.status, axum::Json(body)).into_response()
    }
}

/// A string or a list of strings (`stop`, the embeddings `input`, the completions `prompt`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl OneOrMany {
    /// All of them.
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A chat message's content: a string, or OpenAI's list of parts (only text parts).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Content {
    /// Text.
    Text(String),
    /// Parts.
    Parts(Vec<Part>),
}

/// One content part.
#[derive(Debug, Deserialize)]
pub struct Part {
    /// `text` is the only kind served.
    #[serde(rename = "type")]
    pub kind: String,
    /// The text.
    #[serde(default)]
    pub text: Option<String>,
}

/// One chat message.
#[derive(Debug, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// Its content.
    pub content: Content,
}

/// The sampling fields common to chat and completions.
#[derive(Debug, Deserialize)]
pub struct Sampling {
    /// The most tokens to generate.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// OpenAI's newer name for `max_tokens`.
    #[serde(default)]
    pub max_completion_tokens: Option<u32>,
    /// OpenAI's default is 1.
    #[serde(default)]
    pub temperature: Option<f32>,
    /// OpenAI's default is 1.
    #[serde(default)]
    pub top_p: Option<f32>,
    /// Not OpenAI's, but common: keep the K most likely tokens.
    #[serde(default)]
    pub top_k: Option<u32>,
    /// Stop sequences.
    #[serde(default)]
    pub stop: Option<OneOrMany>,
    /// Only 1 is served.
    #[serde(default)]
    pub n: Option<u32>,
    /// Whether to answer with server-sent events.
    #[serde(default)]
    pub stream: bool,
    /// Log probabilities are not served.
    #[serde(default)]
    pub logprobs: Option<Value>,
    /// Tools are not served.
    #[serde(default)]
    pub tools: Option<Value>,
    /// `verified` (the default) or `fast`.
    #[serde(default)]
    pub verinfer_mode: Option<String>,
}

impl Sampling {
    /// The generation request for a prompt or messages; refuses what cannot be served,
    /// naming the field.
    pub fn request(
        &self,
        prompt: Option<String>,
        messages: Option<Vec<Message>>,
    ) -> Result<JobRequest, ApiError> {
        if self.n.is_some_and(|n| n != 1) {
            return Err(ApiError::invalid(
                "n",
                "only n = 1 is served: send one request per completion",
            ));
        }
        if self
            .logprobs
            .as_ref()
            .is_some_and(|l| !l.is_null() && l != &Value::Bool(false))
        {
            return Err(ApiError::invalid(
                "logprobs",
                "log probabilities are not served",
            ));
        }
        if self.tools.as_ref().is_some_and(|t| !t.is_null()) {
            return Err(ApiError::invalid("tools", "tool calls are not served"));
        }
        let max = crate::llm::job::MAX_TOKENS;
        let max_tokens = self.max_completion_tokens.or(self.max_tokens).unwrap_or(64);
        if !(1..=max).contains(&max_tokens) {
            return Err(ApiError::invalid(
                "max_tokens",
                format!("max_tokens must be 1 to {max}, not {max_tokens}"),
            ));
        }
        let temperature = self.temperature.unwrap_or(1.0);
        if !(temperature.is_finite() && (0.0..=2.0).contains(&temperature)) {
            return Err(ApiError::invalid(
                "temperature",
                "temperature must be between 0 and 2",
            ));
        }
        let top_p = self.top_p.unwrap_or(1.0);
        if !(top_p > 0.0 && top_p <= 1.0) {
            return Err(ApiError::invalid("top_p", "top_p must be in (0, 1]"));
        }
        let stop = self.stop_list();
        let request = JobRequest {
            prompt,
            messages,
            max_tokens,
            temperature,
            top_k: self.top_k.unwrap_or(0),
            top_p,
            stop,
            seed: None,
        };
        // The worker's own checks, so that nothing reaches the chain that a miner refuses.
        JobRequest::parse(&request.to_bytes()).map_err(|e| {
            let msg = e.to_string();
            let param = if msg.contains("stop") {
                "stop"
            } else if msg.contains("message") {
                "messages"
            } else {
                "prompt"
            };
            ApiError::invalid(param, msg)
        })?;
        Ok(request)
    }

    fn stop_list(&self) -> Vec<String> {
        match &self.stop {
            None => Vec::new(),
            Some(OneOrMany::One(s)) => vec![s.clone()],
            Some(OneOrMany::Many(v)) => v.clone(),
        }
    }
}

/// `POST /v1/chat/completions`.
#[derive(Debug, Deserialize)]
pub struct ChatRequest {
    /// The registry name.
    pub model: String,
    /// The conversation.
    pub messages: Vec<ChatMessage>,
    /// Sampling and the rest.
    #[serde(flatten)]
    pub sampling: Sampling,
}

impl ChatRequest {
    /// The messages as the chat template takes them.
    pub fn messages(&self) -> Result<Vec<Message>, ApiError> {
        if self.messages.is_empty() {
            return Err(ApiError::invalid("messages", "give at least one message"));
        }
        self.messages
            .iter()
            .map(|m| {
                if !matches!(
                    m.role.as_str(),
                    "system" | "user" | "assistant" | "developer"
                ) {
                    return Err(ApiError::invalid(
                        "messages",
                        format!(
                            "role `{}` is not served (system, user or assistant)",
                            m.role
                        ),
                    ));
                }
                let content = match &m.content {
                    Content::Text(t) => t.clone(),
                    Content::Parts(parts) => {
                        let mut text = String::new();
                        for p in parts {
                            match (&*p.kind, &p.text) {
                                ("text", Some(t)) => text.push_str(t),
                                _ => {
                                    return Err(ApiError::invalid(
                                        "messages",
                                        format!(
                                            "content parts of type `{}` are not served: text only",
                                            p.kind
                                        ),
                                    ))
                                }
                            }
                        }
                        text
                    }
                };
                let role = if m.role == "developer" {
                    "system".into()
                } else {
                    m.role.clone()
                };
                Ok(Message { role, content })
            })
            .collect()
    }
}

/// `POST /v1/completions`.
#[derive(Debug, Deserialize)]
pub struct CompletionRequest {
    /// The registry name.
    pub model: String,
    /// The prompt (one).
    pub prompt: OneOrMany,
    /// Sampling and the rest.
    #[serde(flatten)]
    pub sampling: Sampling,
}

/// `POST /v1/embeddings`.
#[derive(Debug, Deserialize)]
pub struct EmbeddingRequest {
    /// The registry name.
    pub model: String,
    /// One text or several.
    pub input: OneOrMany,
    /// Only `float` is served.
    #[serde(default)]
    pub encoding_format: Option<String>,
    /// `verified` (the default) or `fast`.
    #[serde(default)]
    pub verinfer_mode: Option<String>,
}

/// OpenAI's `finish_reason` for a generation's finish.
pub fn finish_reason(finish: crate::llm::Finish) -> &'static str {
    match finish {
        crate::llm::Finish::Eos | crate::llm::Finish::Stop => "stop",
        crate::llm::Finish::Length => "length",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sampling(body: &str) -> Sampling {
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn openai_defaults_and_limits() {
        let r = sampling("{}").request(Some("hi".into()), None).unwrap();
        assert_eq!((r.max_tokens, r.temperature, r.top_p), (64, 1.0, 1.0));
        let e = sampling(r#"{"max_tokens": 999}"#)
            .request(Some("hi".into()), None)
            .unwrap_err();
        assert_eq!(
            (e.status, e.param.as_deref()),
            (StatusCode::BAD_REQUEST, Some("max_tokens"))
        );
        let e = sampling(r#"{"n": 2}"#)
            .request(Some("hi".into()), None)
            .unwrap_err();
        assert_eq!(e.param.as_deref(), Some("n"));
        let e = sampling(r#"{"stop": ["a","b","c","d","e"]}"#)
            .request(Some("hi".into()), None)
            .unwrap_err();
        assert_eq!(e.param.as_deref(), Some("stop"));
        let e = sampling("{}")
            .request(Some(String::new()), None)
            .unwrap_err();
        assert_eq!(e.param.as_deref(), Some("prompt"));
    }

    #[test]
    fn chat_content_parts_join_and_other_parts_are_refused() {
        let r: ChatRequest = serde_json::from_str(
            r#"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}"#,
        )
        .unwrap();
        assert_eq!(r.messages().unwrap()[0].content, "ab");
        let r: ChatRequest = serde_json::from_str(
            r#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}"#,
        )
        .unwrap();
        assert_eq!(r.messages().unwrap_err().param.as_deref(), Some("messages"));
    }
}
