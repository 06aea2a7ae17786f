"""What no admin page may filter, search, sort, reference or show: posters' emails and the like.

Django's admin answers a lookup on any field of a model put in the query string
(``?user_email__startswith=a``), and through relations with ``limit_choices_to`` or a list filter:
an empty list or a full one is one bit, so a staff user could read a poster's email or address
hash one character at a time. ``PrivateAdmin`` refuses every lookup that is not one of its own list
filters' parameters, and any lookup or popup reference that reaches a protected field;
``check_admin_privacy`` (a system check, run by ``manage.py check`` and by the tests) refuses any
registered admin that is not a ``PrivateAdmin`` or names a protected field where it would be
listed, searched, sorted, filtered, shown or edited.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django import forms
from django.contrib import admin
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

# Fields that identify a poster or hold a secret, by the model that declares them. Emails and
# client addresses are protected wherever they are, by their type.
PROTECTED_FIELDS = {
    "django_comments.comment": {"user_email", "ip_address"},
    "comments.orgcomment": {"address_hash", "confirmation_hash", "fingerprint", "minhash"},
    "comments.minhashband": {"key"},
    "auth.user": {"email", "password"},
    "campaign.organisation": {"contact_email"},
    "sessions.session": {"session_key", "session_data"},
}
PROTECTED_TYPES = (models.EmailField, models.GenericIPAddressField)

# The parameters Django's own field list filters read, after the field's path.
FILTER_SUFFIXES = ("exact", "isnull", "gte", "lt", "isempty")
DATE_HIERARCHY_SUFFIXES = ("year", "month", "day")
# The options of a ModelAdmin that name fields to list, search, sort, reference or show.
LISTED_OPTIONS = (
    "list_display", "list_display_links", "search_fields", "ordering", "sortable_by", "raw_id_fields",
    "autocomplete_fields", "list_editable", "readonly_fields", "filter_horizontal", "filter_vertical",
)  # fmt: skip


def is_protected(field) -> bool:
    """Return whether a model field is an email, an address, a hash, a token or a fingerprint."""
    if isinstance(field, PROTECTED_TYPES):
        return True
    model = getattr(field, "model", None)
    return model is not None and field.name in PROTECTED_FIELDS.get(model._meta.label_lower, ())


def touches_protected(model: type[models.Model], path: str) -> bool:
    """Return whether a lookup path (``comments__user_email__startswith``) reaches a protected field."""
    for part in path.lstrip("-?^=@").split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # the rest is a lookup or a transform
        if is_protected(field):
            return True
        if not getattr(field, "path_infos", None):
            return False
        model = field.path_infos[-1].to_opts.model
    return False


class PrivateAdmin:
    """Mix into every ModelAdmin (before it): lookups only through the admin's own list filters."""

    def lookup_allowed(self, lookup: str, value, request=None) -> bool:
        if touches_protected(self.model, lookup):
            return False
        return lookup in self.filter_parameters(request) or self._limits_choices(lookup, value)

    def filter_parameters(self, request) -> set[str]:
        """Return the query parameters this admin's list filters and date hierarchy read."""
        names = set()
        if self.date_hierarchy:
            names.update(f"{self.date_hierarchy}__{suffix}" for suffix in DATE_HIERARCHY_SUFFIXES)
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                names.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, list | tuple) else item
            names.update(f"{path}__{suffix}" for suffix in FILTER_SUFFIXES)
            field = _field_at(self.model, path)
            target = getattr(field, "target_field", None) if field is not None and field.is_relation else None
            if target is not None:
                names.add(f"{path}__{target.name}__exact")
        return names

    def _limits_choices(self, lookup: str, value) -> bool:
        # A raw-id popup narrows its list by the relation's limit_choices_to: Django lets that through.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            choices = fk_lookup() if callable(fk_lookup) else fk_lookup
            if (lookup, value) in url_params_from_lookup_dict(choices).items():
                return True
        return False

    def to_field_allowed(self, request, to_field: str) -> bool:
        # A popup's list carries each row's value of this field: never a protected one.
        return not touches_protected(self.model, to_field) and super().to_field_allowed(request, to_field)


def _field_at(model: type[models.Model], path: str):
    field = None
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if getattr(field, "path_infos", None):
            model = field.path_infos[-1].to_opts.model
    return field


def _names(model_admin) -> Iterator[tuple[str, str]]:
    """Yield (option, field path) for every field an admin lists, searches, sorts, filters or shows."""
    for option in LISTED_OPTIONS:
        for name in getattr(model_admin, option, None) or ():
            if isinstance(name, str):
                yield option, name
                yield from _display_ordering(model_admin, option, name)
    for item in getattr(model_admin, "list_filter", None) or ():
        if isinstance(item, str | list | tuple):
            yield "list_filter", item if isinstance(item, str) else item[0]
    if getattr(model_admin, "date_hierarchy", None):
        yield "date_hierarchy", model_admin.date_hierarchy
    for source, targets in (getattr(model_admin, "prepopulated_fields", None) or {}).items():
        for name in (source, *targets):
            yield "prepopulated_fields", name
    for option, names in _form_fields(model_admin):
        for name in names:
            yield option, name


def _display_ordering(model_admin, option: str, name: str) -> Iterator[tuple[str, str]]:
    # A column computed by a method sorts by its admin_order_field.
    method = getattr(model_admin, name, None) or getattr(model_admin.model, name, None)
    ordering = getattr(method, "admin_order_field", None)
    if isinstance(ordering, str):
        yield f"{option} ({name}'s ordering)", ordering


def _form_fields(model_admin) -> Iterator[tuple[str, Iterable[str]]]:
    for option in ("fieldsets", "add_fieldsets"):
        if getattr(model_admin, option, None):
            yield option, flatten_fieldsets(getattr(model_admin, option))
    if model_admin.fields:
        yield "fields", flatten_fieldsets([(None, {"fields": model_admin.fields})])
    if not model_admin.fields and not getattr(model_admin, "fieldsets", None):
        # No fields named: the form shows every editable field that is not excluded.
        excluded = set(model_admin.exclude or ())
        opts = model_admin.model._meta
        editable = [f.name for f in (*opts.concrete_fields, *opts.many_to_many) if f.editable and not f.auto_created]
        yield "the default form", [name for name in editable if name not in excluded]


def admin_privacy_errors(site: admin.AdminSite) -> list[checks.Error]:
    """Return an error for each registered admin, or inline, that could reveal a protected field."""
    errors = []
    for model, model_admin in site._registry.items():
        for checked in (model_admin, *(inline(model, site) for inline in model_admin.inlines)):
            label = f"{type(checked).__module__}.{type(checked).__qualname__}"
            if not isinstance(checked, PrivateAdmin) and checked is model_admin:
                message = f"{label} does not refuse unknown lookups."
                errors.append(checks.Error(message, hint="Mix in PrivateAdmin.", obj=type(checked), id="campaign.E101"))
            errors.extend(
                checks.Error(f"{label}.{option} names {name}, a protected field.", obj=label, id="campaign.E102")
                for option, name in _names(checked)
                if touches_protected(checked.model, name)
            )
    return errors


@checks.register(checks.Tags.admin)
def check_admin_privacy(app_configs=None, **kwargs) -> list[checks.Error]:
    """Refuse to start with an admin that could reveal a poster's email, address hash or token."""
    return admin_privacy_errors(admin.site)


class WriteOnlyAddress(forms.Form):
    """Mix into a ModelForm (before it) to set or forget an email without showing the one on record.

    The form names ``write_only_field`` nowhere in its fields; a new address typed here replaces
    the recorded one, and the tick box empties it. The change log names the field, never a value.
    """

    write_only_field = "email"

    new_address = forms.EmailField(
        label=_("New email address"),
        required=False,
        help_text=_("The address on record is never shown. Leave this empty to keep it."),
    )
    forget_address = forms.BooleanField(label=_("Forget the email address on record"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("new_address"):
            setattr(self.instance, self.write_only_field, data["new_address"])
        elif data.get("forget_address"):
            setattr(self.instance, self.write_only_field, "")
        return data
