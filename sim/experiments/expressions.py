"""Small, safe arithmetic expressions for derived sweep parameters.

A derived parameter maps its value onto scenario settings, e.g.::

    obsessed_share:
      levels: [0.0, 0.5, 1.0]
      set:
        firms.0.count: round(10 * obsessed_share)
        firms.1.count: 10 - round(10 * obsessed_share)

Expressions are parsed with :mod:`ast` and evaluated by walking the tree: numbers,
strings, names of parameters and constants, arithmetic, comparisons, ``a if c else b``
and a handful of functions. Nothing else (no attributes, no subscripts, no imports) is
accepted, so a sweep file can never run arbitrary code.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "ceil": math.ceil,
    "exp": math.exp,
    "float": float,
    "floor": math.floor,
    "int": int,
    "log": math.log,
    "max": max,
    "min": min,
    "round": round,
    "sqrt": math.sqrt,
}

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
MAX_EXPONENT = 64


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated."""


class Expression:
    """A parsed expression with the names it reads.

    Args:
        text: the expression, e.g. ``"10 - round(10 * share)"``.

    Raises:
        ExpressionError: on a syntax error or a construct that is not allowed.
    """

    def __init__(self, text: str):
        self.text = text
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise ExpressionError(f"not a valid expression: {exc.msg}") from None
        self._tree = tree.body
        self.names: frozenset[str] = frozenset(_check(self._tree))

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """Value of the expression with names taken from ``env``.

        Args:
            env: values of parameters and constants by name.

        Returns:
            The value (a Python number, string or bool).

        Raises:
            ExpressionError: on an unknown name or an arithmetic error.
        """
        try:
            return _evaluate(self._tree, env)
        except ExpressionError:
            raise
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise ExpressionError(f"{self.text!r} failed: {exc}") from None

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _check(node: ast.AST) -> set[str]:
    """Names read by ``node``; raises on constructs outside the small language."""
    match node:
        case ast.Constant(value=value):
            if not isinstance(value, (int, float, str, bool)):
                raise ExpressionError(f"constant {value!r} is not allowed")
            return set()
        case ast.Name(id=name):
            return {name}
        case ast.BinOp(left=left, op=op, right=right):
            if type(op) not in _BINARY:
                raise ExpressionError(f"operator {type(op).__name__} is not allowed")
            return _check(left) | _check(right)
        case ast.UnaryOp(op=op, operand=operand):
            if type(op) not in _UNARY:
                raise ExpressionError(f"operator {type(op).__name__} is not allowed")
            return _check(operand)
        case ast.BoolOp(values=values):
            return set().union(*(_check(value) for value in values))
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            for comparison in ops:
                if type(comparison) not in _COMPARE:
                    raise ExpressionError(f"comparison {type(comparison).__name__} is not allowed")
            return _check(left).union(*(_check(item) for item in comparators))
        case ast.IfExp(test=test, body=body, orelse=orelse):
            return _check(test) | _check(body) | _check(orelse)
        case ast.Call(func=ast.Name(id=function), args=args, keywords=keywords):
            if function not in FUNCTIONS:
                allowed = ", ".join(sorted(FUNCTIONS))
                raise ExpressionError(f"function {function!r} is not allowed (allowed: {allowed})")
            if keywords:
                raise ExpressionError(f"{function}() takes positional arguments only")
            return set().union(*(_check(arg) for arg in args))
        case _:
            raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")


def _evaluate(node: ast.AST, env: Mapping[str, Any]) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            if name not in env:
                raise ExpressionError(f"unknown name {name!r}")
            return env[name]
        case ast.BinOp(left=left, op=op, right=right):
            a, b = _evaluate(left, env), _evaluate(right, env)
            if isinstance(op, ast.Pow) and isinstance(b, (int, float)) and abs(b) > MAX_EXPONENT:
                raise ExpressionError(f"exponent {b} is larger than {MAX_EXPONENT}")
            return _BINARY[type(op)](a, b)
        case ast.UnaryOp(op=op, operand=operand):
            return _UNARY[type(op)](_evaluate(operand, env))
        case ast.BoolOp(op=op, values=values):
            if isinstance(op, ast.And):
                result: Any = True
                for part in values:
                    result = _evaluate(part, env)
                    if not result:
                        return result
                return result
            result = False
            for part in values:
                result = _evaluate(part, env)
                if result:
                    return result
            return result
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _evaluate(left, env)
            for comparison, item in zip(ops, comparators, strict=True):
                right = _evaluate(item, env)
                if not _COMPARE[type(comparison)](current, right):
                    return False
                current = right
            return True
        case ast.IfExp(test=test, body=body, orelse=orelse):
            return _evaluate(body, env) if _evaluate(test, env) else _evaluate(orelse, env)
        case ast.Call(func=ast.Name(id=function), args=args):
            return FUNCTIONS[function](*(_evaluate(arg, env) for arg in args))
    raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")
