#!/usr/bin/env bash
# train_fashion end to end on a few images: trains 2 epochs, writes the
# weights, CSV and SVG, prints one plain line per epoch (stdout is not a
# terminal here), then `classify` loads the weights and prints class names.
# Usage: test_cli.sh <train_fashion binary> <scratch dir>
set -euo pipefail
bin=$1 work=$2
rm -rf "$work"
out=$("$bin" --epochs 2 --train-limit 512 --test-limit 256 --batch 64 --seed 3 --threads 1 --out "$work")
echo "$out"
[ "$(grep -c '^epoch [12]/2  loss' <<<"$out")" -eq 2 ]
if grep -q $'\r' <<<"$out"; then echo "progress bar written to a non-terminal"; exit 1; fi
[ -s "$work/fashion_cnn.safetensors" ]
[ "$(head -1 "$work/curve.csv")" = "epoch,train_loss,train_accuracy,test_accuracy,seconds" ]
[ "$(wc -l <"$work/curve.csv")" -eq 3 ]
grep -q "<polyline" "$work/curve.svg"
grep -q "test accuracy" "$work/curve.svg"

cls=$("$bin" classify --weights "$work/fashion_cnn.safetensors" --count 5 --test-limit 256 --threads 1)
echo "$cls"
[ "$(grep -c '^test image' <<<"$cls")" -eq 5 ]
grep -Eq '^test image +0: (T-shirt/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot)( |$)' <<<"$cls"
grep -q "^test accuracy .*(256 images" <<<"$cls"

# Errors: a bad flag, a missing data directory.
if "$bin" --epochs zero 2>"$work/err"; then exit 1; fi
grep -q "epochs wants a number" "$work/err"
if "$bin" --data "$work/nowhere" --out "$work" 2>"$work/err"; then exit 1; fi
grep -q "nowhere/train-images-idx3-ubyte.gz: cannot open" "$work/err"
echo "train_fashion CLI: ok"
