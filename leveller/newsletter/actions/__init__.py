"""Every change in the newsletter: issues (issues.py), subscribers (subscriptions.py) and member voices
(voices.py). The send engine's own per-message ledger is in leveller/newsletter/sending.py."""
