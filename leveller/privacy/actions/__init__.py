"""Every change to data-protection records: consent.py (decisions, imports), erasure.py (requests, decisions,
erasing), exports.py (copies of a member's data), policy.py (the admins' settings) and retention.py (periods
and the daily run). Import the module: `from leveller.privacy.actions import erasure as erasure_actions`."""
