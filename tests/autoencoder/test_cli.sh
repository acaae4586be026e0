#!/usr/bin/env bash
# train_autoencoder end to end on a few images: trains 2 epochs, prints the
# mean-image baseline and one plain line per epoch (stdout is not a terminal
# here), writes the weights, the CSV and the PNG and PGM pictures; then the
# errors for bad options and missing data files.
# Usage: test_cli.sh <train_autoencoder binary> <scratch dir>
set -euo pipefail
bin=$1 work=$2
rm -rf "$work"
out=$("$bin" --epochs 2 --limit 512 --test-limit 64 --batch 32 --seed 3 --threads 1 --out "$work")
echo "$out"
grep -q '^mean-image baseline: test MSE 0\.[0-9]' <<<"$out"
[ "$(grep -c '^epoch [12]/2  train loss .* test MSE .* of the baseline' <<<"$out")" -eq 2 ]
grep -q '^final test MSE ' <<<"$out"
if grep -q $'\r' <<<"$out"; then echo "progress bar written to a non-terminal"; exit 1; fi
[ -s "$work/fashion_autoencoder.safetensors" ]
[ "$(head -1 "$work/curve.csv")" = "epoch,train_loss,test_mse,seconds" ]
[ "$(wc -l <"$work/curve.csv")" -eq 3 ]
# 10 tiles of 84 pixels with 6-pixel gaps: 906 x 186.
[ "$(head -c 15 "$work/reconstructions.pgm" | tr '\n' ' ')" = "P5 906 186 255 " ]
[ "$(stat -c %s "$work/reconstructions.pgm")" -eq $((15 + 906 * 186)) ]
[ "$(head -c 8 "$work/reconstructions.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]

# Errors: bad options, a missing data directory.
if "$bin" --epochs zero 2>"$work/err"; then exit 1; fi
grep -q "epochs wants a number" "$work/err"
if "$bin" --batch 0 2>"$work/err"; then exit 1; fi
grep -q "batch wants a number in 1..4096, got '0'" "$work/err"
if "$bin" --frobnicate 3 2>"$work/err"; then exit 1; fi
grep -q "unknown option '--frobnicate'" "$work/err"
if "$bin" --epochs 2>"$work/err"; then exit 1; fi
grep -q "missing value" "$work/err"
if "$bin" --data "$work/nowhere" --out "$work/o2" 2>"$work/err"; then exit 1; fi
grep -q "nowhere/train-images-idx3-ubyte.gz: cannot open" "$work/err"
[ ! -e "$work/o2" ]  # nothing written before the data is read
echo "train_autoencoder CLI: ok"
