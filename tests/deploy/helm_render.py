"""Render the vigil Helm chart without helm (helm is not in Debian).

This is a small interpreter for the subset of Go templates and Sprig the chart
uses, and nothing more: an action it does not know is an error, never output.
The subset:

  text {{- trims the whitespace before, -}} trims after; {{/* comments */}}
  {{ .Values.a.b }}  {{ .Release.Name }}  {{ $.Values.x }}  {{ . }}
  {{ if PIPELINE }} ... {{ end }}     {{ range PIPELINE }} ... {{ end }}
  {{ define "name" }} ... {{ end }}   (in _helpers.tpl)
  functions: include, default, quote, toYaml, nindent, indent, not
  pipelines: {{ X | f a }} calls f(a, X), as Go templates do

A missing map key is an error (helm would print "<no value>"), so a template
that names a value absent from values.yaml fails the test. Every .Values path
read is recorded in Renderer.used, to find values no template reads.
"""
import json
import os
import re

import yaml


class TemplateError(Exception):
    pass


# ---- lexing: text and actions, with the trim markers applied ----

def lex(src, name):
    """[('text', s) | ('action', s)] with {{- / -}} trimming done."""
    out, pos = [], 0
    while True:
        start = src.find("{{", pos)
        if start < 0:
            out.append(("text", src[pos:]))
            return out
        end = src.find("}}", start)
        if end < 0:
            raise TemplateError(f"{name}: unclosed '{{{{' at offset {start}")
        inner = src[start + 2:end]
        text = src[pos:start]
        if re.match(r"-\s", inner):
            text = text.rstrip()
            inner = inner[1:]
        trim_right = bool(re.search(r"\s-$", inner))
        if trim_right:
            inner = inner[:-1]
        out.append(("text", text))
        out.append(("action", inner.strip()))
        pos = end + 2
        if trim_right:
            while pos < len(src) and src[pos] in " \t\r\n":
                pos += 1


# ---- parsing: a tree of text, actions, if, range, define ----

def parse(tokens, name):
    """Returns (nodes, defines). Node: ('text', s) | ('expr', toks) |
    ('if', toks, body) | ('range', toks, body)."""
    defines = {}
    stack = [("root", None, [])]
    for kind, s in tokens:
        body = stack[-1][2]
        if kind == "text":
            if s:
                body.append(("text", s))
            continue
        if s.startswith("/*"):
            if not s.endswith("*/"):
                raise TemplateError(f"{name}: unterminated comment: {s!r}")
            continue
        word = s.split(None, 1)
        head, rest = (word[0], word[1] if len(word) > 1 else "") if word else ("", "")
        if head in ("if", "range"):
            stack.append((head, tokenize(rest, name), []))
        elif head == "define":
            stack.append(("define", json.loads(rest), []))
        elif head == "end":
            if len(stack) == 1:
                raise TemplateError(f"{name}: 'end' without a block")
            what, arg, inner = stack.pop()
            if what == "define":
                defines[arg] = inner
            else:
                stack[-1][2].append((what, arg, inner))
        elif head in ("else", "with", "template", "block", "tpl") or head.startswith("$") and ":=" in s:
            raise TemplateError(f"{name}: '{head}' is outside the supported subset")
        else:
            body.append(("expr", tokenize(s, name)))
    if len(stack) != 1:
        raise TemplateError(f"{name}: '{stack[-1][0]}' without 'end'")
    return stack[0][2], defines


TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\(|\)|\||[^\s()|"]+)')


def tokenize(s, name):
    toks, pos = [], 0
    s = s.strip()
    while pos < len(s):
        m = TOKEN.match(s, pos)
        if not m:
            raise TemplateError(f"{name}: cannot read action {s!r}")
        toks.append(m.group(1))
        pos = m.end()
    return toks


# ---- evaluation ----

def truthy(v):
    return v not in (None, False, 0, "") and not (isinstance(v, (list, dict)) and not v)


def go_str(v, where):
    """How Go's text/template prints a scalar."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return str(v)
    raise TemplateError(f"{where}: cannot print {type(v).__name__} {v!r} (use toYaml)")


def indent(n, s):
    pad = " " * n
    return pad + s.replace("\n", "\n" + pad)


def to_yaml(v):
    return yaml.safe_dump(v, default_flow_style=False, sort_keys=True).rstrip("\n")


class Renderer:
    def __init__(self, chart_dir, values, release="vigil", namespace="vigil"):
        self.chart_dir = chart_dir
        with open(os.path.join(chart_dir, "Chart.yaml")) as f:
            chart = yaml.safe_load(f)
        self.root = {
            "Values": values,
            "Release": {"Name": release, "Namespace": namespace, "Service": "Helm"},
            "Chart": {"Name": chart["name"], "Version": chart["version"],
                      "AppVersion": chart.get("appVersion", "")},
        }
        self.used = set()       # tuples: .Values paths read
        self.defines = {}
        self.templates = {}
        tdir = os.path.join(chart_dir, "templates")
        for fname in sorted(os.listdir(tdir)):
            with open(os.path.join(tdir, fname)) as f:
                nodes, defines = parse(lex(f.read(), fname), fname)
            self.defines.update(defines)
            if not fname.startswith("_"):
                self.templates[fname] = nodes

    def render_all(self):
        """{template file name: rendered text}"""
        return {n: self.render_nodes(nodes, self.root, self.root, n)
                for n, nodes in self.templates.items()}

    def render_nodes(self, nodes, dot, top, where):
        out = []
        for node in nodes:
            if node[0] == "text":
                out.append(node[1])
            elif node[0] == "expr":
                out.append(go_str(self.pipeline(node[1], dot, top, where), where))
            elif node[0] == "if":
                if truthy(self.pipeline(node[1], dot, top, where)):
                    out.append(self.render_nodes(node[2], dot, top, where))
            elif node[0] == "range":
                items = self.pipeline(node[1], dot, top, where)
                if items is None:
                    items = []
                if not isinstance(items, list):
                    raise TemplateError(f"{where}: range over {type(items).__name__}")
                for item in items:
                    out.append(self.render_nodes(node[2], item, top, where))
        return "".join(out)

    # A pipeline: commands separated by '|'; each result is the last argument
    # of the next command.
    def pipeline(self, toks, dot, top, where):
        commands, depth, cur = [], 0, []
        for t in toks:
            depth += (t == "(") - (t == ")")
            if t == "|" and depth == 0:
                commands.append(cur)
                cur = []
            else:
                cur.append(t)
        commands.append(cur)
        result, piped = None, False
        for cmd in commands:
            result = self.command(cmd, dot, top, where, [result] if piped else [])
            piped = True
        return result

    def command(self, toks, dot, top, where, extra):
        if not toks:
            raise TemplateError(f"{where}: empty command")
        head = toks[0]
        if head in FUNCS:
            args, i = [], 1
            while i < len(toks):
                v, i = self.operand(toks, i, dot, top, where)
                args.append(v)
            return FUNCS[head](self, where, *(args + extra))
        v, i = self.operand(toks, 0, dot, top, where)
        if i != len(toks) or extra:
            raise TemplateError(f"{where}: '{' '.join(toks)}' is not a function call")
        return v

    def operand(self, toks, i, dot, top, where):
        t = toks[i]
        if t == "(":
            depth, j = 1, i + 1
            while depth:
                if j >= len(toks):
                    raise TemplateError(f"{where}: unbalanced '('")
                depth += (toks[j] == "(") - (toks[j] == ")")
                j += 1
            return self.pipeline(toks[i + 1:j - 1], dot, top, where), j
        if t.startswith('"'):
            return json.loads(t), i + 1
        if re.fullmatch(r"-?\d+", t):
            return int(t), i + 1
        if t in ("true", "false"):
            return t == "true", i + 1
        if t == ".":
            return dot, i + 1
        if t == "$":
            return top, i + 1
        if t.startswith("$."):
            return self.lookup(top, t[2:], where), i + 1
        if t.startswith("."):
            return self.lookup(dot, t[1:], where), i + 1
        raise TemplateError(f"{where}: unknown function or operand '{t}'")

    def lookup(self, obj, path, where):
        keys = path.split(".")
        from_root = obj is self.root and keys[0] == "Values"
        for n, k in enumerate(keys):
            if not isinstance(obj, dict) or k not in obj:
                raise TemplateError(f"{where}: no value at .{'.'.join(keys[:n + 1])}")
            obj = obj[k]
        if from_root:
            self.used.add(tuple(keys[1:]))
        return obj


def f_include(r, where, name, ctx):
    if name not in r.defines:
        raise TemplateError(f"{where}: include of undefined template {name!r}")
    return r.render_nodes(r.defines[name], ctx, ctx, f"{where} > {name}")


def f_default(r, where, fallback, value=None):
    return value if truthy(value) else fallback


def f_quote(r, where, v):
    return json.dumps(go_str(v, where))


FUNCS = {
    "include": f_include,
    "default": f_default,
    "quote": f_quote,
    "toYaml": lambda r, where, v: to_yaml(v),
    "nindent": lambda r, where, n, s: "\n" + indent(n, s),
    "indent": lambda r, where, n, s: indent(n, s),
    "not": lambda r, where, v: not truthy(v),
}


def leaf_paths(values, prefix=()):
    """Every path in values down to scalars, lists and empty maps."""
    if isinstance(values, dict) and values:
        for k, v in values.items():
            yield from leaf_paths(v, prefix + (k,))
    else:
        yield prefix


def unused_values(values, used):
    """Values paths no template read (a read of a map covers what is below)."""
    return [p for p in leaf_paths(values)
            if not any(p[:len(u)] == u for u in used)]
