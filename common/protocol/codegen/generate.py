#!/usr/bin/env python3
"""Generates the Kafka message codec from common/protocol/schema/.

    generate.py --out-dir DIR schema...      DIR/messages/<api>.h/.cc, DIR/data/<name>.h/.cc
    generate.py --test-out FILE.cc schema... round-trip test support

Python 3 standard library only. The schema format is described in
common/protocol/README.md. A schema file is either an API (a request and a
response; schema/<api>.schema):

    # comment
    api Produce key=0 versions=0-9 flexible=9+
    request
      TransactionalId string 3+ nullable=3+ default=null
      TopicData []TopicProduceData 0+
        Name string 0+
    response
      ...

or a data message (Kafka's "type": "data": one struct with versions, stored
behind its int16 version in record keys and values;
schema/data_messages/<name>.schema):

    data OffsetCommitKey versions=0-1 flexible=none
      group string 0-1
      ...

A field line is `Name type versions [nullable=R] [tag=N] [default=V] [as=name]`;
nested (indented) lines are the fields of a struct or struct-array type. A
struct type already defined earlier in the same message may be named again
without fields (Kafka's commonStructs); both fields then share the C++ type.
"""

import argparse
import os
import re
import sys

PRIMITIVES = {
    "int8": "std::int8_t",
    "int16": "std::int16_t",
    "int32": "std::int32_t",
    "int64": "std::int64_t",
    "uint16": "std::uint16_t",
    "uint32": "std::uint32_t",
    "float64": "double",
    "bool": "bool",
    "uuid": "uuid",
}
INTEGERS = {"int8", "int16", "int32", "int64", "uint16", "uint32"}
VARIABLE = {"string", "bytes", "records"}
# Names generated code uses itself; a field with one of these names needs `as=`.
RESERVED = {"encode", "decode", "version", "flexible", "r", "w", "tr", "tw", "er", "ew", "e", "tag"}
# Static members of top-level messages, per kind of schema.
RESERVED_TOP = {
    "api": {"key", "min_version", "max_version"},
    "data": {"message_name", "min_version", "max_version"},
}
# Where each kind of schema lives (schema/, schema/data_messages/; not data/,
# which .gitignore keeps for data directories) and where its output goes
# (under --out-dir).
SUBDIR = {"api": "messages", "data": "data"}
SCHEMA_DIR = {"api": "schema", "data": "data_messages"}
INF = 1 << 30


class SchemaError(Exception):
    pass


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def parse_range(text, where):
    """'3+' -> (3, INF), '2-5' -> (2, 5), '4' -> (4, 4), 'none' -> None."""
    if text == "none":
        return None
    m = re.fullmatch(r"(\d+)(\+|-(\d+))?", text)
    if not m:
        raise SchemaError(f"{where}: bad version range {text!r}")
    lo = int(m.group(1))
    if m.group(2) == "+":
        return (lo, INF)
    hi = int(m.group(3)) if m.group(3) else lo
    if hi < lo:
        raise SchemaError(f"{where}: empty version range {text!r}")
    return (lo, hi)


def intersect(a, b):
    if a is None or b is None:
        return None
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo <= hi else None


class Field:
    def __init__(self, name, type_, versions, where):
        self.name = name
        self.where = where
        self.array = type_.startswith("[]")
        self.type = type_[2:] if self.array else type_
        self.versions = versions
        self.nullable = None
        self.tag = None
        self.default = None
        self.cpp = snake(name)
        self.fields = []      # for struct types
        self.struct = None    # Struct, for struct types
        self.uid = 0          # unique number, used by the test generator

    @property
    def is_struct(self):
        return self.struct is not None

    @property
    def nullable_any(self):
        return self.nullable is not None


class Struct:
    def __init__(self, name, fields, message):
        self.name = name
        self.cpp = snake(name)
        self.fields = fields
        self.message = message
        self.needs_eq = False

    @property
    def qualified(self):
        return f"{self.message.cpp}::{self.cpp}"


class Message:
    """A top-level struct: an API's request or response, or a data message."""

    def __init__(self, schema, kind, fields):
        self.schema = schema
        self.kind = kind
        self.cpp = f"{schema.cpp}_{kind}" if schema.is_api else schema.cpp
        self.fields = fields
        self.structs = []     # nested structs, innermost first

    @property
    def qualified(self):
        return self.cpp


class Schema:
    """One schema file: an API (key, request and response) or a data message
    (no key, one message named like the schema)."""

    def __init__(self, kind, name, key, versions, flexible, path):
        self.kind = kind      # "api" or "data"
        self.name = name
        self.cpp = snake(name)
        self.key = key        # None for a data message
        self.lo, self.hi = versions
        self.flexible = flexible
        self.path = path
        self.messages = {}    # section -> fields, then -> Message ("request"/"response" or "data")

    @property
    def is_api(self):
        return self.kind == "api"

    @property
    def sections(self):
        return ("request", "response") if self.is_api else ("data",)

    @property
    def header(self):
        return f"common/protocol/{SUBDIR[self.kind]}/{self.cpp}.h"


# ---------------------------------------------------------------- parsing ----

def parse_header(words, path, where):
    """`api <Name> key=<n> versions=<range> flexible=<range>` or
    `data <Name> versions=<range> flexible=<range>`."""
    kind = words[0]
    allowed = {"key", "versions", "flexible"} if kind == "api" else {"versions", "flexible"}
    if len(words) < 2 or any("=" not in w for w in words[2:]):
        raise SchemaError(f"{where}: expected '{kind} <Name> attr=value...'")
    attrs = dict(w.split("=", 1) for w in words[2:])
    unknown = set(attrs) - allowed
    missing = allowed - {"flexible"} - set(attrs)
    if unknown:
        raise SchemaError(f"{where}: {kind} lines take no {', '.join(sorted(unknown))}")
    if missing:
        raise SchemaError(f"{where}: {kind} lines need {', '.join(sorted(missing))}")
    versions = parse_range(attrs["versions"], where)
    if versions is None or versions[1] == INF:
        raise SchemaError(f"{where}: {kind} versions need an upper bound")
    key = int(attrs["key"]) if kind == "api" else None
    return Schema(kind, words[1], key, versions, parse_range(attrs.get("flexible", "none"), where), path)


def check_location(schema):
    """The build names the generated files after the schema file and puts a
    schema in messages/ or data/ by its folder: both must match the header."""
    base = os.path.basename(schema.path)
    if base != f"{schema.cpp}.schema":
        raise SchemaError(f"{schema.path}: the file of {schema.kind} {schema.name} must be named {schema.cpp}.schema")
    folder = os.path.basename(os.path.dirname(os.path.abspath(schema.path)))
    if folder != SCHEMA_DIR[schema.kind]:
        raise SchemaError(f"{schema.path}: {schema.kind} schemas belong in a folder named {SCHEMA_DIR[schema.kind]}/")


def parse_schema(path):
    schema = None
    section = None
    stack = []   # (indent, list of fields)
    uid = 0

    def open_section(name):
        fields = []
        schema.messages[name] = fields
        return fields, [(0, fields)]

    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for lineno, raw in enumerate(lines, 1):
        where = f"{path}:{lineno}"
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        words = line.split()
        if indent == 0:
            if words[0] in ("api", "data"):
                if schema is not None:
                    raise SchemaError(f"{where}: a second '{words[0]}' line")
                schema = parse_header(words, path, where)
                if not schema.is_api:
                    section, stack = open_section("data")
            elif words[0] in ("request", "response"):
                if schema is None or not schema.is_api:
                    raise SchemaError(f"{where}: '{words[0]}' outside an api schema")
                section, stack = open_section(words[0])
            else:
                raise SchemaError(f"{where}: unexpected {words[0]!r}")
            continue
        if section is None or indent % 2:
            raise SchemaError(f"{where}: field outside a section or odd indentation")
        if len(words) < 3:
            raise SchemaError(f"{where}: a field needs a name, a type and versions")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if not stack:
            raise SchemaError(f"{where}: bad indentation")
        parent_fields = stack[-1][1]
        versions = parse_range(words[2], where)
        if versions is None:
            raise SchemaError(f"{where}: a field needs versions")
        field = Field(words[0], words[1], versions, where)
        uid += 1
        field.uid = uid
        for attr in words[3:]:
            if "=" not in attr:
                raise SchemaError(f"{where}: bad attribute {attr!r}")
            k, v = attr.split("=", 1)
            if k == "nullable":
                field.nullable = parse_range(v, where)
            elif k == "tag":
                field.tag = int(v)
            elif k == "default":
                field.default = v
            elif k == "as":
                field.cpp = v
            else:
                raise SchemaError(f"{where}: unknown attribute {k!r}")
        parent_fields.append(field)
        stack.append((indent, field.fields))
    if schema is None or set(schema.messages) != set(schema.sections):
        raise SchemaError(f"{path}: needs an api line, a request and a response; or a data line and fields")
    check_location(schema)
    return schema


def resolve(schema):
    """Builds Message/Struct objects and checks the schema for what the
    generated C++ cannot express."""
    for kind, fields in list(schema.messages.items()):
        msg = Message(schema, kind, fields)
        schema.messages[kind] = msg
        seen = {}

        def visit(fields, top):
            names = set()
            for f in fields:
                if f.cpp in RESERVED or (top and f.cpp in RESERVED_TOP[schema.kind]):
                    raise SchemaError(f"{f.where}: field name '{f.cpp}' is reserved; add as=<name>")
                if f.cpp in names:
                    raise SchemaError(f"{f.where}: duplicate field '{f.cpp}'")
                names.add(f.cpp)
                if f.fields:
                    if f.type in PRIMITIVES or f.type in VARIABLE:
                        raise SchemaError(f"{f.where}: primitive type with nested fields")
                    visit(f.fields, False)
                    s = Struct(f.type, f.fields, msg)
                    if s.cpp in seen:
                        raise SchemaError(f"{f.where}: struct {f.type} defined twice in {msg.cpp}")
                    seen[s.cpp] = s
                    msg.structs.append(s)
                    f.struct = s
                elif f.type not in PRIMITIVES and f.type not in VARIABLE:
                    # A struct defined earlier in this message, used again (Kafka's commonStructs).
                    if snake(f.type) not in seen:
                        raise SchemaError(f"{f.where}: unknown type {f.type!r} (struct without fields?)")
                    f.struct = seen[snake(f.type)]
                if f.array and f.type in ("records", "bytes"):
                    raise SchemaError(f"{f.where}: arrays of {f.type} are not supported")
                if f.nullable is not None:
                    if f.type not in VARIABLE and not f.array and not f.is_struct:
                        raise SchemaError(f"{f.where}: {f.type} cannot be nullable")
                    if intersect(f.nullable, f.versions) != f.nullable:
                        raise SchemaError(f"{f.where}: nullable versions outside the field's versions")
                if f.tag is not None:
                    if schema.flexible is None or intersect(f.versions, schema.flexible) != f.versions:
                        raise SchemaError(f"{f.where}: tagged field outside flexible versions")
                if f.default is not None and f.array and (f.default != "null" or not f.nullable_any):
                    raise SchemaError(f"{f.where}: an array's only default is null (and only if nullable)")
                if f.type == "float64" and f.default is not None:
                    raise SchemaError(f"{f.where}: float64 defaults are not supported")
                if f.is_struct and not f.array and f.default is not None:
                    # As in Kafka: a struct starts empty, or null if nullable and default=null.
                    if f.default != "null" or not f.nullable_any:
                        raise SchemaError(f"{f.where}: a struct's only default is null (and only if nullable)")

        visit(fields, True)
        cpp_names = {f.cpp for f in fields}
        for s in msg.structs:
            if s.cpp in cpp_names or s.cpp == msg.cpp:
                raise SchemaError(f"{schema.path}: struct {s.name} clashes with a field of {msg.cpp}")

        # Structs used as tagged fields are compared with their default value.
        def mark_eq(s):
            s.needs_eq = True
            for f in s.fields:
                if f.is_struct:
                    mark_eq(f.struct)
                if f.type == "records":
                    raise SchemaError(f"{f.where}: records inside a tagged struct")

        def find_tagged(fields):
            for f in fields:
                if f.is_struct:
                    if f.tag is not None and not f.array:
                        mark_eq(f.struct)
                    find_tagged(f.fields)

        find_tagged(fields)

        def check_tags(fields):
            used = set()
            for f in fields:
                if f.tag is not None:
                    if f.tag in used:
                        raise SchemaError(f"{f.where}: tag {f.tag} used twice")
                    used.add(f.tag)
                check_tags(f.fields)

        check_tags(fields)
    return schema


# ------------------------------------------------------------ C++ helpers ----

def version_cond(rng, schema, var="version"):
    """C++ condition for `var` in rng, leaving out bounds the schema already
    guarantees; returns 'true' or 'false' for trivial cases."""
    r = intersect(rng, (schema.lo, schema.hi))
    if r is None:
        return "false"
    parts = []
    if r[0] > schema.lo:
        parts.append(f"{var} >= {r[0]}")
    if r[1] < schema.hi:
        parts.append(f"{var} <= {r[1]}")
    return " && ".join(parts) if parts else "true"


def struct_nullable_cond(f, schema):
    """version_cond of f's nullable versions, 'true' when they cover every
    version the field is in (no dead branches for always-nullable structs)."""
    present = intersect(f.versions, (schema.lo, schema.hi))
    if present is not None and intersect(f.nullable, present) == present:
        return "true"
    return version_cond(f.nullable, schema)


def guard(cond, body_lines, indent):
    pad = " " * indent
    if cond == "true":
        return [pad + l for l in body_lines]
    if cond == "false":
        return []
    if len(body_lines) == 1:
        return [f"{pad}if ({cond}) {body_lines[0]}"]
    out = [f"{pad}if ({cond}) {{"]
    out += [pad + "    " + l for l in body_lines]
    out.append(pad + "}")
    return out


def if_else(cond, then_lines, else_lines):
    indent = lambda lines: ["    " + l for l in lines]
    return [f"if ({cond}) {{"] + indent(then_lines) + ["} else {"] + indent(else_lines) + ["}"]


def elem_cpp(f):
    if f.is_struct:
        return f.struct.qualified
    if f.type in PRIMITIVES:
        return PRIMITIVES[f.type]
    if f.type == "string":
        return "std::string"
    raise SchemaError(f"{f.where}: no element type for {f.type}")


def member_cpp(f):
    if f.array:
        v = f"std::vector<{elem_cpp(f)}>"
        return f"std::optional<{v}>" if f.nullable_any else v
    if f.is_struct:
        return f"std::optional<{f.struct.qualified}>" if f.nullable_any else f.struct.qualified
    if f.type == "string":
        return "std::optional<std::string>" if f.nullable_any else "std::string"
    if f.type == "bytes":
        return "std::optional<std::vector<std::byte>>" if f.nullable_any else "std::vector<std::byte>"
    if f.type == "records":
        return "records_view"
    return PRIMITIVES[f.type]


def cpp_string_literal(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def default_value(f):
    """The field's default as a C++ expression, or None for value-initialised."""
    d = f.default
    if f.array:
        return "std::vector<%s>{}" % elem_cpp(f) if f.nullable_any and d != "null" else None
    if f.is_struct:
        # A nullable struct starts null only with default=null, as in Kafka.
        return f"{f.struct.qualified}{{}}" if f.nullable_any and d != "null" else None
    if f.type in ("uuid", "records", "float64"):
        return None
    if f.type in INTEGERS:
        if d is None:
            return None
        v = int(d, 0)
        if f.type == "int32" and v == -(1 << 31):
            return "std::numeric_limits<std::int32_t>::min()"
        if f.type == "int64" and v == -(1 << 63):
            return "std::numeric_limits<std::int64_t>::min()"
        return str(v)
    if f.type == "bool":
        if d is None:
            return None
        if d not in ("true", "false"):
            raise SchemaError(f"{f.where}: bool default must be true or false")
        return d
    if f.type == "string":
        if d == "null":
            if not f.nullable_any:
                raise SchemaError(f"{f.where}: null default on a non-nullable string")
            return None
        text = "" if d in (None, '""') else d
        if f.nullable_any:
            return f"std::string({cpp_string_literal(text)})" if text else "std::string()"
        return cpp_string_literal(text) if text else None
    if f.type == "bytes":
        if d not in (None, "null"):
            raise SchemaError(f"{f.where}: bytes defaults other than null are not supported")
        if f.nullable_any and d is None:
            return "std::vector<std::byte>{}"
        return None
    raise SchemaError(f"{f.where}: cannot express default for {f.type}")


def not_default_expr(f, x):
    """C++ expression: true when member `x` differs from its default (tagged
    fields are only written then)."""
    if f.array:
        if f.nullable_any:
            return f"{x}.has_value()" if f.default == "null" else f"(!{x} || !{x}->empty())"
        return f"!{x}.empty()"
    if f.is_struct:
        if f.nullable_any:
            if f.default == "null":
                return f"{x}.has_value()"
            return f"(!{x} || !(*{x} == {f.struct.qualified}{{}}))"
        return f"!({x} == {f.struct.qualified}{{}})"
    if f.type == "uuid":
        return f"!{x}.is_zero()"
    if f.type in INTEGERS:
        d = int(f.default, 0) if f.default else 0
        return f"{x} != {d}"
    if f.type == "bool":
        return f"{x} != {f.default or 'false'}"
    if f.type == "float64":
        return f"{x} != 0.0"
    if f.type == "string":
        if f.nullable_any:
            if f.default == "null":
                return f"{x}.has_value()"
            text = "" if f.default in (None, '""') else f.default
            return f"(!{x} || *{x} != {cpp_string_literal(text)})"
        text = "" if f.default in (None, '""') else f.default
        return f"{x} != {cpp_string_literal(text)}"
    if f.type == "bytes":
        return f"{x}.has_value()" if f.nullable_any else f"!{x}.empty()"
    if f.type == "records":
        return f"{x}.has_value()"
    raise SchemaError(f"{f.where}: no default test for {f.type}")


def value_codec(f, op, stream, flex, schema, x=None, element=False):
    """The call that reads (op "read": an expression) or writes (op "write":
    a statement writing `x`) one value of f's type that is neither an array
    nor a struct; an array element when `element` (elements are never
    nullable)."""
    value = [] if x is None else [x]
    if f.type in PRIMITIVES:
        call = f"{stream}.{op}_{f.type}({', '.join(value)})"
    elif f.type in VARIABLE:
        maybe_null = f.nullable_any and not element
        nullable = version_cond(f.nullable, schema) if maybe_null else "false"
        if f.type == "records":
            call = f"detail::{op}_records({', '.join([stream, flex, nullable] + value)})"
        elif maybe_null:
            call = f"detail::{op}_nullable_{f.type}({', '.join([stream, flex, nullable] + value)})"
        else:
            call = f"detail::{op}_{f.type}({', '.join([stream, flex] + value)})"
    else:
        raise SchemaError(f"{f.where}: cannot {op} {f.type}")
    return call + (";" if op == "write" else "")


def array_stmt(f, op, stream, flex, schema):
    """detail::read_array / write_array over f's elements."""
    nullable = version_cond(f.nullable, schema) if f.nullable_any else "false"
    if op == "read":
        param = f"reader& er, {elem_cpp(f)}& e"
        body = ("e.decode(er, version);" if f.is_struct
                else f"e = {value_codec(f, 'read', 'er', flex, schema, element=True)};")
    else:
        param = f"writer& ew, const {elem_cpp(f)}& e"
        body = ("e.encode(ew, version);" if f.is_struct
                else value_codec(f, "write", "ew", flex, schema, "e", element=True))
    return [f"detail::{op}_array({stream}, {flex}, {nullable}, {f.cpp}, [&]({param}) {{ {body} }});"]


def field_stmts(f, op, stream, flex, schema):
    """Statements reading (op "read") or writing (op "write") field f."""
    if f.array:
        return array_stmt(f, op, stream, flex, schema)
    if f.is_struct:
        if not f.nullable_any:
            return [f"{f.cpp}.{'decode' if op == 'read' else 'encode'}({stream}, version);"]
        return (read_nullable_struct if op == "read" else write_nullable_struct)(f, stream, schema)
    if op == "read":
        return [f"{f.cpp} = {value_codec(f, 'read', stream, flex, schema)};"]
    return [value_codec(f, "write", stream, flex, schema, f.cpp)]


def read_nullable_struct(f, r, schema):
    # Kafka's nullable struct: an int8 marker, negative for null, else the
    # struct follows (Kafka writes 1); inside a tagged field an unsigned
    # varint, 0 for null. No marker where the version is not nullable.
    # (emplace(T{}), not emplace(): clang caches T as not default-constructible
    # while the enclosing message is incomplete.)
    nullable = struct_nullable_cond(f, schema)
    present = f"{r}.read_unsigned_varint() > 0" if f.tag is not None else f"{r}.read_int8() >= 0"
    read = f"{f.cpp}.emplace({f.struct.qualified}{{}}).decode({r}, version);"
    if nullable == "false":
        return [read]
    if nullable != "true":
        present = f"!({nullable}) || {present}"
    return if_else(present, [read], [f"{f.cpp}.reset();"])


def write_nullable_struct(f, w, schema):
    # Null where the version cannot carry it is written as the empty struct.
    x = f.cpp
    nullable = struct_nullable_cond(f, schema)
    write = f"{x}->encode({w}, version);"
    plain = if_else(x, [write], [f"{f.struct.qualified}{{}}.encode({w}, version);"])
    marker = f"{w}.write_unsigned_varint" if f.tag is not None else f"{w}.write_int8"
    marked = if_else(x, [f"{marker}(1);", write], [f"{marker}({0 if f.tag is not None else -1});"])
    if nullable == "true":
        return marked
    if nullable == "false":
        return plain
    return if_else(nullable, marked, plain)


def flexible_cond(schema):
    return version_cond(schema.flexible, schema) if schema.flexible else "false"


def gen_struct_decl(s_name, fields, indent, extra_lines=(), needs_eq=False):
    pad = " " * indent
    out = [f"{pad}struct {s_name} {{"]
    for line in extra_lines:
        out.append(pad + "    " + line if line else "")
    for f in fields:
        d = default_value(f)
        init = f" = {d}" if d is not None else "{}"
        out.append(f"{pad}    {member_cpp(f)} {f.cpp}{init};")
    out.append("")
    out.append(f"{pad}    void decode(reader& r, std::int16_t version);")
    out.append(f"{pad}    void encode(writer& w, std::int16_t version) const;")
    if needs_eq:
        out.append(f"{pad}    bool operator==(const {s_name}&) const = default;")
    out.append(f"{pad}}};")
    return out


def decode_tagged(tagged, schema):
    out = ["    if (flexible) {",
           "        r.read_tagged_fields([&](std::uint32_t tag, reader& tr) {",
           "            switch (tag) {"]
    for f in tagged:
        out.append(f"            case {f.tag}:")
        out += guard(version_cond(f.versions, schema), field_stmts(f, "read", "tr", "true", schema), 16)
        out.append("                break;")
    out += ["            default:",
            "                break;  // unknown tags are skipped",
            "            }",
            "        });",
            "    }"]
    return out


def encode_tagged(tagged, schema):
    out = ["    if (flexible) {"]
    for f in tagged:
        cond = version_cond(f.versions, schema)
        test = not_default_expr(f, f.cpp)
        full = test if cond == "true" else f"{cond} && {test}"
        out.append(f"        const bool has_tag{f.tag} = {full};")
    count = " + ".join(f"int(has_tag{f.tag})" for f in tagged)
    out.append(f"        w.write_unsigned_varint(static_cast<std::uint32_t>({count}));")
    for f in tagged:
        out.append(f"        if (has_tag{f.tag}) {{")
        out.append("            writer tw;")
        out += ["            " + l for l in field_stmts(f, "write", "tw", "true", schema)]
        out.append(f"            w.write_tagged_field({f.tag}, tw.data());")
        out.append("        }")
    out.append("    }")
    return out


def gen_function_bodies(qualified, fields, schema):
    regular = [f for f in fields if f.tag is None]
    tagged = sorted((f for f in fields if f.tag is not None), key=lambda f: f.tag)

    def body(signature, op, stream, tagged_section, no_tags):
        out = [f"{signature} {{", f"    [[maybe_unused]] const bool flexible = {flexible_cond(schema)};"]
        for f in regular:
            out += guard(version_cond(f.versions, schema), field_stmts(f, op, stream, "flexible", schema), 4)
        if schema.flexible:
            out += tagged_section(tagged, schema) if tagged else [f"    if (flexible) {no_tags}"]
        return out + ["}"]

    dec = body(f"void {qualified}::decode(reader& r, [[maybe_unused]] std::int16_t version)",
               "read", "r", decode_tagged, "r.skip_tagged_fields();")
    enc = body(f"void {qualified}::encode(writer& w, [[maybe_unused]] std::int16_t version) const",
               "write", "w", encode_tagged, "w.write_unsigned_varint(0);")
    return dec + [""] + enc


def static_members(schema):
    """What every top-level message declares first: its api key (an API's),
    or its Kafka name (a data message's, for errors), and its versions."""
    if schema.is_api:
        first = f"static constexpr api_key key = api_key::{snake(schema.name)};"
    else:
        first = f'static constexpr std::string_view message_name = "{schema.name}";'
    return [first,
            f"static constexpr std::int16_t min_version = {schema.lo};",
            f"static constexpr std::int16_t max_version = {schema.hi};",
            ""]


def summary_line(schema):
    flexible = f", flexible from v{schema.flexible[0]}." if schema.flexible else ", never flexible."
    if schema.is_api:
        return f"// Kafka {schema.name} (API key {schema.key}), versions {schema.lo}-{schema.hi}" + flexible
    versions = f"version {schema.lo}" if schema.lo == schema.hi else f"versions {schema.lo}-{schema.hi}"
    return f"// Kafka data message {schema.name}, {versions}" + flexible


def generate_schema(schema, out_dir):
    generated_from = f"// Generated by common/protocol/codegen/generate.py from {os.path.basename(schema.path)}."
    std_headers = ["cstddef", "cstdint", "limits", "optional", "string"] + \
        ([] if schema.is_api else ["string_view"]) + ["vector"]
    header = ["#pragma once", generated_from, "// Do not edit; change the schema instead.", summary_line(schema)]
    header += [f"#include <{h}>" for h in std_headers] + [""]
    if schema.is_api:
        header.append('#include "common/protocol/api_keys.h"')
    header += ['#include "common/protocol/wire.h"', "", "namespace sluice::protocol {", ""]
    source = [generated_from, f'#include "{schema.header}"', "",
              '#include "common/protocol/field_codec.h"', "", "namespace sluice::protocol {", ""]
    for section in schema.sections:
        msg = schema.messages[section]
        lines = static_members(schema)
        for s in msg.structs:
            lines += gen_struct_decl(s.cpp, s.fields, 0, needs_eq=s.needs_eq)
            lines.append("")
        header += gen_struct_decl(msg.cpp, msg.fields, 0, extra_lines=lines)
        header.append("")
        for s in msg.structs:
            source += gen_function_bodies(s.qualified, s.fields, schema) + [""]
        source += gen_function_bodies(msg.qualified, msg.fields, schema) + [""]
    header.append("}  // namespace sluice::protocol")
    source.append("}  // namespace sluice::protocol")
    out = os.path.join(out_dir, SUBDIR[schema.kind], schema.cpp)
    write_if_changed(out + ".h", "\n".join(header) + "\n")
    write_if_changed(out + ".cc", "\n".join(source) + "\n")


def write_if_changed(path, text):
    """Leaves an unchanged file alone so its dependents are not rebuilt."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# ------------------------------------------------------ round-trip tests ----
#
# For every struct: fill(m, version, all, salt) gives every field present in
# `version` (every field at all, when `all`) a value different from its
# default, derived only from the field and `salt`; same(a, b, version) compares
# the fields present in `version`.

def fill_stmts(f):
    x = f"m.{f.cpp}"
    if f.array:
        if f.is_struct:
            element = [f"for (int i = 1; i <= 2; ++i) {{",
                       f"    {f.struct.qualified} e;",
                       f"    fill(e, version, all, salt * 4 + i);",
                       f"    {x}{'->' if f.nullable_any else '.'}push_back(std::move(e));",
                       "}"]
        else:
            value = fill_value(f, f.uid, "salt * 4 + i")
            element = [f"for (int i = 1; i <= 2; ++i) {x}{'->' if f.nullable_any else '.'}push_back({value});"]
        return [f"{x}.emplace();" if f.nullable_any else f"{x}.clear();"] + element
    if f.is_struct:
        if f.nullable_any:
            return [f"fill({x}.emplace({f.struct.qualified}{{}}), version, all, salt * 4 + 3);"]
        return [f"fill({x}, version, all, salt * 4 + 3);"]
    return [f"{x} = {fill_value(f, f.uid, 'salt')};"]


FILL_VALUE = {
    "float64": "testgen::real",
    "uuid": "testgen::make_uuid",
    "string": "testgen::text",
    "bytes": "testgen::blob",
    "records": "testgen::records",
}


def fill_value(f, uid, salt):
    if f.type in INTEGERS:
        d = int(f.default, 0) if (f.default and not f.array) else 0
        return f"testgen::number<{PRIMITIVES[f.type]}>({uid}, {salt}, {d})"
    if f.type == "bool":
        return "true" if (f.default or "false") == "false" else "false"
    if f.type in FILL_VALUE:
        return f"{FILL_VALUE[f.type]}({uid}, {salt})"
    raise SchemaError(f"{f.where}: cannot fill {f.type}")


def same_expr(f):
    a, b = f"a.{f.cpp}", f"b.{f.cpp}"
    if f.array and f.is_struct:
        return f"testgen::same_each({a}, {b}, [&](const auto& p, const auto& q) {{ return same(p, q, version); }})"
    if f.is_struct:
        if f.nullable_any:
            return f"{a}.has_value() == {b}.has_value() && (!{a} || same(*{a}, *{b}, version))"
        return f"same({a}, {b}, version)"
    if f.type == "records":
        return f"testgen::same_records({a}, {b})"
    return f"{a} == {b}"


def fill_and_same(qualified, fields, schema):
    """fill() and same() of one struct: a guarded line per field present in
    some version."""
    present = [(f, version_cond(f.versions, schema)) for f in fields]
    present = [(f, cond) for f, cond in present if cond != "false"]
    out = [f"void fill({qualified}& m, [[maybe_unused]] std::int16_t version, "
           f"[[maybe_unused]] bool all, [[maybe_unused]] std::int64_t salt) {{"]
    for f, cond in present:
        out += guard("true" if cond == "true" else f"all || ({cond})", fill_stmts(f), 4)
    out += ["}", "",
            f"bool same(const {qualified}& a, const {qualified}& b, [[maybe_unused]] std::int16_t version) {{"]
    for f, cond in present:
        test = f"!({same_expr(f)})"
        out.append(f"    if ({test if cond == 'true' else f'({cond}) && {test}'}) return false;")
    return out + ["    return true;", "}", ""]


# Builds the type-erased cases (testgen_values.h) for one message type.
ADD_CASES = """\
template <class M>
codec_case make_case(const char* name, std::int16_t v) {
    codec_case c;
    c.name = std::string(name) + " v" + std::to_string(v);
    c.version = v;
    c.encode_filled = [](std::int16_t version, bool all) {
        M m;
        fill(m, version, all, 0);
        writer w;
        m.encode(w, version);
        return w.take();
    };
    c.decode_reencode = &reencode<M>;
    c.decodes_to_filled = [](std::span<const std::byte> bytes, std::int16_t version) {
        reader r(bytes);
        M decoded;
        decoded.decode(r, version);
        M expected;
        fill(expected, version, false, 0);
        return same(decoded, expected, version);
    };
    return c;
}

template <class M>
void add_cases(std::vector<message_case>& out, const char* name, bool is_request) {
    for (std::int16_t v = M::min_version; v <= M::max_version; ++v)
        out.push_back(message_case{make_case<M>(name, v), M::key, is_request});
}

template <class M>
void add_data_cases(std::vector<codec_case>& out, const char* name) {
    for (std::int16_t v = M::min_version; v <= M::max_version; ++v) out.push_back(make_case<M>(name, v));
}"""


def case_list(function, case_type, calls):
    return [f"std::vector<{case_type}> {function}() {{", f"    std::vector<{case_type}> cases;"] + \
        [f"    {c}" for c in calls] + ["    return cases;", "}", ""]


def generate_tests(schemas, out_path):
    out = [
        "// Generated by common/protocol/codegen/generate.py --test-out. Do not edit.",
        '#include "tests/unit/protocol/codec/reencode.h"',
        '#include "tests/unit/protocol/codec/testgen_values.h"',
        "",
    ]
    out += [f'#include "{schema.header}"' for schema in schemas]
    out += ["", "namespace sluice::protocol::testgen {", ""]
    decls, defs = [], []
    api_calls, data_calls = [], []
    for schema in schemas:
        for section in schema.sections:
            msg = schema.messages[section]
            for s_qual, fields in [(s.qualified, s.fields) for s in msg.structs] + [(msg.qualified, msg.fields)]:
                decls.append(f"void fill({s_qual}& m, std::int16_t version, bool all, std::int64_t salt);")
                decls.append(f"bool same(const {s_qual}& a, const {s_qual}& b, std::int16_t version);")
                defs += fill_and_same(s_qual, fields, schema)
            if schema.is_api:
                api_calls.append(f'add_cases<{msg.qualified}>(cases, "{msg.cpp}", '
                                 f"{'true' if section == 'request' else 'false'});")
            else:
                data_calls.append(f'add_data_cases<{msg.qualified}>(cases, "{msg.cpp}");')
    out += decls + [""] + defs
    out += ADD_CASES.splitlines() + [""]
    out += case_list("all_message_cases", "message_case", api_calls)
    out += case_list("all_data_cases", "codec_case", data_calls)
    out += ["}  // namespace sluice::protocol::testgen"]
    write_if_changed(out_path, "\n".join(out) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out-dir", help="directory for messages/<api>.h/.cc and data/<name>.h/.cc")
    p.add_argument("--test-out", help="write round-trip test support to this .cc file")
    p.add_argument("schemas", nargs="+")
    args = p.parse_args()
    try:
        schemas = [resolve(parse_schema(s)) for s in args.schemas]
        keys = {}
        for s in schemas:
            if s.is_api and s.key in keys:
                raise SchemaError(f"{s.path}: api key {s.key} already used by {keys[s.key]}")
            keys[s.key] = s.path
        if args.out_dir:
            for s in schemas:
                generate_schema(s, args.out_dir)
        if args.test_out:
            generate_tests(schemas, args.test_out)
    except SchemaError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
