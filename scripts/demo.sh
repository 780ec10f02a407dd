#!/usr/bin/env bash
# The README's main job: set-up, pretrain BERT-tiny on the embedded corpus (Python's own
# documentation, nothing downloaded), then fine-tune one head of each kind from that
# checkpoint (classification, SQuAD-v2.0-style span extraction, NER) and print the dev
# scores next to the same heads trained from random init.
#   bash scripts/demo.sh [RUN_DIR]          (default: runs/demo; re-running resumes)
#   SEEDS=1 bash scripts/demo.sh            (fine-tuning seeds per head; default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/demo}
bash scripts/setup.sh
.venv/bin/python -m bert_jax.pretrain --config=configs/pretrain.py:demo --workdir="$RUN/pretrain"
.venv/bin/python -m bert_jax.demo --init_checkpoint="$RUN/pretrain" --workdir="$RUN/finetune" --baseline \
    --learning_rate=1e-3 --seeds="${SEEDS:-3}"   # BERT-tiny wants a larger lr than the paper's base
