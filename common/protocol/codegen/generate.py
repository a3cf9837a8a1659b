#!/usr/bin/env python3
"""Generates the Kafka message codec from common/protocol/schema/*.schema.

    generate.py --out-dir DIR schema...             messages/<api>.h and <api>.cc
    generate.py --test-out FILE.cc schema...        round-trip test support

Python 3 standard library only. The schema format is described in
common/protocol/README.md; in short, one file per API:

    # comment
    api Produce key=0 versions=0-9 flexible=9+
    request
      TransactionalId string 3+ nullable=3+ default=null
      TopicData []TopicProduceData 0+
        Name string 0+
    response
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
# Static members of top-level messages.
RESERVED_TOP = {"key", "min_version", "max_version"}
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
    def __init__(self, api, kind, fields):
        self.api = api
        self.kind = kind
        self.cpp = f"{api.cpp}_{kind}"
        self.fields = fields
        self.structs = []     # nested structs, innermost first

    @property
    def qualified(self):
        return self.cpp


class Api:
    def __init__(self, name, key, versions, flexible, path):
        self.name = name
        self.cpp = snake(name)
        self.key = key
        self.lo, self.hi = versions
        self.flexible = flexible
        self.path = path
        self.messages = {}


# ---------------------------------------------------------------- parsing ----

def parse_schema(path):
    api = None
    section = None
    stack = []   # (indent, list of fields)
    uid = 0
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
            if words[0] == "api":
                attrs = dict(w.split("=", 1) for w in words[2:])
                versions = parse_range(attrs["versions"], where)
                if versions[1] == INF:
                    raise SchemaError(f"{where}: api versions need an upper bound")
                api = Api(words[1], int(attrs["key"]), versions,
                          parse_range(attrs.get("flexible", "none"), where), path)
            elif words[0] in ("request", "response"):
                if api is None:
                    raise SchemaError(f"{where}: '{words[0]}' before 'api'")
                section = []
                api.messages[words[0]] = section
                stack = [(0, section)]
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
    if api is None or set(api.messages) != {"request", "response"}:
        raise SchemaError(f"{path}: needs an api line, a request and a response")
    return api


def resolve(api):
    """Builds Message/Struct objects and checks the schema for what the
    generated C++ cannot express."""
    for kind, fields in list(api.messages.items()):
        msg = Message(api, kind, fields)
        api.messages[kind] = msg
        seen = {}

        def visit(fields, top):
            names = set()
            for f in fields:
                if f.cpp in RESERVED or (top and f.cpp in RESERVED_TOP):
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
                    if api.flexible is None or intersect(f.versions, api.flexible) != f.versions:
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
                raise SchemaError(f"{api.path}: struct {s.name} clashes with a field of {msg.cpp}")

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
        tags = {}

        def check_tags(fields):
            used = set()
            for f in fields:
                if f.tag is not None:
                    if f.tag in used:
                        raise SchemaError(f"{f.where}: tag {f.tag} used twice")
                    used.add(f.tag)
                check_tags(f.fields)

        check_tags(fields)
        del tags
    return api


# ------------------------------------------------------------ C++ helpers ----

def version_cond(rng, api, var="version"):
    """C++ condition for `var` in rng, leaving out bounds the api already
    guarantees; returns 'true' or 'false' for trivial cases."""
    r = intersect(rng, (api.lo, api.hi))
    if r is None:
        return "false"
    parts = []
    if r[0] > api.lo:
        parts.append(f"{var} >= {r[0]}")
    if r[1] < api.hi:
        parts.append(f"{var} <= {r[1]}")
    return " && ".join(parts) if parts else "true"


def struct_nullable_cond(f, api):
    """version_cond of f's nullable versions, 'true' when they cover every
    version the field is in (no dead branches for always-nullable structs)."""
    present = intersect(f.versions, (api.lo, api.hi))
    if present is not None and intersect(f.nullable, present) == present:
        return "true"
    return version_cond(f.nullable, api)


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


SCALAR_READ = {
    "int8": "read_int8", "int16": "read_int16", "int32": "read_int32", "int64": "read_int64",
    "uint16": "read_uint16", "uint32": "read_uint32", "float64": "read_float64",
    "bool": "read_bool", "uuid": "read_uuid",
}
SCALAR_WRITE = {k: "write" + v[4:] for k, v in SCALAR_READ.items()}


def read_value(f, r, flex, api, element=False):
    """Expression reading one non-array, non-struct value of f's type (an
    array element when `element`: elements are never nullable)."""
    if f.type in SCALAR_READ:
        return f"{r}.{SCALAR_READ[f.type]}()"
    maybe_null = f.nullable_any and not element
    nullable = version_cond(f.nullable, api) if maybe_null else "false"
    if f.type == "string":
        if maybe_null:
            return f"detail::read_nullable_string({r}, {flex}, {nullable})"
        return f"detail::read_string({r}, {flex})"
    if f.type == "bytes":
        if maybe_null:
            return f"detail::read_nullable_bytes({r}, {flex}, {nullable})"
        return f"detail::read_bytes({r}, {flex})"
    if f.type == "records":
        return f"detail::read_records({r}, {flex}, {nullable})"
    raise SchemaError(f"{f.where}: cannot read {f.type}")


def write_value(f, w, flex, x, api, element=False):
    if f.type in SCALAR_WRITE:
        return f"{w}.{SCALAR_WRITE[f.type]}({x});"
    maybe_null = f.nullable_any and not element
    nullable = version_cond(f.nullable, api) if maybe_null else "false"
    if f.type == "string":
        if maybe_null:
            return f"detail::write_nullable_string({w}, {flex}, {nullable}, {x});"
        return f"detail::write_string({w}, {flex}, {x});"
    if f.type == "bytes":
        if maybe_null:
            return f"detail::write_nullable_bytes({w}, {flex}, {nullable}, {x});"
        return f"detail::write_bytes({w}, {flex}, {x});"
    if f.type == "records":
        return f"detail::write_records({w}, {flex}, {nullable}, {x});"
    raise SchemaError(f"{f.where}: cannot write {f.type}")


def decode_stmts(f, r, flex, api):
    x = f.cpp
    if f.array:
        nullable = version_cond(f.nullable, api) if f.nullable_any else "false"
        if f.is_struct:
            body = "e.decode(er, version);"
        else:
            body = f"e = {read_value(f, 'er', flex, api, element=True)};"
        return [f"detail::read_array({r}, {flex}, {nullable}, {x}, "
                f"[&](reader& er, {elem_cpp(f)}& e) {{ {body} }});"]
    if f.is_struct:
        if not f.nullable_any:
            return [f"{x}.decode({r}, version);"]
        # Kafka's nullable struct: an int8 marker, negative for null, else the
        # struct follows (Kafka writes 1); inside a tagged field an unsigned
        # varint, 0 for null. No marker where the version is not nullable.
        # (emplace(T{}), not emplace(): clang caches T as not default-constructible
        # while the enclosing message is incomplete.)
        nullable = struct_nullable_cond(f, api)
        present = f"{r}.read_unsigned_varint() > 0" if f.tag is not None else f"{r}.read_int8() >= 0"
        make = f"{x}.emplace({f.struct.qualified}{{}})"
        if nullable == "false":
            return [f"{make}.decode({r}, version);"]
        if nullable != "true":
            present = f"!({nullable}) || {present}"
        return [f"if ({present}) {{",
                f"    {make}.decode({r}, version);",
                "} else {",
                f"    {x}.reset();",
                "}"]
    return [f"{x} = {read_value(f, r, flex, api)};"]


def encode_stmts(f, w, flex, api):
    x = f.cpp
    if f.array:
        nullable = version_cond(f.nullable, api) if f.nullable_any else "false"
        if f.is_struct:
            body = "e.encode(ew, version);"
        else:
            body = write_value(f, "ew", flex, "e", api, element=True)
        return [f"detail::write_array({w}, {flex}, {nullable}, {x}, "
                f"[&](writer& ew, const {elem_cpp(f)}& e) {{ {body} }});"]
    if f.is_struct:
        if not f.nullable_any:
            return [f"{x}.encode({w}, version);"]
        # Null where the version cannot carry it is written as the empty struct.
        nullable = struct_nullable_cond(f, api)
        plain = [f"if ({x}) {{",
                 f"    {x}->encode({w}, version);",
                 "} else {",
                 f"    {f.struct.qualified}{{}}.encode({w}, version);",
                 "}"]
        write_marker = "write_unsigned_varint" if f.tag is not None else "write_int8"
        marked = [f"if ({x}) {{",
                  f"    {w}.{write_marker}(1);",
                  f"    {x}->encode({w}, version);",
                  "} else {",
                  f"    {w}.{write_marker}({0 if f.tag is not None else -1});",
                  "}"]
        if nullable == "true":
            return marked
        if nullable == "false":
            return plain
        return [f"if ({nullable}) {{"] + ["    " + l for l in marked] + ["} else {"] + \
            ["    " + l for l in plain] + ["}"]
    return [write_value(f, w, flex, x, api)]


def flexible_cond(api):
    return version_cond(api.flexible, api) if api.flexible else "false"


def gen_struct_decl(s_name, fields, api, indent, extra_lines=(), needs_eq=False):
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


def gen_function_bodies(qualified, fields, api):
    flex = flexible_cond(api)
    regular = [f for f in fields if f.tag is None]
    tagged = sorted((f for f in fields if f.tag is not None), key=lambda f: f.tag)

    dec = [f"void {qualified}::decode(reader& r, [[maybe_unused]] std::int16_t version) {{",
           f"    [[maybe_unused]] const bool flexible = {flex};"]
    for f in regular:
        dec += guard(version_cond(f.versions, api), decode_stmts(f, "r", "flexible", api), 4)
    if api.flexible:
        if tagged:
            dec.append("    if (flexible) {")
            dec.append("        r.read_tagged_fields([&](std::uint32_t tag, reader& tr) {")
            dec.append("            switch (tag) {")
            for f in tagged:
                dec.append(f"            case {f.tag}:")
                dec += guard(version_cond(f.versions, api), decode_stmts(f, "tr", "true", api), 16)
                dec.append("                break;")
            dec.append("            default:")
            dec.append("                break;  // unknown tags are skipped")
            dec.append("            }")
            dec.append("        });")
            dec.append("    }")
        else:
            dec.append("    if (flexible) r.skip_tagged_fields();")
    dec.append("}")

    enc = [f"void {qualified}::encode(writer& w, [[maybe_unused]] std::int16_t version) const {{",
           f"    [[maybe_unused]] const bool flexible = {flex};"]
    for f in regular:
        enc += guard(version_cond(f.versions, api), encode_stmts(f, "w", "flexible", api), 4)
    if api.flexible:
        if tagged:
            enc.append("    if (flexible) {")
            for f in tagged:
                cond = version_cond(f.versions, api)
                test = not_default_expr(f, f.cpp)
                full = test if cond == "true" else f"{cond} && {test}"
                enc.append(f"        const bool has_tag{f.tag} = {full};")
            count = " + ".join(f"int(has_tag{f.tag})" for f in tagged)
            enc.append(f"        w.write_unsigned_varint(static_cast<std::uint32_t>({count}));")
            for f in tagged:
                enc.append(f"        if (has_tag{f.tag}) {{")
                enc.append("            writer tw;")
                enc += ["            " + l for l in encode_stmts(f, "tw", "true", api)]
                enc.append(f"            w.write_tagged_field({f.tag}, tw.data());")
                enc.append("        }")
            enc.append("    }")
        else:
            enc.append("    if (flexible) w.write_unsigned_varint(0);")
    enc.append("}")
    return dec + [""] + enc


def api_key_enum(api):
    return snake(api.name)


def generate_api(api, out_dir):
    header = [
        "#pragma once",
        f"// Generated by common/protocol/codegen/generate.py from {os.path.basename(api.path)}.",
        "// Do not edit; change the schema instead.",
        f"// Kafka {api.name} (API key {api.key}), versions {api.lo}-{api.hi}"
        + (f", flexible from v{api.flexible[0]}." if api.flexible else ", never flexible."),
        "#include <cstddef>",
        "#include <cstdint>",
        "#include <limits>",
        "#include <optional>",
        "#include <string>",
        "#include <vector>",
        "",
        '#include "common/protocol/api_keys.h"',
        '#include "common/protocol/wire.h"',
        "",
        "namespace sluice::protocol {",
        "",
    ]
    source = [
        f"// Generated by common/protocol/codegen/generate.py from {os.path.basename(api.path)}.",
        f'#include "common/protocol/messages/{api.cpp}.h"',
        "",
        '#include "common/protocol/field_codec.h"',
        "",
        "namespace sluice::protocol {",
        "",
    ]
    for kind in ("request", "response"):
        msg = api.messages[kind]
        lines = [
            f"static constexpr api_key key = api_key::{api_key_enum(api)};",
            f"static constexpr std::int16_t min_version = {api.lo};",
            f"static constexpr std::int16_t max_version = {api.hi};",
            "",
        ]
        for s in msg.structs:
            lines += gen_struct_decl(s.cpp, s.fields, api, 0, needs_eq=s.needs_eq)
            lines.append("")
        header += gen_struct_decl(msg.cpp, msg.fields, api, 0, extra_lines=lines)
        header.append("")
        for s in msg.structs:
            source += gen_function_bodies(s.qualified, s.fields, api) + [""]
        source += gen_function_bodies(msg.qualified, msg.fields, api) + [""]
    header.append("}  // namespace sluice::protocol")
    source.append("}  // namespace sluice::protocol")
    write_if_changed(os.path.join(out_dir, f"{api.cpp}.h"), "\n".join(header) + "\n")
    write_if_changed(os.path.join(out_dir, f"{api.cpp}.cc"), "\n".join(source) + "\n")


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

def fill_stmts(f, api):
    x = f"m.{f.cpp}"
    uid = f.uid
    if f.array:
        if f.is_struct:
            return [f"{x}.emplace();" if f.nullable_any else f"{x}.clear();",
                    f"for (int i = 1; i <= 2; ++i) {{",
                    f"    {f.struct.qualified} e;",
                    f"    fill(e, version, all, salt * 4 + i);",
                    f"    {x}{'->' if f.nullable_any else '.'}push_back(std::move(e));",
                    "}"]
        value = fill_value(f, uid, "salt * 4 + i")
        return [f"{x}.emplace();" if f.nullable_any else f"{x}.clear();",
                f"for (int i = 1; i <= 2; ++i) {x}{'->' if f.nullable_any else '.'}push_back({value});"]
    if f.is_struct:
        if f.nullable_any:
            return [f"fill({x}.emplace({f.struct.qualified}{{}}), version, all, salt * 4 + 3);"]
        return [f"fill({x}, version, all, salt * 4 + 3);"]
    return [f"{x} = {fill_value(f, uid, 'salt')};"]


def fill_value(f, uid, salt):
    if f.type in INTEGERS:
        d = int(f.default, 0) if (f.default and not f.array) else 0
        return f"testgen::number<{PRIMITIVES[f.type]}>({uid}, {salt}, {d})"
    if f.type == "bool":
        return "true" if (f.default or "false") == "false" else "false"
    if f.type == "float64":
        return f"testgen::real({uid}, {salt})"
    if f.type == "uuid":
        return f"testgen::make_uuid({uid}, {salt})"
    if f.type == "string":
        return f"testgen::text({uid}, {salt})"
    if f.type == "bytes":
        return f"testgen::blob({uid}, {salt})"
    if f.type == "records":
        return f"testgen::records({uid}, {salt})"
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


ADD_CASES = """\
template <class M>
void add_cases(std::vector<message_case>& out, const char* name, bool is_request) {
    for (std::int16_t v = M::min_version; v <= M::max_version; ++v) {
        message_case c;
        c.name = std::string(name) + " v" + std::to_string(v);
        c.key = M::key;
        c.is_request = is_request;
        c.version = v;
        c.encode_filled = [](std::int16_t version, bool all) {
            M m;
            fill(m, version, all, 0);
            writer w;
            m.encode(w, version);
            return w.take();
        };
        c.decode_reencode = [](std::span<const std::byte> bytes, std::int16_t version, std::size_t& consumed) {
            reader r(bytes);
            M m;
            m.decode(r, version);
            consumed = r.position();
            writer w;
            m.encode(w, version);
            return w.take();
        };
        c.decodes_to_filled = [](std::span<const std::byte> bytes, std::int16_t version) {
            reader r(bytes);
            M decoded;
            decoded.decode(r, version);
            M expected;
            fill(expected, version, false, 0);
            return same(decoded, expected, version);
        };
        out.push_back(std::move(c));
    }
}"""


def generate_tests(apis, out_path):
    out = [
        "// Generated by common/protocol/codegen/generate.py --test-out. Do not edit.",
        '#include "tests/unit/protocol/codec/testgen_values.h"',
        "",
    ]
    for api in apis:
        out.append(f'#include "common/protocol/messages/{api.cpp}.h"')
    out += ["", "namespace sluice::protocol::testgen {", ""]
    decls, defs = [], []
    for api in apis:
        for kind in ("request", "response"):
            msg = api.messages[kind]
            for s_qual, fields in [(s.qualified, s.fields) for s in msg.structs] + [(msg.qualified, msg.fields)]:
                decls.append(f"void fill({s_qual}& m, std::int16_t version, bool all, std::int64_t salt);")
                decls.append(f"bool same(const {s_qual}& a, const {s_qual}& b, std::int16_t version);")
                body = [f"void fill({s_qual}& m, [[maybe_unused]] std::int16_t version, "
                        f"[[maybe_unused]] bool all, [[maybe_unused]] std::int64_t salt) {{"]
                for f in fields:
                    cond = version_cond(f.versions, api)
                    if cond == "false":
                        continue
                    body += guard("true" if cond == "true" else f"all || ({cond})", fill_stmts(f, api), 4)
                body.append("}")
                body.append("")
                body.append(f"bool same(const {s_qual}& a, const {s_qual}& b, "
                            f"[[maybe_unused]] std::int16_t version) {{")
                for f in fields:
                    cond = version_cond(f.versions, api)
                    if cond == "false":
                        continue
                    test = f"!({same_expr(f)})"
                    full = test if cond == "true" else f"({cond}) && {test}"
                    body.append(f"    if ({full}) return false;")
                body.append("    return true;")
                body.append("}")
                body.append("")
                defs += body
    out += decls + [""] + defs
    out += ADD_CASES.splitlines() + [""]
    out.append("std::vector<message_case> all_message_cases() {")
    out.append("    std::vector<message_case> cases;")
    for api in apis:
        for kind in ("request", "response"):
            out.append(f'    add_cases<{api.messages[kind].qualified}>(cases, "{api.messages[kind].cpp}", '
                       f"{'true' if kind == 'request' else 'false'});")
    out.append("    return cases;")
    out.append("}")
    out += ["", "}  // namespace sluice::protocol::testgen"]
    write_if_changed(out_path, "\n".join(out) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out-dir", help="directory for messages/<api>.h/.cc")
    p.add_argument("--test-out", help="write round-trip test support to this .cc file")
    p.add_argument("schemas", nargs="+")
    args = p.parse_args()
    try:
        apis = [resolve(parse_schema(s)) for s in args.schemas]
        keys = {}
        for a in apis:
            if a.key in keys:
                raise SchemaError(f"{a.path}: api key {a.key} already used by {keys[a.key]}")
            keys[a.key] = a.path
        if args.out_dir:
            for a in apis:
                generate_api(a, args.out_dir)
        if args.test_out:
            generate_tests(apis, args.test_out)
    except SchemaError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
