"""Read-only admin views: every change goes through leveller.events.actions (and its audit log)."""

from django.contrib import admin

from leveller.events.models import Course, CourseApplication, Event, Rsvp


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ["title", "type", "status", "group", "starts_at", "capacity"]
    list_filter = ["type", "status"]
    search_fields = ["title"]


@admin.register(Rsvp)
class RsvpAdmin(ReadOnly):
    list_display = ["event", "member", "status", "queued_at", "attended"]
    list_filter = ["status"]


@admin.register(Course)
class CourseAdmin(ReadOnly):
    list_display = ["title", "applications_open", "completion_threshold"]


@admin.register(CourseApplication)
class CourseApplicationAdmin(ReadOnly):
    list_display = ["course", "member", "status", "submitted_at", "completed_at"]
    list_filter = ["status"]
