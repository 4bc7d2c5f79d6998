#!/usr/bin/env bash
# Re-run the seven classical anchors on Kodak at the JPEG AI target rates with the full
# JPEG AI metric suite (issue #15). Resumable: each run keeps its encodes, decoded images
# and metric values under ~/.cache/lic-bench/anchors/<codec>-kodak-<key>/, so running this
# again after an interruption continues where it stopped. Hours of CPU (AVIF at speed 4,
# x265 placebo and VVC dominate); run it niced.
set -euo pipefail
jobs=${JOBS:-2}
for codec in jpeg444 webp jpeg2000 jpegxl x265-bpg444 avif444 vvc420; do
  extra=()
  [ "$codec" = vvc420 ] && extra=(--preset fast)  # as the committed sweep was run
  nice -n 10 lic-bench anchors run --codec "$codec" --dataset kodak --rates jpeg-ai \
    --metrics jpeg-ai --jobs "$jobs" "${extra[@]}"
done
