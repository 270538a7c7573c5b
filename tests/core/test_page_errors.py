"""A page view reports an action's refusal one way: on the form, or as a flash message, with a 400 outcome."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from leveller.core.page_errors import error_text, reported


class NameForm(forms.Form):
    name = forms.CharField(required=False)


def a_request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def flashed(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_a_refusal_of_the_values_goes_onto_the_form_field_it_names():
    form = NameForm({"name": "x"})
    form.is_valid()
    with reported(a_request(), form=form) as outcome:
        raise ValidationError({"name": "That name is taken.", "other": "Something else."})
    assert not outcome.ok and outcome.status == 400
    assert form.errors["name"] == ["That name is taken."]
    assert form.non_field_errors() == ["Something else."]


def test_without_a_form_the_refusal_is_flashed():
    request = a_request()
    with reported(request) as outcome:
        raise ValidationError("Join the channel first.")
    assert outcome.text == "Join the channel first."
    assert flashed(request) == ["Join the channel first."]


def test_a_refusal_of_the_person_reaches_the_403_page_unless_asked_for():
    with pytest.raises(PermissionDenied), reported(a_request()):
        raise PermissionDenied("Only organisers can do that.")
    request = a_request()
    with reported(request, denied=True) as outcome:
        raise PermissionDenied("Only organisers can do that.")
    assert outcome.messages == ["Only organisers can do that."] and flashed(request) == outcome.messages


def test_other_errors_are_not_swallowed_and_success_is_ok():
    with pytest.raises(KeyError), reported(a_request()):
        raise KeyError("bug")
    with reported(a_request()) as outcome:
        pass
    assert outcome.ok and outcome.status == 200 and outcome.text == "" and outcome.messages == []


def test_error_text_joins_messages_and_names_an_empty_denial():
    assert error_text(ValidationError(["One.", "Two."])) == "One. Two."
    assert error_text(PermissionDenied()) == "You may not do that."
