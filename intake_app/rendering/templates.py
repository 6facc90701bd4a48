"""A small placeholder engine for letter wording that an administrator edits (SPEC §4).

Syntax of a template file (plain UTF-8 text):

- ``{{ name }}`` is replaced by the value of ``name``.
- A line holding only ``{{ name }}`` where the value is a list prints the list as bullets;
  a list used inside a sentence prints as "a, b, c".
- ``{{#if name}} … {{/if}}`` keeps its text only when the value is not empty,
  ``{{#unless name}} … {{/unless}}`` only when it is empty; ``{{else}}`` may sit in both.
  A block tag alone on its line takes the line with it, so it leaves no gap.
- Blank lines separate paragraphs; other line breaks inside a paragraph are spaces.
  A line starting with "- " is a bullet.
- A line starting with "#" is a note for administrators and is not printed.

A name the letter does not know, or a tag that cannot be read, is a `TemplateError` naming
the template and the placeholder: nothing is rendered, and no "{{" ever reaches a letter.
"""

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

Value = str | Sequence[str]

BULLET = "\x01"  # marks a bullet line in rendered text; stripped from values

_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_OPEN = re.compile(rf"#(if|unless)\s+({_NAME})")
_CLOSE = re.compile(r"/(if|unless)")
_VAR = re.compile(_NAME)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class TemplateError(ValueError):
    """A template that cannot be rendered; names the template and, if one, the placeholder."""

    def __init__(self, message: str, *, template: str = "", placeholder: str = "") -> None:
        super().__init__(message)
        self.template = template
        self.placeholder = placeholder


@dataclass
class _Var:
    name: str
    line: int
    standalone: bool


@dataclass
class _Cond:
    name: str
    negate: bool
    line: int
    then: list["_Node"] = field(default_factory=list)
    other: list["_Node"] = field(default_factory=list)
    in_else: bool = False


_Node = str | _Var | _Cond


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


Block = Paragraph | Bullets


def _is_block_tag(content: str) -> bool:
    s = content.strip()
    return bool(_OPEN.fullmatch(s) or _CLOSE.fullmatch(s) or s == "else")


class Template:
    """A parsed template. `problems` lists what is wrong with it; `render` refuses if any."""

    def __init__(self, text: str, name: str = "template") -> None:
        self.name = name
        self.problems: list[str] = []
        self.names: dict[str, int] = {}  # placeholder -> first line it is used on
        self._nodes: list[_Node] = []
        self._parse(text)

    # -- parsing ---------------------------------------------------------------------------

    def _parse(self, text: str) -> None:
        # Notes for administrators go first, keeping the original line numbers for messages.
        kept: list[tuple[int, str]] = [
            (number, line)
            for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1)
            if not line.lstrip().startswith("#")
        ]
        root: list[_Node] = []
        stack: list[_Cond] = []

        def target() -> list[_Node]:
            if not stack:
                return root
            top = stack[-1]
            return top.other if top.in_else else top.then

        for number, line in kept:
            tags = list(_TAG.finditer(line))
            outside = _TAG.sub("", line)
            if "{{" in outside or "}}" in outside:
                self.problems.append(f"line {number}: unmatched '{{{{' or '}}}}'")
            alone = len(tags) == 1 and not outside.strip()
            if alone and _is_block_tag(tags[0].group(1)):
                self._tag(tags[0].group(1), number, stack, target, standalone=True)
                continue  # a block tag alone on its line takes the line with it
            pos = 0
            for m in tags:
                if m.start() > pos:
                    target().append(line[pos : m.start()])
                self._tag(m.group(1), number, stack, target, standalone=alone)
                pos = m.end()
            if pos < len(line):
                target().append(line[pos:])
            target().append("\n")
        for cond in stack:
            kind = "unless" if cond.negate else "if"
            self.problems.append(
                f"line {cond.line}: {{{{#{kind} {cond.name}}}}} has no {{{{/{kind}}}}}"
            )
        self._nodes = root

    def _tag(self, content, number, stack, target, *, standalone: bool) -> None:
        s = content.strip()
        if m := _OPEN.fullmatch(s):
            self._use(m.group(2), number)
            cond = _Cond(m.group(2), m.group(1) == "unless", number)
            target().append(cond)
            stack.append(cond)
        elif s == "else":
            if not stack or stack[-1].in_else:
                self.problems.append(f"line {number}: {{{{else}}}} outside an if/unless block")
            else:
                stack[-1].in_else = True
        elif m := _CLOSE.fullmatch(s):
            kind = m.group(1)
            if not stack:
                self.problems.append(f"line {number}: {{{{/{kind}}}}} without an opening tag")
            elif stack[-1].negate != (kind == "unless"):
                opened = "unless" if stack[-1].negate else "if"
                self.problems.append(
                    f"line {number}: {{{{/{kind}}}}} closes {{{{#{opened}}}}} "
                    f"of line {stack[-1].line}"
                )
                stack.pop()
            else:
                stack.pop()
        elif _VAR.fullmatch(s):
            self._use(s, number)
            target().append(_Var(s, number, standalone))
        else:
            self.problems.append(f"line {number}: cannot read the tag {{{{{content}}}}}")

    def _use(self, name: str, number: int) -> None:
        self.names.setdefault(name, number)

    # -- checking and rendering ----------------------------------------------------------

    def check(self, known: Collection[str]) -> list[str]:
        """Every problem: unreadable tags, then placeholders not in `known`."""
        unknown = [
            f"line {line}: unknown placeholder {{{{ {name} }}}}"
            for name, line in sorted(self.names.items(), key=lambda item: item[1])
            if name not in known
        ]
        return [*self.problems, *unknown]

    def render(self, values: Mapping[str, Value]) -> list[Block]:
        """Paragraphs and bullet lists; raises `TemplateError` rather than print a bad tag."""
        if self.problems:
            raise TemplateError(
                f"letter template {self.name}: {self.problems[0]}", template=self.name
            )
        for name, line in self.names.items():
            if name not in values:
                raise TemplateError(
                    f"letter template {self.name}, line {line}: "
                    f"unknown placeholder {{{{ {name} }}}}",
                    template=self.name,
                    placeholder=name,
                )
        out: list[str] = []
        _render(self._nodes, values, out)
        return to_blocks("".join(out))


def _clean(value: str) -> str:
    return _CONTROL.sub(" ", value).strip()


def _truthy(value: Value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return any(_clean(item) for item in value)


def _render(nodes: list[_Node], values: Mapping[str, Value], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Var):
            value = values[node.name]
            if isinstance(value, str):
                out.append(_clean(value))
            else:
                items = [c for c in (_clean(item) for item in value) if c]
                if node.standalone:
                    out.append("\n".join(BULLET + item for item in items))
                else:
                    out.append(", ".join(items))
        else:
            keep = _truthy(values[node.name]) != node.negate
            _render(node.then if keep else node.other, values, out)


def to_blocks(text: str) -> list[Block]:
    """Blank lines end paragraphs; bullet lines ("- " or a list placeholder) make lists."""
    blocks: list[Block] = []
    para: list[str] = []
    items: list[str] = []

    def flush_para() -> None:
        if para:
            blocks.append(Paragraph(" ".join(para)))
            para.clear()

    def flush_items() -> None:
        if items:
            blocks.append(Bullets(tuple(items)))
            items.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        if line.startswith(BULLET) or line.startswith("- "):
            flush_para()
            item = line[1:].strip()
            if item:
                items.append(item)
        elif not line:
            flush_para()
            flush_items()
        else:
            flush_items()
            para.append(re.sub(r"[ \t]+", " ", line))
    flush_para()
    flush_items()
    return blocks
