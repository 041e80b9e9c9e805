"""WebRTC calls in the emulator (``rtagents[webrtc]``: aiortc): a browser posts its SDP offer
to ``/v1/realtime/calls``, as to api.openai.com, and talks to the same server core as over
the websocket: events on the ``oai-events`` data channel, audio over RTP.

GPT-Live's WebRTC sessions (``POST /v1/live/sessions``) run through the same shell with
``LiveCore``. ``routes`` answers the offer (and CORS), ``live`` reads Live's request,
``peer`` is the shell of one call (data channel, tracks, sidebands), ``playout`` its output
audio buffer (sans I/O), ``media`` the audio conversions, ``ice`` the candidates on a host
with only loopback. aiortc is imported only when a call comes.
"""

from .routes import WebRTCCalls, with_cors

__all__ = ["WebRTCCalls", "with_cors"]
