"""Read-only admin views of campaigns and statements (letters' text stays out of the admin: only their writer
and the campaign's organisers read them, on the campaign's pages). Every change goes through the actions."""

from django.contrib import admin

from leveller.lobbying.models import Campaign, Signature, Statement


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnly):
    list_display = ["title", "status", "targets", "opens_at", "closes_at", "created_by"]
    list_filter = ["status", "targets"]
    search_fields = ["title"]


@admin.register(Statement)
class StatementAdmin(ReadOnly):
    list_display = ["title", "status", "created_at"]


@admin.register(Signature)
class SignatureAdmin(ReadOnly):
    list_display = ["statement", "kind", "name", "organisation", "state", "created_at"]
    list_filter = ["kind", "state"]
    exclude = ["email"]
