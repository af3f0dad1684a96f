#!/usr/bin/env bash
# Regenerates the reference fixtures for the worker's Llama (SmolLM2-135M-Instruct, GGUF Q4_1)
# from two independent implementations: llama.cpp (built here from the sources vendored in
# the llama-cpp-python sdist on PyPI, driven through that sdist's ctypes bindings) and a
# float32 numpy Llama forward (scripts/llm_reference.py) that reads the GGUF with gguf-py.
#
# Writes, in worker/tests/fixtures/:
#   smollm2_tokenizer.json      llama.cpp token ids + detokenized text for varied strings,
#                               and the GGUF tokenizer metadata they rely on
#   smollm2_chat.json           the GGUF's ChatML template rendered by jinja2 (and by
#                               llama.cpp's llama_chat_apply_template) for a few chats
#   smollm2_greedy.json         24 prompts x 40 greedy steps: llama.cpp ids, top-2 margins,
#                               top-5 logits; the numpy reference's own greedy run; and the
#                               numpy reference's top-5 logits teacher-forced on llama.cpp's
#                               tokens; header fields hold the agreement statistics
#   tiny-llama.gguf             a small random llama GGUF of another shape and its own
#                               byte-level BPE vocabulary (scripts/make_tiny_llama.py)
#   tiny_llama_reference.json   tokenizer cases + greedy runs (llama.cpp and numpy) for it
#
# Usage: scripts/llm-reference.sh [--build-only]   (--build-only: set up and build llama.cpp,
#        write nothing; scripts/bench-llm.sh uses it for llama-bench and llama-batched-bench)
# Env:   VERINFER_LLAMA_CPP_DIR  llama.cpp cache (default ~/.cache/verinfer-llama.cpp); the
#                                built binaries and libllama.so end up in its build/bin
#        VERINFER_LLM_VENV       Python venv (default .local/venv in the repo, gitignored)
#        JOBS                    parallel compile jobs (default 2)
# Needs: python3 (with venv), a C/C++ compiler, make; PyPI reachable on the first run.
# Idempotent: a second run reuses the venv and the llama.cpp build and only rewrites the
# fixtures (4-10 minutes on 2 cores, mostly the numpy forward passes; the outputs are the
# same from run to run).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

LLAMA_CPP_PYTHON_VERSION=0.3.36
LLAMA_CPP_PYTHON_SHA256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
PY_REQS=(numpy "gguf==0.19.0" jinja2 typing_extensions diskcache cmake scikit-build-core)
CACHE="${VERINFER_LLAMA_CPP_DIR:-$HOME/.cache/verinfer-llama.cpp}"
VENV="${VERINFER_LLM_VENV:-$REPO_ROOT/.local/venv}"
JOBS="${JOBS:-2}"
FIXTURES="$REPO_ROOT/worker/tests/fixtures"
MODEL="$VERINFER_MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf"
# Portable x86-64 flags: GGML_NATIVE=ON builds binaries that crash on some VMs (AMX), so the
# instruction sets are named one by one and AMX stays off.
CMAKE_FLAGS=(
	-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON
	-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON
	-DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF
	-DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_EXAMPLES=ON -DLLAMA_BUILD_COMMON=ON
)
TARGETS=(llama llama-tokenize llama-bench llama-batched-bench llama-simple llama-completion)

# --- Python environment -------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
	log "creating the Python venv $VENV"
	python3 -m venv "$VENV" || die "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"
fi
PY="$VENV/bin/python"
if ! "$PY" -c "import numpy, gguf, jinja2, typing_extensions, diskcache, scikit_build_core" 2>/dev/null ||
	[ "$("$PY" -c 'import importlib.metadata as m; print(m.version("gguf"))')" != "0.19.0" ] ||
	[ ! -x "$VENV/bin/cmake" ]; then
	log "installing ${PY_REQS[*]} into the venv"
	"$PY" -m pip install --quiet --disable-pip-version-check "${PY_REQS[@]}" ||
		die "pip could not install ${PY_REQS[*]}: check that PyPI is reachable"
fi
export PATH="$VENV/bin:$PATH"

# --- llama.cpp sources (vendored in the llama-cpp-python sdist) ---------------------------
SDIST="$CACHE/sdist/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION.tar.gz"
SRC="$CACHE/src/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION"
BUILD="$CACHE/build"
if [ ! -f "$SDIST" ]; then
	log "downloading the llama-cpp-python $LLAMA_CPP_PYTHON_VERSION sdist from PyPI"
	mkdir -p "$CACHE/sdist"
	"$PY" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
		--no-build-isolation -d "$CACHE/sdist" "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION" ||
		die "pip could not download llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
fi
[ "$(sha256sum "$SDIST" | cut -d' ' -f1)" = "$LLAMA_CPP_PYTHON_SHA256" ] ||
	die "$SDIST does not have the pinned sha256 $LLAMA_CPP_PYTHON_SHA256: delete it and retry"
if [ ! -f "$SRC/vendor/llama.cpp/CMakeLists.txt" ]; then
	log "extracting the sdist into $CACHE/src"
	mkdir -p "$CACHE/src"
	tar -xzf "$SDIST" -C "$CACHE/src"
fi
# The sdist carries no git metadata; its changelog names the vendored llama.cpp commit.
LLAMA_COMMIT="$(sed -n "/^## \[$LLAMA_CPP_PYTHON_VERSION\]/,/^## /p" "$SRC/CHANGELOG.md" |
	grep -o 'llama.cpp@[0-9a-f]*' | head -1 | cut -d@ -f2)"
LLAMA_COMMIT="${LLAMA_COMMIT:-unknown}"

# --- llama.cpp build ----------------------------------------------------------------------
STAMP="$BUILD/.verinfer-stamp"
STAMP_WANT="$LLAMA_CPP_PYTHON_VERSION $LLAMA_COMMIT ${CMAKE_FLAGS[*]} ${TARGETS[*]}"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_WANT" ] && [ -f "$BUILD/bin/libllama.so" ]; then
	log "llama.cpp $LLAMA_COMMIT already built in $BUILD/bin"
else
	log "configuring llama.cpp $LLAMA_COMMIT in $BUILD"
	cmake -S "$SRC/vendor/llama.cpp" -B "$BUILD" "${CMAKE_FLAGS[@]}" \
		-DLLAMA_BUILD_COMMIT="$LLAMA_COMMIT" -DLLAMA_BUILD_NUMBER=0 >"$CACHE/cmake-configure.log" 2>&1 ||
		die "cmake configure failed, see $CACHE/cmake-configure.log"
	log "building ${TARGETS[*]} with $JOBS jobs (a cold build takes about 10-15 minutes on 2 cores)"
	cmake --build "$BUILD" --config Release -j "$JOBS" --target "${TARGETS[@]}" >"$CACHE/cmake-build.log" 2>&1 ||
		die "llama.cpp build failed, see $CACHE/cmake-build.log"
	printf '%s' "$STAMP_WANT" >"$STAMP"
fi
[ -x "$BUILD/bin/llama-tokenize" ] || die "llama-tokenize missing from $BUILD/bin"
# Smoke test: the binaries must run on this CPU (AVX-512 builds would die with SIGILL where
# it is missing).
"$BUILD/bin/llama-tokenize" --help >/dev/null 2>&1 ||
	die "$BUILD/bin/llama-tokenize does not run on this machine (instruction set?): rebuild without -DGGML_AVX512=ON"

[ "${1:-}" = "--build-only" ] && exit 0

# --- the fixtures -------------------------------------------------------------------------
"$REPO_ROOT/scripts/fetch-models.sh"
export LLAMA_CPP_LIB_PATH="$BUILD/bin"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in scripts/
export PYTHONPATH="$SRC${PYTHONPATH:+:$PYTHONPATH}"
export VERINFER_LLAMA_CPP_COMMIT="$LLAMA_COMMIT" VERINFER_LLAMA_CPP_PYTHON="$LLAMA_CPP_PYTHON_VERSION"
mkdir -p "$FIXTURES"

log "making the tiny llama GGUF"
"$PY" "$REPO_ROOT/scripts/make_tiny_llama.py" "$FIXTURES/tiny-llama.gguf"

log "writing the SmolLM2 and tiny-llama fixtures (numpy forward passes take a few minutes)"
"$PY" "$REPO_ROOT/scripts/llm_reference.py" --model "$MODEL" --tiny "$FIXTURES/tiny-llama.gguf" \
	--out "$FIXTURES"

log "done: $(cd "$FIXTURES" && ls -l smollm2_*.json tiny-llama.gguf tiny_llama_reference.json | awk '{print $NF" "$5}' | paste -sd' ')"
