"""Passwords: argon2id hashes holding their own salt, a check that answers False (never raises) for a
wrong password or a damaged hash, and the strength rule's Chinese reason."""

from __future__ import annotations

import pytest

from kpi.access.passwords import hash_password, needs_rehash, password_problem, verify_password


def test_a_hash_is_argon2id_salted_and_never_the_password():
    first, second = hash_password("正确的马电池订书钉"), hash_password("正确的马电池订书钉")
    assert first.startswith("$argon2id$") and second.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert "正确的马电池订书钉" not in first
    assert not needs_rehash(first)


def test_verify_answers_true_only_for_the_same_password():
    hashed = hash_password("Secret-2024!")
    assert verify_password(hashed, "Secret-2024!") is True
    assert verify_password(hashed, "secret-2024!") is False
    assert verify_password(hashed, "") is False


@pytest.mark.parametrize("damaged", ["", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$broken", "plain-text"])
def test_verify_on_a_damaged_hash_is_false_not_an_exception(damaged):
    assert verify_password(damaged, "plain-text") is False
    assert needs_rehash(damaged) is False


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", "密码太短：至少 8 个字符"),
        ("1234567", "密码太短：至少 8 个字符"),
        ("        ", "密码不能全是空格"),
        ("12345678", None),
        ("合同管理密码一二", None),  # eight characters, whatever their bytes
    ],
)
def test_password_problem(password, problem):
    assert password_problem(password) == problem
