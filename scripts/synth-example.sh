#!/usr/bin/env bash
# Synthesizes the example app with the cdk CLI and says where the template went.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/cdk.out/example"
cd "$root/examples/typescript"
npx cdk synth --quiet --output "$out"
echo "Synthesized the example app: $out/WhatsAppFlowsExample.template.json"
