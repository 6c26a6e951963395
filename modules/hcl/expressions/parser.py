"""Recursive-descent parser for HCL native-syntax expressions and string templates.

``parse_expression(text, first_line)`` parses one whole expression (the text of an attribute's
right-hand side); ``parse_template(text, first_line)`` parses template text without quotes (a
Terraform-JSON string). Both raise ``HCLSyntaxError`` with the file line of the problem.

Operator precedence, lowest first: ``? :``, ``||``, ``&&``, ``== !=``, ``< > <= >=``,
``+ -``, ``* / %``, unary ``! -``, then postfix traversals (``.name``, ``[key]``, ``[*]``,
``.*``). This matches the HCL native syntax specification.
"""

from __future__ import annotations

from albform.modules.hcl.expressions import ast
from albform.modules.hcl.expressions.lexer import HCLSyntaxError, Lexer, Token

_BINARY_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"||"}),
    frozenset({"&&"}),
    frozenset({"==", "!="}),
    frozenset({"<", ">", "<=", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "/", "%"}),
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def parse_expression(text: str, first_line: int = 1) -> ast.Node:
    parser = _Parser(Lexer(text, first_line))
    node = parser.expression()
    token = parser.lexer.peek()
    if token.kind != "eof":
        raise HCLSyntaxError(f"Extra characters after the expression: {token.text!r}.", token.line)
    return node


def parse_template(text: str, first_line: int = 1) -> ast.Node:
    """A template given without its quotes (JSON string values, heredoc bodies)."""
    parser = _Parser(Lexer(text, first_line))
    return parser.template(terminator=None, line=first_line)


class _Parser:
    def __init__(self, lexer: Lexer) -> None:
        self.lexer = lexer

    # -- helpers -------------------------------------------------------------------------------
    def _is(self, text: str) -> bool:
        token = self.lexer.peek()
        return token.kind == "op" and token.text == text

    def _accept(self, text: str) -> bool:
        if self._is(text):
            self.lexer.next()
            return True
        return False

    def _expect(self, text: str, what: str) -> Token:
        token = self.lexer.peek()
        if token.kind != "op" or token.text != text:
            found = "end of expression" if token.kind == "eof" else repr(token.text)
            raise HCLSyntaxError(f"Expected {text!r} {what}, found {found}.", token.line)
        return self.lexer.next()

    def _ident(self, what: str) -> Token:
        token = self.lexer.peek()
        if token.kind != "ident":
            found = "end of expression" if token.kind == "eof" else repr(token.text)
            raise HCLSyntaxError(f"Expected {what}, found {found}.", token.line)
        return self.lexer.next()

    # -- expressions -----------------------------------------------------------------------------
    def expression(self) -> ast.Node:
        condition = self._binary(0)
        if self._is("?"):
            line = self.lexer.next().line
            then = self.expression()
            self._expect(":", "in a conditional expression")
            otherwise = self.expression()
            return ast.Conditional(line, condition, then, otherwise)
        return condition

    def _binary(self, level: int) -> ast.Node:
        if level == len(_BINARY_LEVELS):
            return self._unary()
        left = self._binary(level + 1)
        ops = _BINARY_LEVELS[level]
        while True:
            token = self.lexer.peek()
            if token.kind != "op" or token.text not in ops:
                return left
            self.lexer.next()
            right = self._binary(level + 1)
            left = ast.Binary(token.line, token.text, left, right)

    def _unary(self) -> ast.Node:
        token = self.lexer.peek()
        if token.kind == "op" and token.text in ("!", "-"):
            self.lexer.next()
            operand = self._unary()
            if token.text == "-" and isinstance(operand, ast.Literal) and isinstance(
                    operand.value, int | float) and not isinstance(operand.value, bool):
                return ast.Literal(token.line, -operand.value)
            return ast.Unary(token.line, token.text, operand)
        return self._postfix(self._primary())

    def _postfix(self, node: ast.Node) -> ast.Node:
        while True:
            token = self.lexer.peek()
            if token.kind != "op":
                return node
            if token.text == ".":
                self.lexer.next()
                node = self._dot_step(node, splat_allowed=True)
            elif token.text == "[":
                self.lexer.next()
                if self._accept("*"):
                    self._expect("]", "to close a splat [*]")
                    each = self._splat_steps(ast.SplatItem(token.line), full=True)
                    node = ast.Splat(token.line, node, each)
                else:
                    key = self.expression()
                    self._expect("]", "to close an index")
                    node = ast.Index(token.line, node, key)
            else:
                return node

    def _dot_step(self, node: ast.Node, *, splat_allowed: bool) -> ast.Node:
        token = self.lexer.peek()
        if token.kind == "ident":
            self.lexer.next()
            return ast.GetAttr(token.line, node, token.text)
        if token.kind == "number" and token.text.isdigit():  # legacy index: a.0
            self.lexer.next()
            return ast.Index(token.line, node, ast.Literal(token.line, int(token.text)))
        if splat_allowed and token.kind == "op" and token.text == "*":
            self.lexer.next()
            each = self._splat_steps(ast.SplatItem(token.line), full=False)
            return ast.Splat(token.line, node, each)
        raise HCLSyntaxError("Expected an attribute name after '.'.", token.line)

    def _splat_steps(self, item: ast.Node, *, full: bool) -> ast.Node:
        """The traversal after a splat, applied to each element (attribute-only for ``.*``)."""
        node = item
        while True:
            token = self.lexer.peek()
            if token.kind == "op" and token.text == ".":
                self.lexer.next()
                node = self._dot_step(node, splat_allowed=False)
            elif full and token.kind == "op" and token.text == "[":
                self.lexer.next()
                if self._is("*"):
                    raise HCLSyntaxError("Nested splat expressions are not supported.", token.line)
                key = self.expression()
                self._expect("]", "to close an index")
                node = ast.Index(token.line, node, key)
            else:
                return node

    def _primary(self) -> ast.Node:
        token = self.lexer.peek()
        if token.kind == "number":
            self.lexer.next()
            text = token.text
            if "." in text or "e" in text or "E" in text:
                value = float(text)
                return ast.Literal(token.line, int(value) if value.is_integer()
                                   and abs(value) < 2**53 else value)
            return ast.Literal(token.line, int(text))
        if token.kind == "ident":
            self.lexer.next()
            if token.text == "true":
                return ast.Literal(token.line, True)
            if token.text == "false":
                return ast.Literal(token.line, False)
            if token.text == "null":
                return ast.Literal(token.line, None)
            if self._is("::"):
                raise HCLSyntaxError(
                    f"Provider-defined functions ({token.text}::...) are not supported.",
                    token.line)
            if self._is("("):
                return self._call(token)
            return ast.Variable(token.line, token.text)
        if token.kind == "heredoc":
            self.lexer.next()
            return self._heredoc(token)
        if token.kind == "op":
            if token.text == '"':
                self.lexer.next()
                return self.template(terminator='"', line=token.line)
            if token.text == "(":
                self.lexer.next()
                inner = self.expression()
                self._expect(")", "to close the parenthesis")
                return ast.Parens(token.line, inner)
            if token.text == "[":
                self.lexer.next()
                return self._tuple(token)
            if token.text == "{":
                self.lexer.next()
                return self._object(token)
        found = "end of expression" if token.kind == "eof" else repr(token.text)
        raise HCLSyntaxError(f"Expected an expression, found {found}.", token.line)

    def _call(self, name: Token) -> ast.Node:
        self._expect("(", "")
        args: list[ast.Node] = []
        expand = False
        while not self._is(")"):
            args.append(self.expression())
            if self._accept("..."):
                expand = True
                break
            if not self._accept(","):
                break
        self._expect(")", f"to close the call to {name.text}()")
        return ast.FunctionCall(name.line, name.text, tuple(args), expand)

    def _starts_for(self) -> bool:
        token = self.lexer.peek()
        return token.kind == "ident" and token.text == "for"

    def _tuple(self, open_token: Token) -> ast.Node:
        if self._starts_for():
            save = (self.lexer.pos, self.lexer.line)
            self.lexer.next()
            if self.lexer.peek().kind == "ident":
                return self._for(open_token, is_object=False)
            # "[for]" etc.: not a for expression; rewind and parse as a tuple element.
            self.lexer._peeked = None
            self.lexer.pos, self.lexer.line = save
        items: list[ast.Node] = []
        while not self._is("]"):
            items.append(self.expression())
            if not self._accept(","):
                break
        self._expect("]", "to close the list")
        return ast.TupleCons(open_token.line, tuple(items))

    def _object(self, open_token: Token) -> ast.Node:
        if self._starts_for():
            save = (self.lexer.pos, self.lexer.line)
            self.lexer.next()
            if self.lexer.peek().kind == "ident":
                return self._for(open_token, is_object=True)
            self.lexer._peeked = None
            self.lexer.pos, self.lexer.line = save
        items: list[tuple[ast.Node, ast.Node]] = []
        while not self._is("}"):
            key = self.expression()
            if isinstance(key, ast.Variable):
                key = ast.Literal(key.line, key.name)
            elif isinstance(key, ast.Literal) and not isinstance(key.value, str):
                key = ast.Literal(key.line, "null" if key.value is None else
                                  str(key.value).lower() if isinstance(key.value, bool)
                                  else str(key.value))
            token = self.lexer.peek()
            if not (token.kind == "op" and token.text in ("=", ":")):
                raise HCLSyntaxError(
                    "Expected '=' or ':' after an object key (a key that is an expression "
                    "must be in parentheses).", token.line)
            self.lexer.next()
            value = self.expression()
            items.append((key, value))
            self._accept(",")
        self._expect("}", "to close the object")
        return ast.ObjectCons(open_token.line, tuple(items))

    def _for(self, open_token: Token, *, is_object: bool) -> ast.Node:
        first = self._ident("an iterator name after 'for'").text
        key_var: str | None = None
        value_var = first
        if self._accept(","):
            key_var, value_var = first, self._ident("a second iterator name").text
        in_token = self._ident("'in' in a for expression")
        if in_token.text != "in":
            raise HCLSyntaxError("Expected 'in' in a for expression.", in_token.line)
        collection = self.expression()
        self._expect(":", "after the collection of a for expression")
        key: ast.Node | None = None
        if is_object:
            key = self.expression()
            self._expect("=>", "between key and value of an object for expression")
        value = self.expression()
        grouping = is_object and self._accept("...")
        condition: ast.Node | None = None
        token = self.lexer.peek()
        if token.kind == "ident" and token.text == "if":
            self.lexer.next()
            condition = self.expression()
        self._expect("}" if is_object else "]", "to close the for expression")
        return ast.ForExpr(open_token.line, key_var, value_var, collection, key, value,
                           condition, grouping)

    # -- templates -------------------------------------------------------------------------------
    def _heredoc(self, token: Token) -> ast.Node:
        indent = token.text.startswith("-")
        marker = token.text.lstrip("-")
        text, start = self.lexer.text, self.lexer.pos
        body_lines: list[str] = []
        pos = start
        while True:
            if pos >= len(text):
                raise HCLSyntaxError(f"Unterminated heredoc: no closing {marker!r} line.",
                                     token.line)
            end = text.find("\n", pos)
            line_end = len(text) if end < 0 else end
            line = text[pos:line_end]
            if line.strip() == marker:
                break
            body_lines.append(line.removesuffix("\r") + "\n")  # CRLF files: lines end in \n
            pos = line_end + 1
        self.lexer.advance(line_end - self.lexer.pos)
        if indent:
            widths = [len(ln) - len(ln.lstrip(" \t")) for ln in body_lines if ln.strip()]
            cut = min(widths, default=0)
            body_lines = [ln[cut:] if ln.strip() else ln.lstrip(" \t") for ln in body_lines]
        body = "".join(body_lines)
        sub = _Parser(Lexer(body, token.line + 1))
        node = sub.template(terminator=None, line=token.line, heredoc=True)
        return node

    def template(self, *, terminator: str | None, line: int, heredoc: bool = False,
                 ) -> ast.Node:
        """Read template characters up to ``terminator`` (or the end of text)."""
        items = self._template_items(terminator, heredoc=heredoc)
        parts = _fold_template(items, line)
        if len(parts) == 1 and not isinstance(parts[0], ast.Literal | ast.TemplateIf
                                                 | ast.TemplateFor):
            return ast.TemplateWrap(line, parts[0])
        if not parts:
            return ast.Literal(line, "")
        if len(parts) == 1 and isinstance(parts[0], ast.Literal):
            return parts[0]
        return ast.Template(line, tuple(parts))

    def _template_items(self, terminator: str | None, *, heredoc: bool) -> list[_Item]:
        lx = self.lexer
        text = lx.text
        items: list[_Item] = []
        buf: list[str] = []
        start_line = lx.line

        def flush() -> None:
            if buf:
                items.append(_Item("lit", "".join(buf), start_line))
                buf.clear()

        while True:
            pos = lx.pos
            if pos >= len(text):
                if terminator is not None:
                    raise HCLSyntaxError("Unterminated string: missing closing quote.", lx.line)
                flush()
                return items
            ch = text[pos]
            if terminator is not None and ch == terminator:
                lx.advance(1)
                flush()
                return items
            if ch == "\n" and terminator is not None:
                raise HCLSyntaxError("Unterminated string: a quoted string cannot span lines "
                                     "(use a heredoc).", lx.line)
            if ch == "\\" and terminator is not None:
                lx.advance(1)
                buf.append(self._escape())
                continue
            if text.startswith("$${", pos) or text.startswith("%%{", pos):
                buf.append(text[pos + 1:pos + 3])
                lx.advance(3)
                continue
            if text.startswith("${", pos) or text.startswith("%{", pos):
                flush()
                line = lx.line
                lx.advance(2)
                strip_left = self._accept_char("~")
                if ch == "$":
                    expr = self.expression()
                    strip_right = self._accept("~")
                    self._expect("}", "to close the interpolation")
                    items.append(_Item("interp", expr, line, strip_left, strip_right))
                else:
                    items.append(self._directive(line, strip_left))
                start_line = lx.line
                continue
            if not buf:
                start_line = lx.line
            buf.append(ch)
            lx.advance(1)

    def _accept_char(self, ch: str) -> bool:
        if self.lexer.text.startswith(ch, self.lexer.pos):
            self.lexer.advance(1)
            return True
        return False

    def _escape(self) -> str:
        lx = self.lexer
        text, pos = lx.text, lx.pos
        if pos >= len(text):
            raise HCLSyntaxError("Unterminated escape sequence.", lx.line)
        ch = text[pos]
        if ch in _ESCAPES:
            lx.advance(1)
            return _ESCAPES[ch]
        if ch in "uU":
            width = 4 if ch == "u" else 8
            digits = text[pos + 1:pos + 1 + width]
            if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                lx.advance(1 + width)
                return chr(int(digits, 16))
        raise HCLSyntaxError(f"Invalid escape sequence \\{ch} in a string.", lx.line)

    def _directive(self, line: int, strip_left: bool) -> _Item:
        word = self._ident("a template directive (if, else, endif, for, endfor)")
        item: _Item
        if word.text == "if":
            item = _Item("if", self.expression(), line, strip_left)
        elif word.text in ("else", "endif", "endfor"):
            item = _Item(word.text, None, line, strip_left)
        elif word.text == "for":
            first = self._ident("an iterator name").text
            pair: tuple[str | None, str] = (None, first)
            if self._accept(","):
                pair = (first, self._ident("an iterator name").text)
            if self._ident("'in'").text != "in":
                raise HCLSyntaxError("Expected 'in' in a template for directive.", line)
            item = _Item("for", (pair, self.expression()), line, strip_left)
        else:
            raise HCLSyntaxError(f"Unknown template directive {word.text!r}.", word.line)
        item.strip_right = self._accept("~")
        self._expect("}", "to close the template directive")
        return item


class _Item:
    __slots__ = ("kind", "line", "strip_left", "strip_right", "value")

    def __init__(self, kind: str, value: object, line: int, strip_left: bool = False,
                 strip_right: bool = False) -> None:
        self.kind, self.value, self.line = kind, value, line
        self.strip_left, self.strip_right = strip_left, strip_right


def _fold_template(items: list[_Item], line: int) -> list[ast.Node]:
    # Strip markers trim the whitespace of the neighbouring literal text.
    for i, item in enumerate(items):
        if item.kind == "lit":
            text = str(item.value)
            if i > 0 and items[i - 1].strip_right:
                text = text.lstrip()
            if i + 1 < len(items) and items[i + 1].strip_left:
                text = text.rstrip()
            item.value = text
    pos = 0

    def sequence(stops: tuple[str, ...]) -> tuple[list[ast.Node], str | None]:
        nonlocal pos
        out: list[ast.Node] = []
        while pos < len(items):
            item = items[pos]
            if item.kind in stops:
                pos += 1
                return out, item.kind
            pos += 1
            if item.kind == "lit":
                if item.value:
                    out.append(ast.Literal(item.line, item.value))
            elif item.kind == "interp":
                assert isinstance(item.value, ast.Node)
                out.append(item.value)
            elif item.kind == "if":
                assert isinstance(item.value, ast.Node)
                then, stop = sequence(("else", "endif"))
                otherwise: list[ast.Node] = []
                if stop == "else":
                    otherwise, stop = sequence(("endif",))
                if stop != "endif":
                    raise HCLSyntaxError("Template %{if} has no matching %{endif}.", item.line)
                out.append(ast.TemplateIf(item.line, item.value, tuple(then), tuple(otherwise)))
            elif item.kind == "for":
                spec = item.value
                assert isinstance(spec, tuple)
                names: tuple[str | None, str] = spec[0]
                collection: ast.Node = spec[1]
                body, stop = sequence(("endfor",))
                if stop != "endfor":
                    raise HCLSyntaxError("Template %{for} has no matching %{endfor}.", item.line)
                out.append(ast.TemplateFor(item.line, names[0], names[1], collection,
                                           tuple(body)))
            else:
                raise HCLSyntaxError(f"Unexpected template directive %{{{item.kind}}}.",
                                     item.line)
        return out, None

    parts, stop = sequence(())
    del stop
    return parts
