"""Every change to groups (groups.py). Import the module: `from leveller.groups.actions import groups as
group_actions`."""
