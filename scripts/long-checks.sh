#!/usr/bin/env bash
# The long checks `cargo test` leaves out (marked `#[ignore = "long: …"]`):
# 4,000 idle keep-alive connections and 300 slowloris clients on a few
# threads, and 100 MiB streamed each way under 64 MB of peak RSS, by a raw
# module and by an `async fn` hook; 1,000,000 cross-thread wakes racing
# the polls they cause. Release build; bounded to 10 minutes each.
set -euo pipefail
cd "$(dirname "$0")/.."
timeout 600 cargo test --release -p iis-host --test connections --test streaming \
    -- --ignored --nocapture
timeout 600 cargo test --release -p iis-module-tests --test streaming \
    -- --ignored --nocapture
IIS_WAKE_RACE_ROUNDS=250000 timeout 600 cargo test --release -p iis-module-tests \
    --test async_hooks wakes_racing -- --nocapture
