"""Decode cost of one ``response.output_audio.delta`` frame against bare ``json.loads``."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from rtagents.protocol import decode_server_event

from ._stats import per_call, ratio, summary

TARGET = 2.0


def run() -> dict[str, Any]:
    delta = base64.b64encode(os.urandom(960)).decode()
    assert len(delta) == 1280
    frame = json.dumps(
        {
            "type": "response.output_audio.delta",
            "event_id": "event_4Ac8Yq2",
            "response_id": "resp_Bx81",
            "item_id": "item_Bx82",
            "output_index": 0,
            "content_index": 0,
            "delta": delta,
        }
    )
    number = 20_000
    base = summary(per_call(lambda: json.loads(frame), number=number))
    ours = summary(per_call(lambda: decode_server_event(frame), number=number))
    r = ratio(ours, base)
    return {
        "what": "decode one response.output_audio.delta frame (1,280 chars of base64)",
        "unit": "us per frame",
        "baseline_json_loads": base,
        "rtagents_decode": ours,
        "ratio": r,
        "target_ratio_max": TARGET,
        "meets_target": r <= TARGET,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
