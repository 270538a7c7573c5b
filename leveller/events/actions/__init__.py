"""Every change to events (events.py), RSVPs, the waitlist and attendance (rsvps.py), and courses (courses.py).
Import the module: `from leveller.events.actions import rsvps as rsvp_actions`."""
