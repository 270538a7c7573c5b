"""Every change to members and accounts (members.py). Views, the API, commands and tasks import the module:
`from leveller.accounts.actions import members as member_actions`."""
