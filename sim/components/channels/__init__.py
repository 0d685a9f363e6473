"""The market with channels: platforms, relationships and the connected customer journey.

The model owns a :class:`Channels` component (``model.channels``). When a scenario has
platforms, connected experiences or learning (``Scenario.channels_active``), the consumer
step becomes the journey of Siggelkow and Terwiesch (2019):

1. *recognize*: needs arise (coached customers more often); shoppers may discover a
   platform (Bass 1969); subscribers to automatic execution are served before they ask;
2. *request*: everyone else chooses a channel (a brand's own store, a platform, or
   nothing) and, on a platform, a seller among its listings by a price-transparent
   comparison (``sim.mechanics.platforms``);
3. *respond*: buyers meet the experience of the channel (a marketplace fulfils; an
   aggregator sends them on to the seller) and judge it against expectations;
4. *repeat*: whoever owns the relationship (the brand for a direct sale, the platform
   otherwise) gets the habit, the data and the learning (``sim.mechanics.learning``);
   a brand bought through a platform fades from the buyer's mind.

Platforms then book fees and costs, third-party sellers join or leave, and every
quarter platforms set their take rate, firms review their channels once a year, and the
flywheel meter measures the loop. Without channels every stage here is a no-op and the
market engine's original stages run unchanged.

Modules:
    state: the consumers' channel columns, the week's purchases, table columns.
    component: :class:`Channels`, its state and the views of every channel's offer.
    journey: recognize, request and respond (:class:`Journey`).
    relationships: repeat, and the quarter's relationships and memberships.
    operations: platforms at work, firms' channel review, the platform table.
"""

from sim.components.channels.component import Channels
from sim.components.channels.journey import Journey
from sim.components.channels.operations import PlatformOperations
from sim.components.channels.relationships import Relationships
from sim.components.channels.state import (
    CHANNEL_FIRM_COLUMNS,
    DIRECT,
    NO_CHANNEL,
    PLATFORM_COLUMNS,
    POOL,
    QUARTERS_PER_YEAR,
    ChannelColumns,
    WeekPurchases,
)

__all__ = [
    "CHANNEL_FIRM_COLUMNS",
    "DIRECT",
    "NO_CHANNEL",
    "PLATFORM_COLUMNS",
    "POOL",
    "QUARTERS_PER_YEAR",
    "ChannelColumns",
    "Channels",
    "Journey",
    "PlatformOperations",
    "Relationships",
    "WeekPurchases",
]
