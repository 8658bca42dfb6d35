"""Brief templates: plain ``{name}`` placeholders, filled by substitution, never by ``str.format``.

Why: a brief template is text from a user's YAML, and ``str.format`` runs whatever a placeholder asks
for. ``{cost:>999999999}`` pads one number to a billion characters (84 s and about 1 GB per render) and
``{item.__class__}`` renders a Python class name. Here a template is split with
``string.Formatter().parse`` (the grammar users know, so ``{{`` and ``}}`` still write literal braces),
every placeholder must be a bare known name, and rendering only pastes the values in.

    >>> render("Sell the {item} for {currency}{opening}; {{braces}} stay.",
    ...        {"item": "balloon", "currency": "$", "opening": "20"})
    'Sell the balloon for $20; {braces} stay.'
    >>> template_problem("{cost:>999999999}", ["cost"])
    "malformed template: placeholder {cost:>999999999} must be a plain {name} (no ':', '!', '.' or '[')"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from string import Formatter

__all__ = ["render", "template_problem"]

_SHOWN = 40  # a placeholder quoted in an error is cut to this many characters


def template_problem(template: str, names: Iterable[str]) -> str | None:
    """Why ``template`` is not a plain-placeholder template over ``names``; None when it is."""
    known = list(names)
    try:
        parts = list(Formatter().parse(template))
    except ValueError as exc:
        return f"malformed template ({exc}); write literal braces as {{{{ and }}}}"
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if spec or conversion or not field.isidentifier():
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            if len(shown) > _SHOWN:
                shown = shown[: _SHOWN - 4] + "...}"
            return f"malformed template: placeholder {shown} must be a plain {{name}} (no ':', '!', '.' or '[')"
        if field not in known:
            return f"unknown placeholder {{{field}}}; known: {', '.join('{' + name + '}' for name in known)}"
    return None


def render(template: str, values: Mapping[str, object]) -> str:
    """``template`` with each ``{name}`` replaced by ``str(values[name])``; ValueError if it is not plain."""
    problem = template_problem(template, values)
    if problem is not None:
        raise ValueError(problem)
    return "".join(
        literal + ("" if field is None else str(values[field])) for literal, field, _, _ in Formatter().parse(template)
    )
