"""YAML read into plain values, remembering the line of every key so problems can name it.

PyYAML's ``compose`` keeps each node's position; we build the values ourselves from the nodes
and note the line of each mapping key and list item under its key path. The resolver is YAML
1.2-like for booleans: only ``true``/``false`` are booleans, so a Norwegian ``no:`` or an
answer text "Yes" stays a string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

KeyPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlSyntaxError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Document:
    """The values of a YAML document, the line of each key path, and duplicate keys found."""

    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    duplicates: list[tuple[KeyPath, int, int]] = field(default_factory=list)
    """(path, line, line of the first occurrence) for each mapping key given twice."""

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest parent that exists (for a missing field)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def parse(text: str) -> Document:
    """Read one YAML document; raises ``YamlSyntaxError`` with the line of the mistake."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        document = Document(data=None)
        if node is not None:
            document.lines[()] = node.start_mark.line + 1
            document.data = _value(loader, node, (), document)
        return document
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        what = ": ".join(filter(None, [error.context, error.problem]))
        column = f" (column {mark.column + 1})" if mark else ""
        raise YamlSyntaxError(line, f"YAML syntax error: {what}{column}") from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(None, f"YAML syntax error: {error}") from None
    finally:
        loader.dispose()


def parse_scalar(text: str) -> Any:
    """A short inline YAML value (``2``, ``yes``, ``[basic, pro]``) with our resolver."""
    return yaml.load(text, Loader=_Loader)


def _value(loader: _Loader, node: Node, path: KeyPath, document: Document) -> Any:
    if isinstance(node, MappingNode):
        loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = str(key) if not isinstance(key, str) else key
            line = key_node.start_mark.line + 1
            if key in result:
                document.duplicates.append(((*path, key), line, first_line[key]))
                continue
            first_line[key] = line
            document.lines[(*path, key)] = line
            result[key] = _value(loader, value_node, (*path, key), document)
        return result
    if isinstance(node, SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            document.lines[(*path, index)] = item.start_mark.line + 1
            items.append(_value(loader, item, (*path, index), document))
        return items
    assert isinstance(node, ScalarNode)
    return loader.construct_object(node, deep=True)
