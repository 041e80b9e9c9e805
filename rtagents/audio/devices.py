"""Audio hardware behind one small interface, so that everything above it (resampling,
half-duplex, barge-in) is the same code with a real device and with a test's fake one.

``SoundDevice`` is the real one: PortAudio through ``sounddevice`` (the ``rtagents[voice]``
extra). It is imported only when used, and its failures become ``AudioDeviceError``s that
say what to install or plug in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from .._extras import require
from ..errors import RtagentsError

InputCallback = Callable[[bytes], None]
"""Receives each block of microphone audio: mono pcm16 at the device's rate."""
OutputCallback = Callable[[int], bytes]
"""Asked for the next ``n`` bytes to play: mono pcm16 at the device's rate."""


class AudioDeviceError(RtagentsError, OSError):
    """No usable microphone or speaker, or no PortAudio."""


@runtime_checkable
class AudioDevice(Protocol):
    """A microphone and a speaker running at ``rate``, mono pcm16, in blocks.

    ``start`` calls ``on_input`` with each recorded block and ``on_output`` for each block
    to play, from the device's own thread, until ``stop``. Both callbacks are quick.
    """

    rate: int
    latency_ms: int  # from reading audio to hearing it

    def start(self, on_input: InputCallback, on_output: OutputCallback) -> None: ...

    def stop(self) -> None: ...


def _sounddevice() -> Any:
    try:
        return require("voice", "sounddevice", "local voice")
    except OSError as exc:  # the module is there, the C library it wraps is not
        raise AudioDeviceError(
            f"local voice needs the PortAudio library ({exc}): on Debian or Ubuntu "
            "`apt install libportaudio2`, on macOS `brew install portaudio`"
        ) from None


class SoundDevice:
    """The computer's microphone and speaker (or the ``input``/``output`` devices named or
    numbered as ``python -m sounddevice`` lists them)."""

    def __init__(
        self,
        *,
        input: int | str | None = None,
        output: int | str | None = None,
        rate: int | None = None,
        block_ms: int = 20,
    ) -> None:
        sd = self._sd = _sounddevice()
        try:
            mic = sd.query_devices(input, kind="input")
            sd.query_devices(output, kind="output")
        except (ValueError, sd.PortAudioError) as exc:
            raise AudioDeviceError(
                f"no usable microphone and speaker ({exc}); `python -m sounddevice` lists "
                "the devices, --input-device and --output-device choose them"
            ) from None
        self._device = (input, output)
        self.rate = int(rate or mic["default_samplerate"])
        self._block = self.rate * block_ms // 1000
        self.latency_ms = 0
        self._stream: Any = None

    def start(self, on_input: InputCallback, on_output: OutputCallback) -> None:
        def callback(indata: Any, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
            on_input(bytes(indata))
            outdata[:] = on_output(len(outdata))

        try:
            self._stream = self._sd.RawStream(
                samplerate=self.rate,
                blocksize=self._block,
                device=self._device,
                channels=1,
                dtype="int16",
                callback=callback,
            )
            self._stream.start()
        except self._sd.PortAudioError as exc:
            raise AudioDeviceError(f"cannot open the audio device: {exc}") from None
        self.latency_ms = int(self._stream.latency[1] * 1000)

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def __repr__(self) -> str:
        return f"SoundDevice(device={self._device!r}, rate={self.rate})"
