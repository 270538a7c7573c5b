"""Every change to members and accounts: members.py (invitations, profiles, roles, tokens), avatar.py (profile
pictures) and two_factor.py (enrolment, recovery codes, turning off, resets, the policy, checking a code).
Views, the API, commands and tasks import the module: `from leveller.accounts.actions import members as
member_actions`."""
