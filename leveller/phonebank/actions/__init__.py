"""Every phonebank state change: campaigns and calls (calls.py), contact lists (contacts.py). Import the module:
`from leveller.phonebank.actions import calls as call_actions`."""
