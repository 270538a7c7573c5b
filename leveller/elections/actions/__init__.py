"""Every change to elections, motions and primaries. Views, the API, commands and tasks call these."""

from leveller.elections.actions.counting import count_election
from leveller.elections.actions.nominations import nominate_as_group, stand, support
from leveller.elections.actions.setup import (
    add_candidate,
    create_election,
    remove_minimum_rule,
    set_minimum_rule,
    update_candidate,
    update_election,
    withdraw_candidate,
)
from leveller.elections.actions.transitions import close_voting, open_nominations, open_voting, publish_results
from leveller.elections.actions.voting import cast_ballot

__all__ = [
    "add_candidate",
    "cast_ballot",
    "close_voting",
    "count_election",
    "create_election",
    "nominate_as_group",
    "open_nominations",
    "open_voting",
    "publish_results",
    "remove_minimum_rule",
    "set_minimum_rule",
    "stand",
    "support",
    "update_candidate",
    "update_election",
    "withdraw_candidate",
]
