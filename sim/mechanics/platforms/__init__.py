"""Platforms: channel choice, the seller comparison, take rates, third-party sellers.

Sources:

- Two-sided markets: Rochet and Tirole (2003), "Platform competition in two-sided
  markets", *JEEA* 1(4); Armstrong (2006), "Competition in two-sided markets", *RAND
  Journal of Economics* 37(3): each side's benefit from joining grows with the number of
  participants on the other side (the cross-side network effect), and the platform's
  fee (here a take rate on sales) divides the surplus between the sides.
- Parker and Van Alstyne (2005), "Two-sided network effects: a theory of information
  product design", *Management Science* 51(10): a platform may subsidise one side to
  grow the other.
- Nested logit: McFadden (1978), "Modelling the choice of residential location"; Train
  (2009), *Discrete Choice Methods with Simulation*, ch. 4. A consumer first picks a
  channel (a brand's own store, a platform, or nothing), then, on a platform, a seller
  among its listings. The listing comparison is sharper than the channel comparison
  (price transparency ``mu >= 1``: listings shown side by side), and the platform's value
  is the log-sum (inclusive value) of its listings.
- Pass-through of a fee into price: Weyl and Fabinger (2013), "Pass-through as an
  economic tool", *JPE* 121(3).
- Diffusion of awareness: Bass (1969), "A new product growth model for consumer
  durables", *Management Science* 15(5).

Where each rule lives:

- :mod:`~sim.mechanics.platforms.offer`: what is compared (``ChannelOffer``,
  ``Shoppers``);
- :mod:`~sim.mechanics.platforms.channel_choice`: the first comparison, between
  channels, and expected demand by channel;
- :mod:`~sim.mechanics.platforms.listings`: the second comparison, between sellers on a
  platform, and the platform's value (log-sum);
- :mod:`~sim.mechanics.platforms.what_if`: one firm's demand if it changed something
  (``FirmWhatIf``);
- :mod:`~sim.mechanics.platforms.sellers`: third-party sellers' price, profit and flow;
- :mod:`~sim.mechanics.platforms.take_rates`: the fee a platform's strategy sets;
- :mod:`~sim.mechanics.platforms.membership`: what membership is worth;
- :mod:`~sim.mechanics.platforms.awareness`: discovering a platform, forgetting a brand.

Every public name is importable from this package (``from sim.mechanics.platforms
import ChannelOffer``). Everything here is a pure function over numpy arrays: no Mesa,
no model state.
"""

from sim.mechanics.platforms.awareness import bass_adoption_probability, fade_awareness
from sim.mechanics.platforms.channel_choice import (
    DIRECT,
    NO_CHANNEL,
    add_direct_defences,
    channel_demand,
    channel_listing_values,
    channel_utilities,
    choose_with_surplus,
    direct_habit_target,
    platform_utilities,
)
from sim.mechanics.platforms.listings import listing_probabilities, listing_values, platform_value
from sim.mechanics.platforms.membership import membership_value
from sim.mechanics.platforms.offer import ChannelOffer, Shoppers
from sim.mechanics.platforms.sellers import (
    seller_flow_probabilities,
    seller_profit,
    third_party_price,
)
from sim.mechanics.platforms.take_rates import cost_plus_take_rate, power_take_rate
from sim.mechanics.platforms.what_if import FirmWhatIf

__all__ = [
    "DIRECT",
    "NO_CHANNEL",
    "ChannelOffer",
    "FirmWhatIf",
    "Shoppers",
    "add_direct_defences",
    "bass_adoption_probability",
    "channel_demand",
    "channel_listing_values",
    "channel_utilities",
    "choose_with_surplus",
    "cost_plus_take_rate",
    "direct_habit_target",
    "fade_awareness",
    "listing_probabilities",
    "listing_values",
    "membership_value",
    "platform_utilities",
    "platform_value",
    "power_take_rate",
    "seller_flow_probabilities",
    "seller_profit",
    "third_party_price",
]
