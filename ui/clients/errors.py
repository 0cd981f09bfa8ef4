"""A failed call as the UI reads it: `ApiError`, told in the reader's language.

The words come from `texts.errors` by the answer's reasons (ErrorReason, then each field's
FieldReason, then the status code), never from the English message of the service.
"""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from services.common.client.errors import problem_of
from texts import errors as words


class ApiError(Exception):
    """A failed call. `message` is in the reader's language; `violations` maps each bad
    field, by the last segment of its path (`title`, `email`, `desired_date`), to its
    problem in words. The form labels the fields itself (`explain`)."""

    def __init__(self, message: str, *, code: grpc.StatusCode | None = None, reason: str = '',
                 violations: dict[str, str] | None = None, language: str = 'ru'):
        super().__init__(message)
        self.message, self.code, self.reason = message, code, reason
        self.violations = violations or {}
        self.language = language

    @property
    def session_expired(self) -> bool:
        return self.code == grpc.StatusCode.UNAUTHENTICATED

    @property
    def not_found(self) -> bool:
        """Missing, or not the reader's to see: the services answer both alike."""
        return self.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED)

    @property
    def password_change_required(self) -> bool:
        return self.reason == 'PASSWORD_CHANGE_REQUIRED'

    def explain(self, labels: Mapping[str, str]) -> str:
        """The message, with each bad field under the form's label for it when there are
        any: «Проверьте поля: Название — не длиннее 200 символов»."""
        if not self.violations:
            return self.message
        return words.field_problems([(labels.get(field, field), problem)
                                     for field, problem in self.violations.items()],
                                    self.language)


def api_error(error: grpc.RpcError, language: str) -> ApiError:
    """A failed call's status in the words of `language`."""
    problem = problem_of(error)
    violations: dict[str, str] = {}
    for bad in problem.fields:
        text = words.field_message(bad.reason, bad.params, language)
        key = bad.name or bad.field
        if key not in violations:
            violations[key] = text
        elif text not in violations[key]:
            violations[key] = f'{violations[key]}; {text}'
    message = words.error_message(problem.reason, problem.code.name, language, problem.metadata)
    return ApiError(message, code=problem.code, reason=problem.reason, violations=violations,
                    language=language)


def failure(code: grpc.StatusCode, reason: str, language: str) -> ApiError:
    """An error the client itself finds (no call failed), in the same words."""
    return ApiError(words.error_message(reason, code.name, language), code=code, reason=reason,
                    language=language)
