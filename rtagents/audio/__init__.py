"""Audio around a session: formats and resampling, WAV files, a playback buffer that knows
what was heard (so a barge-in cuts the answer there), devices, and local voice.

What needs numpy and soxr (resampling) or sounddevice (a real device) imports them only
when used: ``pip install 'rtagents[audio]'`` or ``'rtagents[voice]'``.
"""

from .devices import AudioDevice, AudioDeviceError, SoundDevice
from .output import PlaybackBuffer
from .player import AudioPlayer
from .resample import AudioExtraMissing, StreamResampler, resample
from .voice import LocalVoice
from .wavfile import WavError, WavInfo, read_wav, write_wav

__all__ = [
    "AudioDevice",
    "AudioDeviceError",
    "AudioExtraMissing",
    "AudioPlayer",
    "LocalVoice",
    "PlaybackBuffer",
    "SoundDevice",
    "StreamResampler",
    "WavError",
    "WavInfo",
    "read_wav",
    "resample",
    "write_wav",
]
