"""The HCL expression tokenizer.

``Lexer`` turns expression text into ``Token`` values on demand (one token of lookahead) and
skips whitespace, newlines and comments between tokens. Templates are not tokenized here: when
the parser meets an opening quote or a heredoc header it reads the template characters itself
from ``Lexer.text`` at ``Lexer.pos`` (the lookahead buffer is empty at that point), switching
back to tokens for each ``${ ... }`` interpolation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SKIP = re.compile(r"(?:[ \t\r\n]+|#[^\n]*|//[^\n]*|/\*.*?\*/)+", re.DOTALL)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_OPERATOR = re.compile(r"==|!=|<=|>=|&&|\|\||=>|\.\.\.|::|[-+*/%<>!?:=.,()\[\]{}~\"]")


class HCLSyntaxError(Exception):
    """A syntax error in an expression, at a 1-based line of the source file."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "ident", "number", "op", "heredoc", "eof"
    text: str
    pos: int
    line: int
    end: int


class Lexer:
    """Tokens of ``text``; ``first_line`` is the file line on which ``text`` starts."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.pos = 0
        self.line = first_line
        self._peeked: Token | None = None

    # -- character-level access for the template reader ------------------------------------
    def advance(self, count: int) -> None:
        """Move ``count`` characters forward, keeping the line number."""
        assert self._peeked is None, "advance() with a buffered token"
        end = self.pos + count
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end

    # -- tokens -------------------------------------------------------------------------------
    def peek(self) -> Token:
        if self._peeked is None:
            self._peeked = self._scan()
        return self._peeked

    def next(self) -> Token:
        token = self.peek()
        self._peeked = None
        self.line += self.text.count("\n", self.pos, token.end)
        self.pos = token.end
        return token

    def _scan(self) -> Token:
        text, pos = self.text, self.pos
        line = self.line
        skipped = _SKIP.match(text, pos)
        if skipped:
            line += text.count("\n", pos, skipped.end())
            pos = skipped.end()
        if pos >= len(text):
            return Token("eof", "", pos, line, pos)
        ch = text[pos]
        if ch.isalpha() or ch == "_":
            m = _IDENT.match(text, pos)
            assert m
            return Token("ident", m.group(), pos, line, m.end())
        if ch.isdigit():
            m = _NUMBER.match(text, pos)
            assert m
            return Token("number", m.group(), pos, line, m.end())
        if ch == "<":
            m = _HEREDOC.match(text, pos)
            if m:
                return Token("heredoc", m.group(1) + m.group(2), pos, line, m.end())
        m = _OPERATOR.match(text, pos)
        if m:
            return Token("op", m.group(), pos, line, m.end())
        if text.startswith("/*", pos):
            raise HCLSyntaxError("Unterminated comment: a /* comment has no closing */.", line)
        raise HCLSyntaxError(f"Invalid character {ch!r} in expression.", line)
