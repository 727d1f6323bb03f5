from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from kb.models import Article, Category, Feedback, Version


class ReadOnlyAdmin(admin.ModelAdmin):
    """Content comes from content/ through load_content; the admin only shows it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = Version
    fields = ["number", "title", "created_at", "reviewed", "change_note", "link"]
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Page")
    def link(self, version):
        return format_html('<a href="{}">view</a>', version.get_absolute_url())


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "position"]


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["slug", "title", "category", "version_number", "updated", "archived_at"]
    list_filter = ["category", "archived_at", "tags"]
    search_fields = ["slug", "current_version__title"]
    list_select_related = ["current_version", "category"]
    inlines = [VersionInline]

    @admin.display(description="Version", ordering="current_version__number")
    def version_number(self, article):
        return article.current_version.number if article.current_version else None

    @admin.display(description="Updated", ordering="current_version__created_at")
    def updated(self, article):
        return article.current_version.created_at if article.current_version else None


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["article", "number", "title", "created_at", "reviewed", "change_note"]
    list_filter = ["article__category", "created_at"]
    search_fields = ["article__slug", "title", "change_note"]
    list_select_related = ["article"]
    exclude = ["html"]
    readonly_fields = ["page"]

    @admin.display(description="Page")
    def page(self, version):
        return format_html(
            '<a href="{}">{}</a>', version.get_absolute_url(), version.get_absolute_url()
        )


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "version", "helpful", "short_comment"]
    list_filter = ["helpful", "created_at", "version__article"]
    search_fields = ["comment", "version__article__slug"]
    list_select_related = ["version__article"]
    readonly_fields = ["version", "helpful", "comment", "created_at", "version_page"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Comment")
    def short_comment(self, feedback):
        return feedback.comment[:80]

    @admin.display(description="Version read")
    def version_page(self, feedback):
        url = reverse("kb:version", args=[feedback.version.article.slug, feedback.version.number])
        return format_html('<a href="{}">{}</a>', url, feedback.version)
