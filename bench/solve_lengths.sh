#!/usr/bin/env bash
# Which lengths each cell solves on each task with one fixed training budget: trains every
# (task, cell, length) with the native CLI and prints a table. "Solved" = mean loss over the
# last 10% of iterations below 10% of the task's chance loss.
#   bench/solve_lengths.sh [build/native/gradscope] > table.md
# Environment: ITERS, LR, LENGTHS, TASKS, CELLS override the defaults below.
set -euo pipefail
cli="${1:-build/native/gradscope}"
budget="--hidden 64 --batch 32 --optimizer adam --lr ${LR:-0.01} --clip 1 --iters ${ITERS:-3000} --seed 1"
lengths="${LENGTHS:-10 30 100 300}"
tasks="${TASKS:-adding remember-first copy}"
cells="${CELLS:-rnn-tanh rnn-relu lstm gru}"
echo "budget: $budget"
echo
echo "| task | cell | T | final loss | % of chance | accuracy | solved | seconds |"
echo "|---|---|---|---|---|---|---|---|"
for task in $tasks; do
  for cell in $cells; do
    for T in $lengths; do
      line=$("$cli" train --task "$task" --cell "$cell" --length "$T" $budget | grep '^# .*: mean loss')
      # "# lstm adding T=50: mean loss over the last 60 iterations L = P% of chance C, accuracy A (S s)"
      loss=$(sed -E 's/.*iterations ([^ ]+) = .*/\1/' <<<"$line")
      percent=$(sed -E 's/.* = ([^%]+)% of chance.*/\1/' <<<"$line")
      accuracy=$(sed -E 's/.*accuracy ([^ ]+) .*/\1/' <<<"$line")
      seconds=$(sed -E 's/.*\(([^ ]+) s\)$/\1/' <<<"$line")
      solved=$(awk -v p="$percent" 'BEGIN { print (p < 10) ? "yes" : "no" }')
      echo "| $task | $cell | $T | $loss | $percent | $accuracy | $solved | $seconds |"
    done
  done
done
