"""GPT-Live (``/v1/live/sessions``), OpenAI's second voice API, as typed models, and the
codec for its frames: client and server events, the session configuration and its
delegation, the Responses events a ``response.event`` wraps, ``live.*`` webhooks and the
REST bodies.

No I/O and no framework logic, as for the Realtime protocol beside it. Each module names its
public names in ``__all__``; all of them are here.
"""

from ...errors import ProtocolError
from .._base import WireModel
from ..codec import UnknownEvent, UnknownServerEvent
from . import (
    client_events,
    codec,
    decisions,
    items,
    responses,
    rest,
    server_events,
    session_config,
    tools,
    transport_events,
    webhooks,
)
from .client_events import *  # noqa: F403
from .codec import *  # noqa: F403
from .decisions import *  # noqa: F403
from .items import *  # noqa: F403
from .responses import *  # noqa: F403
from .rest import *  # noqa: F403
from .server_events import *  # noqa: F403
from .session_config import *  # noqa: F403
from .tools import *  # noqa: F403
from .transport_events import *  # noqa: F403
from .webhooks import *  # noqa: F403

__all__ = ["ProtocolError", "UnknownEvent", "UnknownServerEvent", "WireModel"]
__all__ += client_events.__all__
__all__ += codec.__all__
__all__ += decisions.__all__
__all__ += items.__all__
__all__ += responses.__all__
__all__ += rest.__all__
__all__ += server_events.__all__
__all__ += session_config.__all__
__all__ += tools.__all__
__all__ += transport_events.__all__
__all__ += webhooks.__all__
