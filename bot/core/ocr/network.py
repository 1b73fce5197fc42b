"""RapidOCR's recogniser compiled by OpenVINO for this machine's CPU: the first reading of lines.

RapidOCR ships its models as ONNX files and runs them on ONNX Runtime. OpenVINO reads the same
files and, on this machine, reads a full terminal's lines 2.4× faster (bench/results/ocr.md): it
fuses the recogniser's hard-swish activations, which ONNX Runtime runs as four element-wise
passes, and it computes in bfloat16 where the CPU has instructions for it (AVX-512 BF16, AMX),
in float32 elsewhere. Only the first reading of every line runs here. The close-up that decides
whether a code was read clearly stays on ONNX Runtime in float32, so how sure a reading is does
not depend on the CPU. The detector stays there too: OpenVINO keeps the working memory of the
largest image it has seen (+325 MB after one retina screenshot), ONNX Runtime gives it back.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger("hwerror.ocr")

# Each stream keeps buffers of its own (~45 MB measured); past this many, lines wait for a stream.
MAX_STREAMS = 4


class Network:
    """A compiled model, callable from several threads at once: each calling thread has its own
    infer request, and the model has one stream per core (up to MAX_STREAMS), each stream on one
    thread (one line on two threads took twice as long as two lines side by side)."""

    def __init__(self, path: Path, sample: Any) -> None:
        ov = _openvino()
        streams = min(MAX_STREAMS, os.cpu_count() or 1)
        core = ov.Core()
        config = {"INFERENCE_NUM_THREADS": streams, "NUM_STREAMS": streams}
        self._compiled = core.compile_model(core.read_model(str(path)), "CPU", config)
        self._requests = threading.local()
        # OpenVINO's Python binding builds some function-local statics (the numpy view of a tensor)
        # on first use, running Python code with the GIL while holding the static's guard: two
        # threads making their first call at once can deadlock (seen: both line threads stuck in
        # __cxa_guard_acquire under `tensor.data`). One call here, on one thread, builds them first.
        self(sample)

    def __call__(self, batch: Any) -> list[Any]:
        request = getattr(self._requests, "request", None)
        if request is None:
            request = self._requests.request = self._compiled.create_infer_request()
        request.infer({0: batch})
        return [request.get_output_tensor(0).data.copy()]


def _openvino() -> Any:
    """OpenVINO's runtime, without its model converter. `import openvino` imports the converter,
    and the converter, on import, sends a usage event to Google Analytics from a child process
    (openvino-telemetry: on unless a consent file in the home directory says no). The bot never
    converts a model and sends nothing nobody asked for; openvino imports the converter under
    `except ImportError`, so marking it absent keeps it, and its telemetry, from loading."""
    sys.modules.setdefault("openvino.tools.ovc", None)  # type: ignore[arg-type]
    import openvino

    return openvino


def compiled(path: Path, sample: Any) -> Network | None:
    """The model compiled by OpenVINO and run once on `sample` (an input of the model's shape), or
    None where OpenVINO is not installed (then the first reading runs on ONNX Runtime, as the
    close-ups do: the same results, a whole screenshot about twice as slow)."""
    try:
        return Network(path, sample)
    except ImportError:
        log.warning("OpenVINO is not installed: screenshots are read on ONNX Runtime alone (slower)")
        return None
