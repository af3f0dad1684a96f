//! Chat prompts: messages rendered with the model's own Jinja template
//! (`tokenizer.chat_template`, e.g. ChatML for SmolLM2, whose template adds its default
//! system prompt when the messages start without one), by `minijinja`.

use std::collections::BTreeMap;

use minijinja::syntax::SyntaxConfig;
use minijinja::{context, Environment, Value};
use serde::{Deserialize, Serialize};

use crate::WorkerError;

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// Its text.
    pub content: String,
}

impl Message {
    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: "user".into(),
            content: content.into(),
        }
    }
}

/// A model's chat template, parsed once.
#[derive(Debug)]
pub struct ChatTemplate {
    env: Environment<'static>,
}

impl ChatTemplate {
    /// Parses `source`; fails, with the template engine's reason, when it is not a
    /// template minijinja can run.
    pub fn new(source: &str) -> Result<Self, WorkerError> {
        let mut env = Environment::new();
        // Hugging Face renders chat templates with trim_blocks and lstrip_blocks.
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| WorkerError::Backend(format!("template syntax settings: {e}")))?;
        env.set_syntax(syntax);
        // Python-style string methods (`.strip()`, `.startswith()`) that Hugging Face
        // templates use.
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_template_owned("chat", source.to_owned())
            .map_err(|e| {
                WorkerError::InvalidInput(format!("the chat template does not parse: {e}"))
            })?;
        Ok(Self { env })
    }

    /// The prompt text for `messages`, ending with the assistant's turn opened.
    pub fn render(&self, messages: &[Message]) -> Result<String, WorkerError> {
        if messages.is_empty() {
            return Err(WorkerError::InvalidInput(
                "a chat needs at least one message".into(),
            ));
        }
        let template = self
            .env
            .get_template("chat")
            .map_err(|e| WorkerError::Backend(format!("the chat template is gone: {e}")))?;
        let messages: Vec<BTreeMap<&str, Value>> = messages
            .iter()
            .map(|m| {
                BTreeMap::from([
                    ("role", Value::from(m.role.as_str())),
                    ("content", Value::from(m.content.as_str())),
                ])
            })
            .collect();
        template
            .render(context! { messages => messages, add_generation_prompt => true })
            .map_err(|e| WorkerError::InvalidInput(format!("the chat template failed: {e}")))
    }
}
