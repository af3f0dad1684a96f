"""Drives verinfer's gateway with the official OpenAI Python SDK (pinned in scripts/setup.sh)
and prints what came back as one JSON object, for tests/tests/gateway.rs to assert on.

Usage: openai_check.py BASE_URL API_TOKEN LLM_MODEL EMBEDDING_MODEL
"""
import json
import sys

import openai
from openai import OpenAI

base, token, llm, embedder = sys.argv[1:5]
client = OpenAI(base_url=base, api_key=token, max_retries=0, timeout=300)
out = {"sdk": openai.__version__}
question = [{"role": "user", "content": "Say something."}]

out["models"] = [m.model_dump() for m in client.models.list().data]
out["chat"] = client.chat.completions.create(
    model=llm, messages=question, max_tokens=16, temperature=0
).model_dump()
out["stream"] = [
    c.model_dump()
    for c in client.chat.completions.create(
        model=llm, messages=question, max_tokens=16, temperature=0, stream=True
    )
]
out["completion"] = client.completions.create(
    model=llm, prompt="The chain asks for proof: ", max_tokens=12, temperature=0
).model_dump()
# The SDK asks for base64 unless told otherwise, and decodes it: both ways are served.
out["embeddings"] = client.embeddings.create(
    model=embedder, input=["A cat sits on the mat.", "A kitten rests on a rug."]
).model_dump()
out["embeddings_float"] = client.embeddings.create(
    model=embedder, input="A cat sits on the mat.", encoding_format="float"
).model_dump()

errors = {}
try:
    client.chat.completions.create(model="no-such-model", messages=question)
except openai.NotFoundError as e:
    errors["unknown_model"] = {"status": e.status_code, "body": e.body}
try:
    client.chat.completions.create(model=llm, messages=question, max_tokens=100000)
except openai.BadRequestError as e:
    errors["too_many_tokens"] = {"status": e.status_code, "body": e.body}
out["errors"] = errors
print(json.dumps(out))
