"""Access helpers: each returns the object the actor may use, or raises.

Views and API endpoints call these before calling an action. Outsiders get 404 for things they may not
know exist, and 403 for things they can see but not change.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


def require_member(actor):
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied("Log in first.")
    return actor


def require_staff(actor):
    require_member(actor)
    if not actor.is_staff_member:
        raise PermissionDenied("Only staff can do that.")
    return actor


def require_admin(actor):
    require_member(actor)
    if not actor.is_admin:
        raise PermissionDenied("Only admins can do that.")
    return actor


def require_organiser(actor):
    require_member(actor)
    if not actor.is_organiser:
        raise PermissionDenied("Only organisers and staff can do that.")
    return actor
