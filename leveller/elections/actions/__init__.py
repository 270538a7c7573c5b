"""Every change to elections, motions and primaries. Views, the API, commands and tasks call these."""

from leveller.elections.actions.amendments import (
    accept_amendment,
    propose_amendment,
    second_amendment,
    withdraw_amendment,
)
from leveller.elections.actions.counting import count_election
from leveller.elections.actions.deliberation import answer_question, ask_question, hide_question, join_discussion
from leveller.elections.actions.mail import set_mail_preference
from leveller.elections.actions.motions import (
    AlreadyDone,
    composite_motions,
    propose_motion,
    schedule_motion,
    second_motion,
    withdraw_motion,
)
from leveller.elections.actions.nominations import nominate_as_group, stand, support
from leveller.elections.actions.processes import create_process, update_process
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
    "AlreadyDone",
    "accept_amendment",
    "add_candidate",
    "answer_question",
    "ask_question",
    "cast_ballot",
    "close_voting",
    "composite_motions",
    "count_election",
    "create_election",
    "create_process",
    "hide_question",
    "join_discussion",
    "nominate_as_group",
    "open_nominations",
    "open_voting",
    "propose_amendment",
    "propose_motion",
    "publish_results",
    "remove_minimum_rule",
    "schedule_motion",
    "second_amendment",
    "second_motion",
    "set_mail_preference",
    "set_minimum_rule",
    "stand",
    "support",
    "update_candidate",
    "update_election",
    "update_process",
    "withdraw_amendment",
    "withdraw_candidate",
    "withdraw_motion",
]
