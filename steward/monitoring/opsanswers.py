"""Operational monitoring reports (seed 003 roles table, "Operational Monitoring of Contracts"):
the questions of a template the contract manager issues, and the answers an operational team
gives. Plain rules, no Django: a question is a dict {"key", "prompt", "answer_type",
"required"}; answers map each question's key to a value."""

from __future__ import annotations

import re
from typing import Any

#: answer types and their plain names
ANSWER_TYPES = {
    "text": "Text",
    "yes_no": "Yes or no",
    "number": "A number (0 or more)",
    "rating": "A rating from 1 to 5",
}
MAX_QUESTIONS = 40


def _key(prompt: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", prompt.lower()).strip("_")[:60] or "question"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def clean_questions(raw: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Check a template's questions: at least one, each with a prompt and a known answer type.
    Returns (questions with stable keys, errors keyed "questions" or "questions.N.field")."""
    errors: dict[str, list[str]] = {}
    if not isinstance(raw, list) or not raw:
        return [], {"questions": ["Add at least one question."]}
    if len(raw) > MAX_QUESTIONS:
        return [], {"questions": [f"At most {MAX_QUESTIONS} questions."]}
    out: list[dict[str, Any]] = []
    taken: set[str] = set()
    for n, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        prompt = str(item.get("prompt") or "").strip()
        answer_type = str(item.get("answer_type") or "").strip()
        if not prompt:
            errors[f"questions.{n}.prompt"] = ["Write the question."]
        if answer_type not in ANSWER_TYPES:
            errors[f"questions.{n}.answer_type"] = ["Choose text, yes_no, number or rating."]
        key = str(item.get("key") or "").strip() or _key(prompt, taken)
        if key in taken:
            key = _key(prompt, taken)
        taken.add(key)
        out.append(
            {
                "key": key,
                "prompt": prompt,
                "answer_type": answer_type,
                "required": bool(item.get("required", True)),
            }
        )
    return out, errors


def _answer(answer_type: str, value: Any) -> tuple[Any, str]:
    """(cleaned value, error message or "")."""
    if answer_type == "text":
        return str(value).strip(), ""
    if answer_type == "yes_no":
        if isinstance(value, bool):
            return value, ""
        text = str(value).strip().lower()
        if text in ("yes", "true", "1"):
            return True, ""
        if text in ("no", "false", "0"):
            return False, ""
        return None, "Answer yes or no."
    try:
        number = float(str(value).strip())
    except ValueError:
        return None, "Enter a number."
    if answer_type == "number":
        if number < 0:
            return None, "Enter 0 or more."
        return (int(number) if number == int(number) else number), ""
    if number != int(number) or not 1 <= number <= 5:
        return None, "Choose a rating from 1 to 5."
    return int(number), ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_answers(
    questions: list[dict[str, Any]], raw: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check answers against the questions: every required question answered, each answer of
    its type. Unknown keys are refused. Returns (answers, errors keyed "answers.KEY")."""
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    known = {q["key"] for q in questions}
    for key in raw:
        if key not in known:
            errors[f"answers.{key}"] = ["No such question on this template."]
    for q in questions:
        value = raw.get(q["key"])
        if _blank(value):
            if q.get("required", True):
                errors[f"answers.{q['key']}"] = ["Answer this question."]
            continue
        cleaned, problem = _answer(q["answer_type"], value)
        if problem:
            errors[f"answers.{q['key']}"] = [problem]
        else:
            answers[q["key"]] = cleaned
    return answers, errors
