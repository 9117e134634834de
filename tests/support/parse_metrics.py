#!/usr/bin/python3
# Reads the Prometheus text exposition format on stdin with the Prometheus client
# library's own parser and prints what it read as JSON: {family: {"type", "help",
# "samples": [[name, labels, value], ...]}}. A text the parser refuses exits 1 with why.
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    out = {}
    for family in text_string_to_metric_families(sys.stdin.read()):
        samples = []
        for sample in family.samples:
            value = sample.value
            samples.append([sample.name, sample.labels, "+Inf" if math.isinf(value) else value])
        out[family.name] = {"type": family.type, "help": family.documentation, "samples": samples}
except Exception as error:  # the parser's errors are plain exceptions
    print(f"not the Prometheus text format: {error}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(out))
