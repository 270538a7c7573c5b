"""The one way page views report an action's refusal: as the form's errors or as a flash message.

Actions refuse with ValidationError (the values) or PermissionDenied (the person). The API turns both into
JSON centrally (leveller/api.py); a page view wraps the action call instead:

    with reported(request, form=form) as outcome:      # errors onto the form (fields where it has them)
        group = actions.propose_group(actor=request.user, ...)
    if outcome.ok:
        return redirect(group.get_absolute_url())
    return render(request, "groups/propose.html", {"form": form}, status=outcome.status)

    with reported(request, denied=True) as outcome:    # no form: a flash message (messages.error)
        actions.join_group(actor=request.user, group=group)
    if outcome.ok:
        messages.success(request, "You joined.")

A ValidationError is always reported; a PermissionDenied only with `denied=True` (otherwise it goes on to the
403 page, which is the right answer when the person should not have seen the button at all). `outcome.status`
is 200 when the action went through and 400 when it was refused, for a page that renders the form again;
`outcome.denied` tells a refusal of the person from one of the values, for a page that answers 403 to the first.
`field=` puts every message of the refusal on one form field (an upload's file, a code), whatever it names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

DENIED = "You may not do that."


def error_text(error: ValidationError | PermissionDenied) -> str:
    """The refusal as one sentence (or several, space-separated) for a flash message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or DENIED


def add_to_form(form, error: ValidationError | PermissionDenied, *, on_fields: bool = True) -> None:
    """The refusal as form errors: each message on its field where the form has one (`on_fields`), else on top."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or DENIED)
    elif on_fields and hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@dataclass
class Outcome:
    error: ValidationError | PermissionDenied | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def denied(self) -> bool:
        """Refused because of who is asking (PermissionDenied) rather than what they sent."""
        return isinstance(self.error, PermissionDenied)

    @property
    def status(self) -> int:
        return 200 if self.error is None else 400

    @property
    def messages(self) -> list[str]:
        """Each message on its own (for a page that lists them)."""
        if self.error is None:
            return []
        if isinstance(self.error, ValidationError):
            return list(self.error.messages)
        return [str(self.error) or DENIED]

    @property
    def text(self) -> str:
        return "" if self.error is None else error_text(self.error)


class reported:  # a context manager, named like contextlib.suppress
    """Report an action's ValidationError (and with `denied`, PermissionDenied) on `form`, or as a flash
    message when there is no form (`flash=False`: only record it on the outcome, for the view to show)."""

    def __init__(
        self,
        request,
        *,
        form=None,
        denied: bool = False,
        denied_field: str | None = None,
        field: str | None = None,
        flash: bool = True,
        on_fields: bool = True,
    ):
        self.request, self.form, self.flash, self.on_fields = request, form, flash, on_fields
        self.denied_field = denied_field  # a PermissionDenied goes on this form field (implies `denied`)
        self.field = field  # every message goes on this form field
        denied = denied or denied_field is not None
        self.kinds: tuple[type[Exception], ...] = (ValidationError, PermissionDenied) if denied else (ValidationError,)
        self.outcome = Outcome()

    def __enter__(self) -> Outcome:
        return self.outcome

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or not isinstance(error, (ValidationError, PermissionDenied)):
            return False
        if not isinstance(error, self.kinds):
            return False
        self.outcome.error = error
        if self.form is not None and self.denied_field and isinstance(error, PermissionDenied):
            self.form.add_error(self.denied_field, str(error) or DENIED)
        elif self.form is not None and self.field:
            for message in self.outcome.messages:
                self.form.add_error(self.field, message)
        elif self.form is not None:
            add_to_form(self.form, error, on_fields=self.on_fields)
        elif self.flash:
            messages.error(self.request, error_text(error))
        return True
